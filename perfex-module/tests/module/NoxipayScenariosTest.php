<?php

require_once __DIR__ . '/ProviderScenarios.php';
require_once __DIR__ . '/MinorUnitCurrencyScenarios.php';

/** The shared recording scenarios for Noxipay (providers.md §X1, §X2): signed webhooks on one global URL. */
final class NoxipayScenariosTest extends ProviderScenarios
{
    use MinorUnitCurrencyScenarios;

    protected function provider(): string
    {
        return 'noxipay';
    }

    protected function currency(): string
    {
        return 'EUR';
    }

    protected function paidEventType(): string
    {
        return 'payment.completed';
    }

    protected function signsWebhooks(): bool
    {
        return true;
    }

    protected function withTamperedAmount(array $body): array
    {
        $body['data']['amount'] = 100;

        return $body;
    }

    /** §X1: X-Noxipay-Signature: sha256=<hex HMAC-SHA256(webhook secret, raw body)>. */
    protected function signedWith(string $body, string $secret): array
    {
        return ['Content-Type: application/json', 'X-Noxipay-Signature: sha256=' . hash_hmac('sha256', $body, $secret)];
    }

    public function testUnsignedWebhookIsRejectedWith401(): void
    {
        [$invoice, $payment] = $this->paidWithoutDelivery('85.00');
        [$body] = $this->sandboxWebhook($payment);

        [$status, $json] = $this->deliver($payment, $body, ['Content-Type: application/json']);

        $this->assertSame([401, ['error' => 'missing_header']], [$status, $json]);
        $this->assertCount(0, $this->paymentRecords($invoice['id']));
    }
}
