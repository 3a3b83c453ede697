<?php
declare(strict_types=1);

namespace PayBridge\Tests;

use PayBridge\Gateway;
use PayBridge\Tests\Support\PayBridgeTestCase;
use PayBridge\Tests\Support\Sandbox;

/**
 * `ca_file` (issue 14, README "TLS"): a PEM bundle added to the trusted roots. Real HTTPS on
 * loopback against `paybridge-sandbox serve --tls`, whose certificate is signed by a CA it
 * generates at start-up, so only a client given that CA can trust it.
 */
final class TlsCaFileTest extends PayBridgeTestCase
{
    /** @var resource|null */
    private static $process = null;
    private static string $url = '';
    private static string $dir = '';

    public static function setUpBeforeClass(): void
    {
        self::$dir = sys_get_temp_dir() . '/paybridge-tls-' . bin2hex(random_bytes(6));
        mkdir(self::$dir);
        $cmd = [Sandbox::binary(), 'serve', '--port', '0', '--tls', '--tls-ca-out', self::$dir . '/ca.pem'];
        $spec = [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['file', '/dev/null', 'w']];
        $proc = proc_open($cmd, $spec, $pipes);
        if (!is_resource($proc)) {
            throw new \RuntimeException('cannot start paybridge-sandbox --tls');
        }
        self::$process = $proc;
        $read = [$pipes[1]];
        $w = $e = null;
        $line = stream_select($read, $w, $e, 10) > 0 ? (string) fgets($pipes[1]) : '';
        if (!preg_match('~^listening on (https://127\.0\.0\.1:\d+)\s*$~', $line, $m)) {
            throw new \RuntimeException("sandbox --tls did not announce an https port (got '" . trim($line) . "')");
        }
        self::$url = $m[1];
    }

    public static function tearDownAfterClass(): void
    {
        if (self::$process !== null) {
            proc_terminate(self::$process, 15);
            proc_close(self::$process);
            self::$process = null;
        }
        foreach (glob(self::$dir . '/*') ?: [] as $f) {
            unlink($f);
        }
        @rmdir(self::$dir);
    }

    private static function gateway(array $config = []): Gateway
    {
        return new Gateway('neropay', $config + [
            'secret_key' => Sandbox::SECRET_KEY,
            'base_url' => self::$url . '/neropay/v2',
            'max_retries' => 0,
        ]);
    }

    /** The TLS sandbox's request log, read over HTTPS with its CA. */
    private static function requests(): array
    {
        $ctx = stream_context_create(['ssl' => ['cafile' => self::$dir . '/ca.pem'], 'http' => ['timeout' => 10]]);
        return json_decode((string) file_get_contents(self::$url . '/_control/requests', false, $ctx), true);
    }

    public function testTheSandboxWritesItsCaBeforeAnnouncingTheHttpsPort(): void
    {
        $this->assertStringStartsWith('-----BEGIN CERTIFICATE-----', (string) file_get_contents(self::$dir . '/ca.pem'));
    }

    public function testACreatePaymentOverHttpsSucceedsWhenTheSandboxCaIsTheCaFile(): void
    {
        $p = self::gateway(['ca_file' => self::$dir . '/ca.pem'])->createPayment(self::paymentRequest());
        $this->assertSame('pending', $p['status']);
        $this->assertSame($p['id'], self::gateway(['ca_file' => self::$dir . '/ca.pem'])->retrievePayment($p['id'])['id']);
        $created = array_values(array_filter(self::requests(), fn ($r) => $r['method'] === 'POST'));
        $this->assertNotEmpty($created);
        $this->assertTrue(end($created)['signature_valid'], 'the request arrived intact over TLS');
    }

    public function testWithoutTheCaFileTheSandboxCertificateIsRejectedAndNoRequestIsSent(): void
    {
        $before = count(self::requests());
        $e = $this->assertPayBridgeError('TransportException', 'tls_error', fn () => self::gateway()->createPayment(self::paymentRequest()));
        $this->assertTrue($e->isRetrySafe(), 'a failed handshake comes before any byte of the request');
        $this->assertStringNotContainsString(Sandbox::SECRET_KEY, $e->getMessage() . $e->getTraceAsString());
        $this->assertStringNotContainsString('127.0.0.1', $e->getMessage(), 'the URL is never in a message');
        $this->assertCount($before, self::requests(), 'nothing reached the provider');
    }

    public function testAnotherCasBundleDoesNotMakeTheSandboxTrusted(): void
    {
        // A syntactically valid bundle that does not contain the sandbox's CA: the system's own.
        $system = '/etc/ssl/certs/ca-certificates.crt';
        if (!is_readable($system)) {
            $this->markTestSkipped("$system missing");
        }
        $this->assertPayBridgeError('TransportException', 'tls_error', fn () => self::gateway(['ca_file' => $system])->retrievePayment('1'));
    }

    public function testAnUnreadableCaFileIsAConfigErrorAtConstruction(): void
    {
        $this->assertPayBridgeError('ConfigException', 'config', fn () => self::gateway(['ca_file' => self::$dir . '/missing.pem']), 'ca_file could not be read');
        $this->assertPayBridgeError('ConfigException', 'config', fn () => self::gateway(['ca_file' => self::$dir]), 'ca_file could not be read');
    }

    public function testACaFileWithoutAValidPemCertificateIsAConfigErrorAtConstruction(): void
    {
        file_put_contents(self::$dir . '/junk.pem', "not a certificate\n");
        $this->assertPayBridgeError('ConfigException', 'config', fn () => self::gateway(['ca_file' => self::$dir . '/junk.pem']), 'no valid PEM certificate');
        file_put_contents(self::$dir . '/bad.pem', "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        $this->assertPayBridgeError('ConfigException', 'config', fn () => self::gateway(['ca_file' => self::$dir . '/bad.pem']), 'no valid PEM certificate');
    }

    public function testCaFileMustBeAString(): void
    {
        $this->assertPayBridgeError('ConfigException', 'config', fn () => self::gateway(['ca_file' => 5]), 'ca_file must be a string');
    }
}
