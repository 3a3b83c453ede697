<?php
/**
 * Webhook verification: the extension's parseWebhook against plain PHP (hash_hmac + hash_equals,
 * + json_decode where parsing is included), NeroPay §N5 signing: hex HMAC-SHA256(secret, "ts.body").
 *
 *   php -d extension=$PWD/target/release/libpaybridge.so php/bench/verify.php [seconds-per-case]
 *
 * What each row measures (both sides take the body as a PHP string and the same two headers):
 *  - "verify+parse (valid)": ext = parseWebhook on a correctly signed body (header lookup, MAC,
 *    timestamp check, JSON parse, normalisation, and building the PHP result array incl. `raw`);
 *    PHP = hash_hmac + hash_equals + abs(now - ts) check + json_decode(assoc).
 *  - "verify only (forged)": a well-formed but wrong signature, so no parsing happens: ext =
 *    parseWebhook up to the MAC mismatch, including creating and catching the SignatureException;
 *    PHP = hash_hmac + hash_equals returning false. This is the cost of rejecting a forgery and the
 *    closest the public API gets to "verify only".
 *
 * The machine is shared, so each case runs in ROUNDS short rounds that alternate the two sides
 * (ext, PHP, PHP, ext, …; each side gets seconds/ROUNDS per round) and the fastest round of each
 * side is reported, with the slowest in brackets. Measuring one side for a whole second and then
 * the other let a change of load in between decide the ratio.
 *
 *   php … php/bench/verify.php [seconds-per-case=1] [rounds=5] [sizes in bytes=1024,1048576]
 */
declare(strict_types=1);

if (!extension_loaded('paybridge')) {
    fwrite(STDERR, "load the extension: php -d extension=\$PWD/target/release/libpaybridge.so php/bench/verify.php\n");
    exit(1);
}

const SECRET = 'whsec_bench_secret';
const NOW = 1776825615;
$budget = (float) ($argv[1] ?? 1.0); // seconds per case and side (bounded; iteration caps below)
$rounds = max(1, (int) ($argv[2] ?? 5));
$load0 = sys_getloadavg();

function ipn_body(int $size): string
{
    $head = '{"id":"evt_f97d6e1c2b3a4d5e6f708192","type":"transaction.succeeded","created_at":"2026-04-22T03:40:15+01:00",'
        . '"account_id":"NPEE4E742AB2_6165","transaction":{"id":6636598,"trx":"NP-ORDER1001","status":"succeeded",'
        . '"amount":"15.99","currency":"GBP"},"pad":"';
    $body = $head . str_repeat('x', $size - strlen($head) - 2) . '"}';
    assert(strlen($body) === $size);
    return $body;
}

/** Runs $fn repeatedly for about $budget seconds (at most $cap times); returns seconds per call. */
function measure(callable $fn, float $budget, int $cap): array
{
    for ($i = 0; $i < 3; $i++) {
        $fn(); // warm-up
    }
    $n = 0;
    $start = hrtime(true);
    $deadline = $start + (int) ($budget * 1e9);
    do {
        $fn();
        $n++;
    } while ($n < $cap && hrtime(true) < $deadline);
    return [(hrtime(true) - $start) / 1e9 / $n, $n];
}

$gateway = new PayBridge\Gateway('neropay', ['secret_key' => 'sk_bench', 'webhook_secret' => SECRET, 'fixed_now' => NOW]);

