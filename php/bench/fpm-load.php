<?php
/**
 * Load driver of scripts/bench-fpm: requests the benchmark page N times with C clients in flight
 * (curl_multi; C=1 is sequential), reads the delay proxy's counters before and after, and prints
 * one JSON line: p50/p99 per call (measured inside the page) and per page (measured here),
 * connections and TLS handshakes (full / resumed) the page's side opened, per 300 calls.
 *
 *   php php/bench/fpm-load.php URL N C STATS_FILE
 */
declare(strict_types=1);

[, $url, $n, $c, $statsFile] = $argv + [null, '', '300', '1', ''];
$n = (int) $n;
$c = max(1, (int) $c);

$stats = static fn (): array => json_decode((string) file_get_contents($statsFile), true) ?: [];

function pct(array $v, float $p): float
{
    sort($v);
    return (float) $v[min(count($v) - 1, max(0, (int) ceil($p / 100 * count($v)) - 1))];
}

$before = $stats();
$mh = curl_multi_init();
$pages = $calls = [];
$errors = 0;
$started = 0;
$add = static function () use ($mh, $url, &$started): void {
    $ch = curl_init($url);
    curl_setopt_array($ch, [CURLOPT_RETURNTRANSFER => true, CURLOPT_TIMEOUT => 60, CURLOPT_FORBID_REUSE => false]);
    curl_multi_add_handle($mh, $ch);
    $started++;
};
$t0 = hrtime(true);
while ($started < min($c, $n)) {
    $add();
}
do {
    curl_multi_exec($mh, $running);
    while ($info = curl_multi_info_read($mh)) {
        $ch = $info['handle'];
        $body = json_decode((string) curl_multi_getcontent($ch), true);
        if (curl_getinfo($ch, CURLINFO_RESPONSE_CODE) !== 200 || !isset($body['calls_us'])) {
            $errors++;
        } else {
            $pages[] = curl_getinfo($ch, CURLINFO_TOTAL_TIME_T);
            foreach ($body['calls_us'] as $us) {
                $calls[] = $us;
            }
        }
        curl_multi_remove_handle($mh, $ch);
        curl_close($ch);
        if ($started < $n) {
            $add();
        }
    }
    if ($running) {
        curl_multi_select($mh, 0.05);
    }
} while ($running || $started < $n || count($pages) + $errors < $n);
$wall = (hrtime(true) - $t0) / 1e9;
$after = $stats();
$per300 = static fn (string $k): float => count($calls) ? round((($after[$k] ?? 0) - ($before[$k] ?? 0)) * 300 / count($calls), 1) : 0.0;
echo json_encode([
    'pages' => count($pages), 'errors' => $errors, 'calls' => count($calls), 'wall_s' => round($wall, 2),
    'call_p50_ms' => $calls ? round(pct($calls, 50) / 1000, 2) : null,
    'call_p99_ms' => $calls ? round(pct($calls, 99) / 1000, 2) : null,
    'page_p50_ms' => $pages ? round(pct($pages, 50) / 1000, 2) : null,
    'page_p99_ms' => $pages ? round(pct($pages, 99) / 1000, 2) : null,
    'connections_per_300' => $per300('connections'),
    'handshakes_per_300' => $per300('tls_handshakes'),
    'resumed_per_300' => $per300('tls_resumed'),
]), "\n";
