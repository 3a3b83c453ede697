<?php
// Smoke test of an INSTALLED paybridge extension (scripts/release --verify): runs in a
// clean Debian root with only the PHP CLI and the package, against the sandbox on the host's
// loopback. Creates a NeroPay payment, pays it through the sandbox's control endpoint, then confirms
// the signed IPN (signature checked, then the payment re-read through the authenticated API,
// providers.md §N5) and refuses a tampered copy of it. Exit 0 and one "smoke OK" line, or exit 1.
//   php [-d extension=…] release-smoke.php SANDBOX_URL WEBHOOK_SECRET
declare(strict_types=1);

function fail(string $why): never
{
    fwrite(STDERR, "smoke FAILED: $why\n");
    exit(1);
}

function control(string $base, string $path, array $body): array
{
    $ctx = stream_context_create(['http' => [
        'method' => 'POST', 'ignore_errors' => true, 'timeout' => 10,
        'header' => "Content-Type: application/json\r\n", 'content' => json_encode($body),
    ]]);
    $text = @file_get_contents($base . '/_control' . $path, false, $ctx);
    $data = is_string($text) ? json_decode($text, true) : null;
    is_array($data) || fail("control $path answered no JSON");
    return $data;
}

[, $sandbox, $webhookSecret] = $argv + [null, null, null];
($sandbox && $webhookSecret) || fail('usage: release-smoke.php SANDBOX_URL WEBHOOK_SECRET');
extension_loaded('paybridge') || fail('the paybridge extension is not loaded');

try {
    $gw = new PayBridge\Gateway('neropay', [
        'secret_key' => 'sk_test_neropay',
        'webhook_secret' => $webhookSecret,
        'base_url' => $sandbox . '/neropay/v2',
    ]);
    $payment = $gw->createPayment([
        'amount' => '12.50', 'currency' => 'EUR', 'reference' => 'SMOKE-' . getmypid(),
        'success_url' => 'https://crm.example/ok', 'cancel_url' => 'https://crm.example/cancel',
        'notify_url' => 'https://crm.example/paybridge/webhook/neropay/smoke',
    ]);
    ($payment['status'] ?? null) === 'pending' || fail('new payment is not pending: ' . ($payment['status'] ?? '?'));
    $id = (string) $payment['id'];

    control($sandbox, "/neropay/payments/$id/pay", ['deliver' => false]);
    $ctx = stream_context_create(['http' => ['timeout' => 10, 'ignore_errors' => true]]);
    $hook = json_decode((string) @file_get_contents(
        "$sandbox/_control/neropay/payments/$id/webhook?type=transaction.succeeded", false, $ctx), true);
    is_array($hook) && isset($hook['body'], $hook['headers']) || fail('no webhook from the sandbox');

    $event = $gw->confirmWebhook($hook['body'], $hook['headers'], ['payment_id' => $id]);
    $event['status'] === 'paid' || fail("confirmed webhook status is {$event['status']}, not paid");
    $event['verified'] === 'api' || fail("webhook verified by {$event['verified']}, not the API re-read");
    [$event['amount'], $event['amount_minor'], $event['currency']] === ['12.50', 1250, 'EUR']
        || fail('confirmed amount is not 12.50 EUR');

    try {
        $gw->parseWebhook(str_replace('12.50', '99.50', $hook['body']) . ' ', $hook['headers']);
        fail('a tampered webhook was accepted');
    } catch (PayBridge\Exception\SignatureException $e) {
        $e->getErrorCode() === 'signature_mismatch' || fail('tampered webhook: ' . $e->getErrorCode());
    }
} catch (PayBridge\Exception\PayBridgeException $e) {
    fail(get_class($e) . ' ' . $e->getErrorCode());
}
printf("smoke OK: paybridge %s on PHP %s, NeroPay payment %s created, paid, webhook verified\n",
    phpversion('paybridge'), PHP_VERSION, $id);
