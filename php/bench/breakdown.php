<?php
/**
 * Where the time of a rejected 1 KiB webhook goes (BENCHMARKS.md §2): parseWebhook stopped at
 * successive steps of verification, next to what plain PHP pays for the same steps. Each row is
 * the fastest of 5 rounds of N calls.
 *
 *   php -d extension=$PWD/target/release/libpaybridge.so php/bench/breakdown.php [N=100000]
 */
declare(strict_types=1);

if (!extension_loaded('paybridge')) {
    fwrite(STDERR, "load the extension: php -d extension=\$PWD/target/release/libpaybridge.so php/bench/breakdown.php\n");
    exit(1);
}

const SECRET = 'whsec_bench_secret';
const NOW = 1776825615;
$n = max(1000, (int) ($argv[1] ?? 100000));
$g = new PayBridge\Gateway('neropay', ['secret_key' => 'sk_bench', 'webhook_secret' => SECRET, 'fixed_now' => NOW]);
$ts = (string) NOW;
$tiny = '{}';
$kib = str_repeat('x', 1024);
$forged = ['X-NeroPay-Timestamp' => $ts, 'X-NeroPay-Signature' => str_repeat('ab', 32)];

function reject(PayBridge\Gateway $g, string $body, array $headers, string $code): callable
{
    return function () use ($g, $body, $headers, $code): void {
        try {
            $g->parseWebhook($body, $headers);
        } catch (PayBridge\Exception\SignatureException $e) {
            return;
        }
        throw new RuntimeException("expected $code");
    };
}

$cases = [
    'ext: throws missing_header (no headers, no MAC)' => reject($g, $tiny, [], 'missing_header'),
    'ext: throws malformed_signature (2 headers, no MAC)' => reject($g, $tiny, ['X-NeroPay-Timestamp' => $ts, 'X-NeroPay-Signature' => 'zz'], 'malformed_signature'),
    'ext: throws signature_mismatch, 2-byte body' => reject($g, $tiny, $forged, 'signature_mismatch'),
    'ext: throws signature_mismatch, 1 KiB body' => reject($g, $kib, $forged, 'signature_mismatch'),
    'PHP: throw new RuntimeException + catch' => function (): void {
        try {
            throw new RuntimeException('signature does not match');
        } catch (RuntimeException $e) {
        }
    },
    'PHP: hash_hmac + hash_equals, 2-byte body' => fn () => hash_equals(hash_hmac('sha256', "$ts.$tiny", SECRET), $forged['X-NeroPay-Signature']),
    'PHP: hash_hmac + hash_equals, 1 KiB body' => fn () => hash_equals(hash_hmac('sha256', "$ts.$kib", SECRET), $forged['X-NeroPay-Signature']),
];

$load0 = sys_getloadavg()[0];
$best = array_fill_keys(array_keys($cases), INF);
for ($r = 0; $r < 5; $r++) {
    foreach ($cases as $name => $fn) {
        for ($i = 0; $i < 100; $i++) {
            $fn();
        }
        $t = hrtime(true);
        for ($i = 0; $i < $n; $i++) {
            $fn();
        }
        $best[$name] = min($best[$name], (hrtime(true) - $t) / 1e3 / $n);
    }
}
printf("PHP %s, paybridge %s, N=%d, fastest of 5 rounds; load %.2f → %.2f\n\n", PHP_VERSION, PayBridge\version(), $n, $load0, sys_getloadavg()[0]);
foreach ($best as $name => $us) {
    printf("%-52s %6.2f µs\n", $name, $us);
}
