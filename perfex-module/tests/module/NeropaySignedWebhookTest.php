<?php

require_once __DIR__ . '/bootstrap.php';

/**
 * With a NeroPay webhook secret configured (providers.md §N5 [ours]), an IPN must carry a valid
 * X-NeroPay-Timestamp / X-NeroPay-Signature; a bad one is rejected (401) before any API call.
 */
final class NeropaySignedWebhookTest extends ModuleTestCase
{
    /** Two secrets, as during a rotation: a webhook verifies against either. */
    private const SECRETS = ['whsec_paybridge_old_1', 'whsec_paybridge_new_2'];

    protected function setUp(): void
    {
        Stack::cli('configure-gateway', 'neropay', 'webhook_secret=' . implode(',', self::SECRETS));
    }

    private function signed(string $body, string $secret): array
    {
        $ts = (string) time();

        return ['X-NeroPay-Timestamp: ' . $ts, 'X-NeroPay-Signature: ' . hash_hmac('sha256', $ts . '.' . $body, $secret)];
    }

    protected function tearDown(): void
    {
        Stack::cli('configure-gateway', 'neropay', 'webhook_secret=');
    }

    public function testUnsignedWebhookIsRejectedWith401AndShownAsLastFailure(): void
    {
        $invoice = $this->createInvoice('EUR', '42.00');
        ['payment' => $payment] = $this->startCheckout($invoice);
        $this->control($payment['provider_payment_id'], 'pay', ['deliver' => false]);

        [$status, $json] = $this->postWebhook($payment['token'], $this->ipnBody('evt_unsigned_' . $payment['id'], 'transaction.succeeded', $payment));

        $this->assertSame(401, $status);
        $this->assertSame(['error' => 'missing_header'], $json);
        $this->assertSame('missing_header', trim(Stack::cli('get-option', 'paybridge_neropay_webhook_last_failure_reason')));
        $this->assertCount(0, $this->paymentRecords($invoice['id']));
    }

    public function testWrongSignatureIsRejectedWith401(): void
    {
        $invoice = $this->createInvoice('EUR', '43.00');
        ['payment' => $payment] = $this->startCheckout($invoice);
        $this->control($payment['provider_payment_id'], 'pay', ['deliver' => false]);
        $body = $this->ipnBody('evt_badsig_' . $payment['id'], 'transaction.succeeded', $payment);
        $ts = (string) time();

        [$status, $json] = $this->postWebhook($payment['token'], $body, [
            'X-NeroPay-Timestamp: ' . $ts,
            'X-NeroPay-Signature: ' . hash_hmac('sha256', $ts . '.' . $body, 'not-the-secret'),
        ]);

        $this->assertSame([401, 'signature_mismatch'], [$status, $json['error'] ?? null]);
        $this->assertCount(0, $this->paymentRecords($invoice['id']));
    }

    public function testWebhookSignedWithEitherRotatedSecretIsRecordedOnce(): void
    {
        $invoice = $this->createInvoice('EUR', '44.00');
        ['payment' => $payment] = $this->startCheckout($invoice);
        $this->control($payment['provider_payment_id'], 'pay', ['deliver' => false]);
        $body = $this->ipnBody('evt_signed_' . $payment['id'], 'transaction.succeeded', $payment);

        [$status, $json] = $this->postWebhook($payment['token'], $body, $this->signed($body, self::SECRETS[1]));
        $this->assertSame([200, 'recorded'], [$status, $json['result'] ?? null], json_encode($json));
        [$status, $json] = $this->postWebhook($payment['token'], $body, $this->signed($body, self::SECRETS[0]));
        $this->assertSame([200, 'duplicate'], [$status, $json['result'] ?? null], json_encode($json));

        $this->assertOnePaymentRecorded($invoice, $payment, '44.00');
        $this->assertSame('api', $this->events((int) $payment['id'])[0]['verified']);
    }
}
