<?php

require_once __DIR__ . '/ProviderScenarios.php';
require_once __DIR__ . '/MinorUnitCurrencyScenarios.php';

/** The shared recording scenarios for Payrexx (providers.md §P1–§P4), plus its mode and form webhooks. */
final class PayrexxScenariosTest extends ProviderScenarios
{
    use MinorUnitCurrencyScenarios;

    protected function provider(): string
    {
        return 'payrexx';
    }

    protected function currency(): string
    {
        return 'CHF';
    }

    protected function paidEventType(): string
    {
        return 'confirmed';
    }

    protected function signsWebhooks(): bool
    {
        return false;
    }

    protected function withTamperedAmount(array $body): array
    {
        $body['transaction']['amount'] = 100;
        $body['transaction']['invoice']['originalAmount'] = 100;

        return $body;
    }

    public function testFormEncodedWebhookOnTheGlobalUrlRecordsOnePayment(): void
    {
        [$invoice, $payment] = $this->paidWithoutDelivery('81.00');
        [$body, $headers] = $this->sandboxWebhook($payment, 'confirmed', 'form');
        $this->assertStringContainsString('transaction%5Binvoice%5D%5BpaymentRequestId%5D=', $body);

        [$status, $json] = $this->deliver($payment, $body, $headers);

        $this->assertSame([200, 'recorded'], [$status, $json['result'] ?? null], json_encode($json));
        $this->assertOnePaymentRecorded($invoice, $payment, '81.00');
    }

    /**
     * Issue 9 item 2 (contract 1, 5): a transaction made through a test payment provider on a live
     * instance (`mode` TEST in Transaction/{id}) is never money for the shop. The re-check, the return URL
     * and the webhook all refuse it with other_mode, staff see it, nothing is recorded.
     */
    public function testTestModePaymentOnALiveGatewayIsNeverRecordedByRecheckReturnUrlOrWebhook(): void
    {
        $before = trim(Stack::cli('get-option', 'paymentmethod_payrexx_test_mode_enabled'));
        Stack::cli('configure-gateway', 'payrexx', 'test_mode_enabled=0');
        try {
            $invoice = $this->createInvoice('CHF', '82.00');
            ['payment' => $payment] = $this->startCheckout($invoice);
            $this->control($payment['provider_payment_id'], 'pay', ['mode' => 'TEST', 'deliver' => false]);
            [$body, $headers] = $this->sandboxWebhook($payment);
            $this->assertSame('TEST', json_decode($body, true)['transaction']['mode'] ?? null);

            $this->recheckAsStaff($payment);
            [$returnStatus] = $this->visitReturnUrl($payment);
            [$status, $json] = $this->deliver($payment, $body, $headers);
        } finally {
            Stack::cli('configure-gateway', 'payrexx', 'test_mode_enabled=' . ($before === '' ? '0' : $before));
        }

        $this->assertContains($returnStatus, [302, 303]);
        $this->assertSame([200, 'rejected', 'other_mode'], [$status, $json['result'] ?? null, $json['reason'] ?? null], json_encode($json));
        $this->assertCount(0, $this->paymentRecords($invoice['id']));
        $this->assertSame(1, $this->invoiceStatus($invoice['id']));
        $events = $this->events((int) $payment['id']);
        $this->assertSame(['recheck', 'return', 'webhook'], array_column($events, 'source'));
        $this->assertSame(['other_mode'], array_values(array_unique(array_column($events, 'reason_code'))));
        $this->assertSame(['rejected', 'other_mode'], [$this->attemptNow($payment)['status'], $this->attemptNow($payment)['error_code']]);
        [, , $html] = $this->adminBrowser()->get($this->perfexUrl('admin/paybridge'));
        $this->assertMatchesRegularExpression('/data-attention-payment-id="' . $payment['id'] . '".*?other_mode/s', $html);
    }

    public function testWebhookForAPaymentThisShopDidNotCreateAnswers404(): void
    {
        [, $payment] = $this->paidWithoutDelivery('83.00');
        [$body, $headers] = $this->sandboxWebhook($payment);
        $body = str_replace('"paymentRequestId":' . $payment['provider_payment_id'], '"paymentRequestId":1', $body);

        [$status, $json] = $this->deliver($payment, $body, $headers);

        $this->assertSame([404, ['error' => 'unknown_payment']], [$status, $json]);
    }

    public function testSubscriptionWebhookOnTheGlobalUrlIsAcknowledgedAndIgnored(): void
    {
        [$status, , $raw] = (new Browser())->postJson($this->perfexUrl('paybridge/webhook/payrexx'), '{"subscription":{"id":7,"status":"active"}}');

        $this->assertSame([200, ['result' => 'ignored', 'reason' => 'unknown_status']], [$status, json_decode($raw, true)]);
    }

    public function testWithAWebhookSigningKeyAnUnsignedWebhookIsRejected(): void
    {
        [$invoice, $payment] = $this->paidWithoutDelivery('84.00');
        [$body, $headers] = $this->sandboxWebhook($payment);
        Stack::cli('configure-gateway', 'payrexx', 'webhook_secret=pxwh_module_key');
        try {
            [$unsigned, $unsignedJson] = $this->deliver($payment, $body, $headers);
            // §P4 [3rd]: X-Webhook-Signature = hex HMAC-SHA256(key, raw body), computed here like openssl would.
            [$signed, $signedJson] = $this->deliver($payment, $body, array_merge($headers, ['X-Webhook-Signature: ' . hash_hmac('sha256', $body, 'pxwh_module_key')]));
        } finally {
            Stack::cli('configure-gateway', 'payrexx', 'webhook_secret=');
        }

        $this->assertSame([401, 'missing_header'], [$unsigned, $unsignedJson['error'] ?? null], json_encode($unsignedJson));
        $this->assertSame([200, 'recorded'], [$signed, $signedJson['result'] ?? null], json_encode($signedJson));
        $this->assertOnePaymentRecorded($invoice, $payment, '84.00');
    }
}
