<?php
declare(strict_types=1);

namespace PayBridge\Tests;

use PayBridge\Gateway;
use PayBridge\Tests\Support\PayBridgeTestCase;
use PayBridge\Tests\Support\Sandbox;

/**
 * Issue 14 item 4, counted on the wire: `paybridge-sandbox delay-proxy` (RTT 0) in front of
 * `serve --tls` counts the TCP connections and TLS handshakes the extension opens. The client is
 * per process: building a Gateway opens nothing, calls share one keep-alive connection across
 * Gateway instances, and a connection that has to be reopened resumes its TLS session.
 */
final class ConnectionReuseTest extends PayBridgeTestCase
{
    /** @var list<resource> */
    private static array $procs = [];
    private static string $dir = '';
    private static string $sandbox = '';
    private static string $proxy = '';

    /** @return array{0: resource, 1: string} the process and its first line */
    private static function spawn(array $cmd): array
    {
        $proc = proc_open($cmd, [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['file', '/dev/null', 'w']], $pipes);
        if (!is_resource($proc)) {
            throw new \RuntimeException('cannot start ' . $cmd[1]);
        }
        self::$procs[] = $proc;
        $read = [$pipes[1]];
        $w = $e = null;
        return [$proc, stream_select($read, $w, $e, 10) > 0 ? trim((string) fgets($pipes[1])) : ''];
    }

    public static function setUpBeforeClass(): void
    {
        self::$dir = sys_get_temp_dir() . '/paybridge-reuse-' . bin2hex(random_bytes(6));
        mkdir(self::$dir);
        [, $line] = self::spawn([Sandbox::binary(), 'serve', '--port', '0', '--tls', '--tls-ca-out', self::$dir . '/ca.pem', '--retry-schedule-ms', '100']);
        if (!preg_match('~^listening on https://127\.0\.0\.1:(\d+)$~', $line, $m)) {
            throw new \RuntimeException("sandbox --tls: '$line'");
        }
        self::$sandbox = "https://127.0.0.1:$m[1]";
        [, $line] = self::spawn([Sandbox::binary(), 'delay-proxy', '--listen', '127.0.0.1:0', '--to', "127.0.0.1:$m[1]", '--rtt-ms', '0', '--stats-file', self::$dir . '/stats.json']);
        if (!preg_match('~^listening on (127\.0\.0\.1:\d+)$~', $line, $m)) {
            throw new \RuntimeException("delay-proxy: '$line'");
        }
        self::$proxy = "https://$m[1]";
    }

    public static function tearDownAfterClass(): void
    {
        foreach (self::$procs as $p) {
            proc_terminate($p, 15);
            proc_close($p);
        }
        self::$procs = [];
        foreach (glob(self::$dir . '/*') ?: [] as $f) {
            unlink($f);
        }
        @rmdir(self::$dir);
    }

    private static function gateway(): Gateway
    {
        return new Gateway('neropay', [
            'secret_key' => Sandbox::SECRET_KEY,
            'base_url' => self::$proxy . '/neropay/v2',
            'ca_file' => self::$dir . '/ca.pem',
            'max_retries' => 1,
        ]);
    }

    /** @return array{connections: int, tls_handshakes: int, tls_resumed: int} */
    private static function wire(): array
    {
        $s = json_decode((string) file_get_contents(self::$dir . '/stats.json'), true);
        return ['connections' => $s['connections'], 'tls_handshakes' => $s['tls_handshakes'], 'tls_resumed' => $s['tls_resumed']];
    }

    private static function faults(array $faults): void
    {
        $ctx = stream_context_create(['ssl' => ['cafile' => self::$dir . '/ca.pem'], 'http' => [
            'method' => 'POST', 'header' => "Content-Type: application/json\r\n", 'content' => json_encode($faults), 'timeout' => 10,
        ]]);
        file_get_contents(self::$sandbox . '/_control/faults', false, $ctx);
    }

    public function testOneConnectionAndOneHandshakeServeManyCallsAndAReopenedConnectionResumesItsSession(): void
    {
        // A Gateway is configuration only: nothing is opened before the first call needs it.
        $g = self::gateway();
        $this->assertSame(['connections' => 0, 'tls_handshakes' => 0, 'tls_resumed' => 0], self::wire());

        $g->createPayment(self::paymentRequest());
        $first = self::wire();
        $this->assertSame([1, 1], [$first['connections'], $first['tls_handshakes']], 'one connection, one full handshake');

        // New Gateway objects (a php-fpm page builds one per request) share the process's pool.
        for ($i = 0; $i < 3; $i++) {
            self::gateway()->createPayment(self::paymentRequest());
        }
        $this->assertSame($first, self::wire(), 'the keep-alive connection was reused');

        // The provider closes the connection mid-request: the retry reconnects and resumes TLS.
        self::faults(['drop_next' => 1]);
        self::gateway()->createPayment(self::paymentRequest());
        $after = self::wire();
        $this->assertSame(2, $after['connections']);
        $this->assertSame(2, $after['tls_handshakes']);
        $this->assertSame(1, $after['tls_resumed'], 'the second handshake resumed the first session');
    }
}
