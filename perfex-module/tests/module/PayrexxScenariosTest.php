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

    public function testTestModeEventReachingALiveGatewayIsIgnored(): void
    {
        $invoice = $this->createInvoice('CHF', '82.00');
        ['payment' => $payment] = $this->startCheckout($invoice);
        $this->control($payment['provider_payment_id'], 'pay', ['deliver' => false, 'mode' => 'TEST']);
        [$body, $headers] = $this->sandboxWebhook($payment);
        $this->assertSame('TEST', json_decode($body, true)['transaction']['mode']);

        [$status, $json] = $this->deliver($payment, $body, $headers);
        $this->assertSame([200, ['result' => 'ignored', 'reason' => 'other_mode']], [$status, $json]);
        $this->assertCount(0, $this->paymentRecords($invoice['id']));

        Stack::cli('configure-gateway', 'payrexx', 'test_mode_enabled=1');
        try {
            [$status, $json] = $this->deliver($payment, $body, $headers);
        } finally {
            Stack::cli('configure-gateway', 'payrexx', 'test_mode_enabled=0');
        }
        $this->assertSame([200, 'recorded'], [$status, $json['result'] ?? null], 'the same event in test mode is recorded');
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
