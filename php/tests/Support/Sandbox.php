<?php
declare(strict_types=1);

namespace PayBridge\Tests\Support;

/**
 * The one `paybridge-sandbox serve --port 0` of a test run, plus its control endpoints
 * (sandbox/README.md). Tests that change faults call reset() first.
 */
final class Sandbox
{
    public const SECRET_KEY = 'sk_test_neropay';

    /** @var resource|null */
    private static $process = null;
    private static ?string $url = null;

    public static function binary(): string
    {
        $bin = getenv('PAYBRIDGE_SANDBOX_BIN') ?: dirname(__DIR__, 3) . '/target/release/paybridge-sandbox';
        if (!is_executable($bin)) {
            throw new \RuntimeException("$bin missing: run `cargo build --release -p paybridge-sandbox` first");
        }
        return $bin;
    }

    public static function start(): void
    {
        if (self::$process !== null) {
            return;
        }
        $cmd = [self::binary(), 'serve', '--port', '0', '--retry-schedule-ms', '100,200'];
        $spec = [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['file', '/dev/null', 'w']];
        $proc = proc_open($cmd, $spec, $pipes);
        if (!is_resource($proc)) {
            throw new \RuntimeException('cannot start paybridge-sandbox');
        }
        $read = [$pipes[1]];
        $w = $e = null;
        $line = '';
        if (stream_select($read, $w, $e, 10) > 0) {
            $line = (string) fgets($pipes[1]);
        }
        if (!preg_match('~^listening on (http://127\.0\.0\.1:\d+)\s*$~', $line, $m)) {
            proc_terminate($proc);
            throw new \RuntimeException("paybridge-sandbox did not announce its port (got '" . trim($line) . "')");
        }
        self::$process = $proc;
        self::$url = $m[1];
    }

    public static function stop(): void
    {
        if (self::$process !== null) {
            proc_terminate(self::$process, 15);
            proc_close(self::$process);
            self::$process = null;
        }
    }

    public static function url(): string
    {
        if (self::$url === null) {
            throw new \LogicException('sandbox not started (bootstrap.php)');
        }
        return self::$url;
    }

    public static function neropayBase(): string
    {
        return self::url() . '/neropay/v2';
    }

    /** Calls a control endpoint; returns [status, decoded JSON]. */
    public static function control(string $method, string $path, ?array $body = null): array
    {
        $opts = ['method' => $method, 'ignore_errors' => true, 'timeout' => 10];
        if ($method !== 'GET') {
            $opts['header'] = "Content-Type: application/json\r\n";
            $opts['content'] = json_encode($body ?? new \stdClass());
        }
        $text = file_get_contents(self::url() . '/_control' . $path, false, stream_context_create(['http' => $opts]));
        $status = 0;
        foreach ($http_response_header ?? [] as $h) {
            if (preg_match('~^HTTP/\S+ (\d{3})~', $h, $m)) {
                $status = (int) $m[1];
            }
        }
        return [$status, json_decode((string) $text, true)];
    }

    public static function reset(): void
    {
        [$status] = self::control('POST', '/reset');
        if ($status !== 200) {
            throw new \RuntimeException("sandbox reset answered $status");
        }
    }

    public static function faults(array $faults): void
    {
        [$status] = self::control('POST', '/faults', $faults);
        if ($status !== 200) {
            throw new \RuntimeException("sandbox faults answered $status");
        }
    }

    /** @return list<array<string, mixed>> */
    public static function requests(): array
    {
        return self::control('GET', '/requests')[1];
    }

    /** Pays a NeroPay link through the control endpoint, without delivering an IPN. */
    public static function pay(string $linkId): array
    {
        [$status, $state] = self::control('POST', "/neropay/payments/$linkId/pay", ['deliver' => false]);
        if ($status !== 200) {
            throw new \RuntimeException("sandbox pay answered $status");
        }
        return $state;
    }
}
