<?php

require_once __DIR__ . '/bootstrap.php';

/**
 * Issue 14 item 4 through the real php-fpm pool: the module's NeroPay calls go through
 * `paybridge-sandbox delay-proxy` (RTT 0), which counts the TCP connections it accepts. Each php-fpm
 * worker keeps its client (and its keep-alive connection) across requests, so many checkouts cost at
 * most one connection per worker, never one per request.
 */
final class PhpFpmConnectionReuseTest extends ModuleTestCase
{
    /** @var resource|null */
    private $proxy = null;
    private string $stats = '';

    protected function setUp(): void
    {
        parent::setUp();
        $sandbox = parse_url(Stack::env('SANDBOX_URL'));
        $this->stats = sys_get_temp_dir() . '/paybridge-fpm-reuse-' . bin2hex(random_bytes(6)) . '.json';
        $bin = Stack::root() . '/target/release/paybridge-sandbox';
        $this->proxy = proc_open([$bin, 'delay-proxy', '--listen', '127.0.0.1:0', '--to', '127.0.0.1:' . $sandbox['port'],
            '--rtt-ms', '0', '--stats-file', $this->stats], [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['file', '/dev/null', 'w']], $pipes);
        $read = [$pipes[1]];
        $w = $e = null;
        $line = stream_select($read, $w, $e, 10) > 0 ? trim((string) fgets($pipes[1])) : '';
        $this->assertMatchesRegularExpression('~^listening on 127\.0\.0\.1:\d+$~', $line);
        $port = substr($line, strrpos($line, ':') + 1);
        Stack::cli('configure-gateway', 'neropay', 'base_url=' . $sandbox['scheme'] . '://127.0.0.1:' . $port . '/neropay/v2');
    }

    protected function tearDown(): void
    {
        Stack::cli('configure-gateway', 'neropay', 'base_url=' . Stack::env('NEROPAY_BASE_URL'));
        if ($this->proxy !== null) {
            proc_terminate($this->proxy, 15);
            proc_close($this->proxy);
        }
        @unlink($this->stats);
        parent::tearDown();
    }

    private function creates(): int
    {
        [, , $raw] = (new Browser())->get(rtrim(Stack::env('SANDBOX_URL'), '/') . '/_control/requests');

        return count(array_filter(json_decode($raw, true) ?: [], static function ($r) {
            return $r['provider'] === 'neropay' && $r['method'] === 'POST' && substr($r['path'], -14) === '/payment-links';
        }));
    }

    public function testCheckoutsInPhpFpmReuseEachWorkersConnectionAcrossRequests(): void
    {
        $before = $this->creates();
        $n = 16;
        for ($i = 0; $i < $n; $i++) {
            $this->startCheckout($this->createInvoice('EUR', (10 + $i) . '.00'));
        }
        $this->assertGreaterThanOrEqual($n, $this->creates() - $before, 'every checkout created a payment link through the proxy');
        $stats = json_decode((string) file_get_contents($this->stats), true);
        $this->assertGreaterThanOrEqual(1, $stats['connections'], 'the module called the API through the proxy');
        // pm.max_children = 8 (scripts/lib/stack-common.sh): at most one connection per worker.
        $this->assertLessThanOrEqual(8, $stats['connections'], "$n checkouts, connections: " . json_encode($stats));
    }
}
