<?php

require_once __DIR__ . '/GaleraScenarios.php';

/** Issue 15 scenarios for Payrexx: one global webhook URL, X-Webhook-Signature with a signing key (providers.md §P4). */
final class PayrexxGaleraTest extends GaleraScenarios
{
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

    protected function signed(string $body): array
    {
        return ['X-Webhook-Signature: ' . hash_hmac('sha256', $body, $this->secret())];
    }
}
