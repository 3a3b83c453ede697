<?php

require_once __DIR__ . '/ProviderScenarios.php';

/** The shared recording scenarios for NeroPay (providers.md §N1–§N5): per-payment ipn_url, unsigned IPNs. */
final class NeropayScenariosTest extends ProviderScenarios
{
    protected function provider(): string
    {
        return 'neropay';
    }

    protected function currency(): string
    {
        return 'EUR';
    }

    protected function otherCurrency(): string
    {
        return 'GBP'; // the sandbox's NeroPay takes GBP, EUR, USD only (§N3)
    }

    protected function paidEventType(): string
    {
        return 'transaction.succeeded';
    }

    protected function signsWebhooks(): bool
    {
        return false;
    }

    protected function withTamperedAmount(array $body): array
    {
        $body['transaction']['amount'] = '1.00';

        return $body;
    }
}
