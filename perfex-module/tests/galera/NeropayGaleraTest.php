<?php

require_once __DIR__ . '/GaleraScenarios.php';

/** Issue 15 scenarios for NeroPay: per-payment webhook URLs, signed with a webhook secret (providers.md §N5 [ours]). */
final class NeropayGaleraTest extends GaleraScenarios
{
    protected function provider(): string
    {
        return 'neropay';
    }

    protected function currency(): string
    {
        return 'EUR';
    }

    protected function paidEventType(): string
    {
        return 'transaction.succeeded';
    }

    protected function signed(string $body): array
    {
        $ts = (string) time();

        return ['X-NeroPay-Timestamp: ' . $ts, 'X-NeroPay-Signature: ' . hash_hmac('sha256', $ts . '.' . $body, $this->secret())];
    }
}
