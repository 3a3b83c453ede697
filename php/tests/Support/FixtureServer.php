<?php
declare(strict_types=1);

namespace PayBridge\Tests\Support;

/**
 * A throwaway loopback HTTP server (`php -S` + a router) that answers every request with one
 * fixed status and body and records what it received. Used for the create_response vectors and
 * for answers the sandbox never gives (a 2xx that is not a NeroPay envelope).
 */
final class FixtureServer
{
    /** @var resource */
    private $process;
    private string $dir;
    public readonly string $url;

    /** @param array<string, string> $headers extra response headers (e.g. a redirect's Location) */
    public function __construct(int $status, string $body, array $headers = [])
    {
        $this->dir = sys_get_temp_dir() . '/paybridge-fixture-' . bin2hex(random_bytes(6));
        mkdir($this->dir);
        file_put_contents($this->dir . '/fixture.json', json_encode(['status' => $status, 'body' => $body, 'headers' => $headers]));
        file_put_contents($this->dir . '/router.php', <<<'PHP'
<?php
$dir = __DIR__;
$f = json_decode(file_get_contents("$dir/fixture.json"), true);
file_put_contents("$dir/requests.jsonl", json_encode([
    'method' => $_SERVER['REQUEST_METHOD'],
    'uri' => $_SERVER['REQUEST_URI'],
    'headers' => getallheaders(),
    'body' => file_get_contents('php://input'),
]) . "\n", FILE_APPEND);
http_response_code($f['status']);
header('Content-Type: application/json');
foreach ($f['headers'] ?? [] as $name => $value) {
    header("$name: $value");
}
echo $f['body'];
PHP);
        $port = FreePort::pick();
        $cmd = [PHP_BINARY, '-n', '-S', "127.0.0.1:$port", $this->dir . '/router.php'];
        $spec = [0 => ['file', '/dev/null', 'r'], 1 => ['file', '/dev/null', 'w'], 2 => ['file', '/dev/null', 'w']];
        $proc = proc_open($cmd, $spec, $pipes);
        if (!is_resource($proc)) {
            throw new \RuntimeException('cannot start php -S');
        }
        $this->process = $proc;
        $this->url = "http://127.0.0.1:$port";
        FreePort::waitListening($port);
    }

    /** @return list<array{method: string, uri: string, headers: array<string, string>, body: string}> */
    public function requests(): array
    {
        $file = $this->dir . '/requests.jsonl';
        if (!is_file($file)) {
            return [];
        }
        return array_map(fn ($l) => json_decode($l, true), array_filter(explode("\n", file_get_contents($file))));
    }

    public function __destruct()
    {
        proc_terminate($this->process, 15);
        proc_close($this->process);
        foreach (glob($this->dir . '/*') as $f) {
            unlink($f);
        }
        rmdir($this->dir);
    }
}
