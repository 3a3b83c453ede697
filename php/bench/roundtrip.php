<?php
/**
 * Create-payment round trips against a local paybridge-sandbox (started here on port 0, killed at
 * the end): the extension's createPayment (one Gateway, its shared keep-alive client) against
 * PHP curl with a NEW curl handle per call that signs the request itself (§N1: hex HMAC-SHA256 of
 * "ts.body" with the secret key, Bearer auth, fresh 32-hex Idempotency-Key) — the seed
 * integration's way. A third row, curl with one reused handle, shows what keep-alive alone buys.
 * Calls are interleaved (ext, curl-new, curl-reused, ext, …) so drift hits all rows alike.
 *
 *   php -d extension=$PWD/target/release/libpaybridge.so php/bench/roundtrip.php [N=300]
 */
declare(strict_types=1);

if (!extension_loaded('paybridge') || !extension_loaded('curl')) {
    fwrite(STDERR, "needs the paybridge and curl extensions: php -d extension=\$PWD/target/release/libpaybridge.so php/bench/roundtrip.php\n");
    exit(1);
}

const SECRET_KEY = 'sk_test_neropay';
$n = max(10, min(5000, (int) ($argv[1] ?? 300)));

$bin = getenv('PAYBRIDGE_SANDBOX_BIN') ?: dirname(__DIR__, 2) . '/target/release/paybridge-sandbox';
if (!is_executable($bin)) {
    fwrite(STDERR, "$bin missing: cargo build --release -p paybridge-sandbox\n");
    exit(1);
}
$proc = proc_open([$bin, 'serve', '--port', '0'], [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['file', '/dev/null', 'w']], $pipes);
$line = (string) fgets($pipes[1]);
if (!preg_match('~^listening on (\S+)~', $line, $m)) {
    proc_terminate($proc);
    fwrite(STDERR, "sandbox did not start: $line\n");
    exit(1);
}
$url = $m[1];
register_shutdown_function(function () use ($proc) {
    proc_terminate($proc, 15);
    proc_close($proc);
});
$base = "$url/neropay/v2";

$request = fn (int $i) => [
    'amount' => '12.50', 'currency' => 'EUR', 'reference' => "PERFEX_CRM-$i", 'description' => "Invoice INV-$i",
    'success_url' => 'https://crm.example/ok', 'cancel_url' => 'https://crm.example/cancel', 'notify_url' => 'https://crm.example/ipn',
];

$gateway = new PayBridge\Gateway('neropay', ['secret_key' => SECRET_KEY, 'base_url' => $base]);
$ext = function (int $i) use ($gateway, $request): string {
    return $gateway->createPayment($request($i))['checkout_url'];
};

/** §N1/§N3 by hand, as the seed integration does it. */
$signedPost = function ($ch, int $i) use ($base, $request): string {
    $r = $request($i);
    // §N3: amount is a JSON number with two decimals, never produced by a float.
    $body = json_encode([
        'identifier' => $r['reference'], 'amount' => 0, 'currency' => $r['currency'], 'details' => $r['description'],
        'success_url' => $r['success_url'], 'cancel_url' => $r['cancel_url'], 'ipn_url' => $r['notify_url'],
    ], JSON_UNESCAPED_SLASHES);
    $body = str_replace('"amount":0', '"amount":' . $r['amount'], $body);
    $ts = (string) time();
    curl_setopt_array($ch, [
        CURLOPT_URL => "$base/payment-links",
        CURLOPT_POST => true,
        CURLOPT_POSTFIELDS => $body,
        CURLOPT_RETURNTRANSFER => true,
        CURLOPT_CONNECTTIMEOUT_MS => 5000,
        CURLOPT_TIMEOUT_MS => 20000,
        CURLOPT_HTTPHEADER => [
            'Authorization: Bearer ' . SECRET_KEY,
            'Accept: application/json',
            'Content-Type: application/json',
            "X-NeroPay-Timestamp: $ts",
            'X-NeroPay-Signature: ' . hash_hmac('sha256', "$ts.$body", SECRET_KEY),
            'Idempotency-Key: ' . bin2hex(random_bytes(16)),
            'Expect:',
        ],
    ]);
    $resp = curl_exec($ch);
    $status = curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
    $data = json_decode((string) $resp, true);
    if ($status !== 201 || !($data['success'] ?? false)) {
        throw new RuntimeException("curl create failed: HTTP $status $resp");
    }
    return $data['data']['checkout_url'] ?? $data['data']['payment_link'];
};
$curlNew = function (int $i) use ($signedPost): string {
    $ch = curl_init();
    try {
        return $signedPost($ch, $i);
    } finally {
        curl_close($ch);
    }
};
$shared = curl_init();
$curlReused = fn (int $i) => $signedPost($shared, $i);

$cases = ['ext createPayment (reused client)' => $ext, 'PHP curl, new handle per call' => $curlNew, 'PHP curl, one reused handle' => $curlReused];
$times = array_fill_keys(array_keys($cases), []);
$i = 0;
foreach ($cases as $fn) {
    for ($w = 0; $w < 10; $w++) {
        $fn(++$i); // warm-up: first call builds the client / resolves / connects
    }
}
for ($k = 0; $k < $n; $k++) {
    foreach ($cases as $name => $fn) {
        $t = hrtime(true);
        $fn(++$i);
        $times[$name][] = (hrtime(true) - $t) / 1e3;
    }
}

function pct(array $sorted, float $p): float
{
    return $sorted[min(count($sorted) - 1, (int) ceil($p / 100 * count($sorted)) - 1)];
}

printf("PHP %s, paybridge %s, sandbox %s, N=%d per row (after 10 warm-up calls each)\n\n", PHP_VERSION, PayBridge\version(), $url, $n);
printf("%-34s | %9s | %9s | %9s | %9s\n", 'create-payment round trip', 'mean µs', 'p50 µs', 'p99 µs', 'max µs');
echo str_repeat('-', 82), "\n";
$means = [];
foreach ($times as $name => $t) {
    sort($t);
    $means[$name] = array_sum($t) / count($t);
    printf("%-34s | %9.1f | %9.1f | %9.1f | %9.1f\n", $name, $means[$name], pct($t, 50), pct($t, 99), end($t));
}
printf("\next vs curl-per-call: %.2fx faster (mean); ext vs curl reused handle: %.2fx\n",
    $means['PHP curl, new handle per call'] / $means['ext createPayment (reused client)'],
    $means['PHP curl, one reused handle'] / $means['ext createPayment (reused client)']);
