<?php

use PHPUnit\Framework\TestCase;

/**
 * Base of the stand-in tests: real HTTP through nginx (curl, one cookie jar per test), the stand-in CLI,
 * and direct MariaDB reads. The fixture module (tests/fixtures/standin_fixture) is installed once per
 * run through the zip path (`cli.php install-zip`) and deactivated at the end.
 */
abstract class StandinTestCase extends TestCase
{
    private static bool $fixtureInstalled = false;
    private ?string $cookieJar = null;

    public static function env(string $key): string
    {
        $v = getenv($key);
        if ($v === false) {
            throw new RuntimeException("$key is not set: is the stack up (scripts/stack up) and .stack/env present?");
        }
        return $v;
    }

    public static function repo(): string
    {
        return dirname(__DIR__, 3);
    }

    /** Runs `php cli.php ...`; returns decoded JSON (or the raw text). Fails the test on a non-zero exit. */
    public static function cli(string ...$args)
    {
        [$code, $out, $err] = self::cliRaw(...$args);
        if ($code !== 0) {
            throw new RuntimeException('cli.php ' . implode(' ', $args) . " exited $code: $err");
        }
        $json = json_decode($out, true);
        return $json ?? trim($out);
    }

    /** @return array{0:int,1:string,2:string} exit code, stdout, stderr */
    public static function cliRaw(string ...$args): array
    {
        $cmd = array_merge([PHP_BINARY, self::repo() . '/perfex-module/standin/cli.php'], $args);
        $p = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
        $out = stream_get_contents($pipes[1]);
        $err = stream_get_contents($pipes[2]);
        fclose($pipes[1]);
        fclose($pipes[2]);
        return [proc_close($p), (string) $out, (string) $err];
    }

    public static function db(): mysqli
    {
        static $db = null;
        if ($db === null) {
            mysqli_report(MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT);
            $db = new mysqli('localhost', self::env('DB_USER'), self::env('DB_PASSWORD'), self::env('DB_NAME'), 0, self::env('DB_SOCKET'));
            $db->set_charset('utf8mb4');
        }
        return $db;
    }

    public static function option(string $name): ?string
    {
        $st = self::db()->prepare('SELECT value FROM tbloptions WHERE name = ? ORDER BY id LIMIT 1');
        $st->bind_param('s', $name);
        $st->execute();
        $row = $st->get_result()->fetch_row();
        return $row ? $row[0] : null;
    }

    public static function installFixture(): void
    {
        if (self::$fixtureInstalled) {
            return;
        }
        $src = self::repo() . '/perfex-module/tests/fixtures/standin_fixture';
        $zip = sys_get_temp_dir() . '/standin_fixture_' . getmypid() . '.zip';
        self::zipDir($src, 'standin_fixture', $zip);
        self::cli('install-zip', $zip);
        unlink($zip);
        self::$fixtureInstalled = true;
        register_shutdown_function(static function () {
            self::cliRaw('deactivate', 'standin_fixture');
        });
    }

    public static function zipDir(string $src, string $top, string $zipPath, array $extra = []): void
    {
        $zip = new ZipArchive();
        $zip->open($zipPath, ZipArchive::CREATE | ZipArchive::OVERWRITE);
        $it = new RecursiveIteratorIterator(new RecursiveDirectoryIterator($src, FilesystemIterator::SKIP_DOTS));
        foreach ($it as $file) {
            $zip->addFile($file->getPathname(), $top . '/' . substr($file->getPathname(), strlen($src) + 1));
        }
        foreach ($extra as $name => $content) {
            $zip->addFromString($name, $content);
        }
        $zip->close();
    }

    protected function setUp(): void
    {
        $this->cookieJar = tempnam(sys_get_temp_dir(), 'standin-cookies-');
    }

    protected function tearDown(): void
    {
        if ($this->cookieJar !== null && is_file($this->cookieJar)) {
            unlink($this->cookieJar);
        }
    }

    /**
     * @param array<string,string>|string|null $body form fields or a raw body
     * @return array{status:int, body:string, location:?string, headers:array<string,string>}
     */
    protected function http(string $method, string $path, $body = null, array $headers = []): array
    {
        $url = preg_match('#^https?://#', $path) ? $path : rtrim(self::env('PERFEX_URL'), '/') . '/' . ltrim($path, '/');
        $ch = curl_init($url);
        $respHeaders = [];
        curl_setopt_array($ch, [
            CURLOPT_CUSTOMREQUEST => $method,
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_FOLLOWLOCATION => false,
            CURLOPT_COOKIEJAR => $this->cookieJar,
            CURLOPT_COOKIEFILE => $this->cookieJar,
            CURLOPT_TIMEOUT => 20,
            CURLOPT_HTTPHEADER => $headers,
            CURLOPT_HEADERFUNCTION => static function ($ch, $line) use (&$respHeaders) {
                if (strpos($line, ':') !== false) {
                    [$k, $v] = explode(':', $line, 2);
                    $respHeaders[strtolower(trim($k))] = trim($v);
                }
                return strlen($line);
            },
        ]);
        if ($body !== null) {
            curl_setopt($ch, CURLOPT_POSTFIELDS, is_array($body) ? http_build_query($body) : $body);
        }
        $out = curl_exec($ch);
        if ($out === false) {
            throw new RuntimeException("HTTP $method $url failed: " . curl_error($ch));
        }
        $status = (int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
        curl_close($ch);
        return ['status' => $status, 'body' => (string) $out, 'location' => $respHeaders['location'] ?? null, 'headers' => $respHeaders];
    }

    protected function get(string $path): array
    {
        return $this->http('GET', $path);
    }

    protected function post(string $path, $body, array $headers = []): array
    {
        return $this->http('POST', $path, $body, $headers);
    }

    protected function json(array $response)
    {
        $this->assertSame(200, $response['status'], 'HTTP status; body: ' . substr($response['body'], 0, 2000));
        $data = json_decode($response['body'], true);
        $this->assertIsArray($data, 'JSON body expected, got: ' . substr($response['body'], 0, 2000));
        return $data;
    }

    /** The CSRF token from a page this test's session rendered. */
    protected function csrfFrom(string $html): string
    {
        $this->assertMatchesRegularExpression('/name="csrf_token_name" value="([0-9a-f]+)"/', $html);
        preg_match('/name="csrf_token_name" value="([0-9a-f]+)"/', $html, $m);
        return $m[1];
    }

    protected function loginAsAdmin(): void
    {
        $page = $this->get('admin/authentication');
        $r = $this->post('admin/authentication', ['csrf_token_name' => $this->csrfFrom($page['body']),
            'email' => self::env('ADMIN_EMAIL'), 'password' => self::env('ADMIN_PASSWORD')]);
        $this->assertSame(303, $r['status']);
        $this->assertStringNotContainsString('authentication', (string) $r['location']);
    }

    /** @return array{id:int,hash:string,url:string} */
    protected static function newInvoice(string $currency = 'EUR', string $total = '100.00', string $allowed = 'fixture,1'): array
    {
        return self::cli('create-invoice', '--currency', $currency, '--total', $total, '--allowed', $allowed);
    }

    protected static function invoice(int $id): array
    {
        return self::cli('invoice', (string) $id);
    }
}
