<?php

require_once __DIR__ . '/GaleraScenarios.php';

/** Issue 15 scenarios for Noxipay: one global webhook URL, always signed (providers.md §X1). */
final class NoxipayGaleraTest extends GaleraScenarios
{
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

    /** The stack's Noxipay webhook secret stays configured: the module always verifies Noxipay. */
    protected function secretSetting(): string
    {
        return '';
    }

    protected function signed(string $body): array
    {
        return ['X-Noxipay-Signature: sha256=' . hash_hmac('sha256', $body, Stack::env('NOXIPAY_WEBHOOK_SECRET'))];
    }
}
