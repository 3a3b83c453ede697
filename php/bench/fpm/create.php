<?php
/**
 * The php-fpm page of scripts/bench-fpm (BENCHMARKS.md §1): creates `calls` NeroPay payments
 * (default 1) per request through one of three sides and answers JSON with each call's time in µs
 * and the worker's pid. Query `port`: the delay proxy in front of the TLS sandbox. Env (from the fpm
 * pool): BENCH_CA (the sandbox's CA PEM), BENCH_KEY (secret key).
 *   side=ext        PayBridge\Gateway::createPayment (its per-worker client and pool)
 *   side=curl_call  PHP curl, a new handle per call (the seed integration's way)
 *   side=curl_req   PHP curl, one handle for the calls of this request, nothing kept across requests
 */
declare(strict_types=1);

$base  = 'https://127.0.0.1:' . (int) ($_GET['port'] ?? 0) . '/neropay/v2';
$ca    = (string) getenv('BENCH_CA');
$key   = (string) getenv('BENCH_KEY');
$side  = (string) ($_GET['side'] ?? 'ext');
$calls = max(1, min(10, (int) ($_GET['calls'] ?? 1)));

$request = static fn (int $i): array => [
    'amount' => '12.50', 'currency' => 'EUR', 'reference' => 'BENCH-' . getmypid() . "-$i",
    'description' => 'Invoice INV-1', 'success_url' => 'https://crm.example/ok',
    'cancel_url' => 'https://crm.example/cancel', 'notify_url' => 'https://crm.example/ipn',
];

/** §N1/§N3 signed by hand, as roundtrip.php does; returns the checkout URL. */
$signedPost = static function ($ch, array $r) use ($base, $ca, $key): string {
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
        CURLOPT_CAINFO => $ca,
        CURLOPT_CONNECTTIMEOUT_MS => 5000,
        CURLOPT_TIMEOUT_MS => 20000,
        CURLOPT_HTTPHEADER => [
            'Authorization: Bearer ' . $key, 'Accept: application/json', 'Content-Type: application/json',
            "X-NeroPay-Timestamp: $ts", 'X-NeroPay-Signature: ' . hash_hmac('sha256', "$ts.$body", $key),
            'Idempotency-Key: ' . bin2hex(random_bytes(16)), 'Expect:',
        ],
    ]);
    $resp = curl_exec($ch);
    $data = json_decode((string) $resp, true);
    if (curl_getinfo($ch, CURLINFO_RESPONSE_CODE) !== 201 || !($data['success'] ?? false)) {
        throw new RuntimeException('curl create failed: ' . curl_error($ch));
    }
    return (string) ($data['data']['checkout_url'] ?? $data['data']['payment_link'] ?? '');
};

$times = [];
try {
    $handle = $side === 'curl_req' ? curl_init() : null;
    for ($i = 0; $i < $calls; $i++) {
        $t = hrtime(true);
        if ($side === 'ext') {
            $g = new PayBridge\Gateway('neropay', ['secret_key' => $key, 'base_url' => $base, 'ca_file' => $ca]);
            $g->createPayment($request($i));
        } elseif ($side === 'curl_call') {
            $ch = curl_init();
            $signedPost($ch, $request($i));
            curl_close($ch);
        } else {
            $signedPost($handle, $request($i));
        }
        $times[] = (int) ((hrtime(true) - $t) / 1000);
    }
} catch (Throwable $e) {
    http_response_code(502);
    echo json_encode(['error' => get_class($e)]);
    exit;
}
header('Content-Type: application/json');
echo json_encode(['pid' => getmypid(), 'calls_us' => $times]);