$rows = [];
$sizes = [];
foreach (explode(',', $argv[3] ?? '1024,1048576') as $bytes) {
    $bytes = (int) $bytes;
    $sizes[match (true) {
        $bytes >= 1048576 && $bytes % 1048576 === 0 => ($bytes >> 20) . ' MiB',
        $bytes >= 1024 && $bytes % 1024 === 0 => ($bytes >> 10) . ' KiB',
        default => "$bytes B",
    }] = max(512, $bytes);
}
foreach ($sizes as $label => $size) {
    $body = ipn_body($size);
    $ts = (string) NOW;
    $good = ['X-NeroPay-Timestamp' => $ts, 'X-NeroPay-Signature' => hash_hmac('sha256', "$ts.$body", SECRET)];
    $forged = ['X-NeroPay-Timestamp' => $ts, 'X-NeroPay-Signature' => str_repeat('ab', 32)];
    $cap = $size > 4096 ? 2000 : 200000;

    // Sanity: both sides agree on what is valid.
    $e = $gateway->parseWebhook($body, $good);
    if ($e['verified'] !== 'signature' || $e['status'] !== 'paid') {
        throw new RuntimeException('extension did not verify the benchmark body');
    }

    $php_full = function () use ($body, $good): array {
        $ts = $good['X-NeroPay-Timestamp'];
        $expected = hash_hmac('sha256', $ts . '.' . $body, SECRET);
        if (!hash_equals($expected, strtolower($good['X-NeroPay-Signature'])) || abs(NOW - (int) $ts) > 300) {
            throw new RuntimeException('bad signature');
        }
        return json_decode($body, true, 512, JSON_THROW_ON_ERROR);
    };
    $php_verify = function () use ($body, $forged): bool {
        $ts = $forged['X-NeroPay-Timestamp'];
        return hash_equals(hash_hmac('sha256', $ts . '.' . $body, SECRET), strtolower($forged['X-NeroPay-Signature']));
    };
    $ext_full = fn () => $gateway->parseWebhook($body, $good);
    $ext_verify = function () use ($gateway, $body, $forged): void {
        try {
            $gateway->parseWebhook($body, $forged);
        } catch (PayBridge\Exception\SignatureException $e) {
            return;
        }
        throw new RuntimeException('forged signature accepted');
    };

    foreach ([
        'verify+parse (valid)' => [$ext_full, $php_full],
        'verify only (forged)' => [$ext_verify, $php_verify],
    ] as $what => [$ext, $php]) {
        $te = $tp = [];
        $n_ext = $n_php = 0;
        for ($r = 0; $r < $rounds; $r++) {
            foreach ($r % 2 === 0 ? ['ext', 'php'] : ['php', 'ext'] as $side) {
                [$t, $n] = measure($side === 'ext' ? $ext : $php, $budget / $rounds, max(1, intdiv($cap, $rounds)));
                if ($side === 'ext') {
                    $te[] = $t;
                    $n_ext += $n;
                } else {
                    $tp[] = $t;
                    $n_php += $n;
                }
            }
        }
        $rows[] = [$label, $what, min($te), $n_ext, min($tp), $n_php, $size, max($te), max($tp)];
    }
}

printf("PHP %s, paybridge %s, %.1f s per case and side in %d alternating rounds; load %.2f → %.2f\n\n",
    PHP_VERSION, PayBridge\version(), $budget, $rounds, $load0[0], sys_getloadavg()[0]);
printf("%-6s | %-21s | %21s | %10s | %21s | %10s | %8s\n", 'body', 'case', 'ext µs/op (slowest)', 'ext MiB/s', 'PHP µs/op (slowest)', 'PHP MiB/s', 'ext/PHP');
echo str_repeat('-', 118), "\n";
foreach ($rows as [$label, $what, $te, $ne, $tp, $np, $size, $te_max, $tp_max]) {
    printf("%-6s | %-21s | %10.2f (%8.2f) | %10.1f | %10.2f (%8.2f) | %10.1f | %7.2fx\n",
        $label, $what, $te * 1e6, $te_max * 1e6, $size / $te / 1048576, $tp * 1e6, $tp_max * 1e6, $size / $tp / 1048576, $tp / $te);
}
echo "\nFastest round of each side; ext/PHP > 1 means the extension is faster (PHP time / extension time).\nIterations (ext/PHP): ",
    implode(', ', array_map(fn ($r) => "{$r[0]} {$r[1]}: {$r[3]}/{$r[5]}", $rows)), "\n";
