<?php

require_once __DIR__ . '/bootstrap.php';
require_once __DIR__ . '/Issue9Steps.php';

/**
 * Issue 9 item 8: an unverified webhook (no signature checked: NeroPay, Payrexx without a signing key)
 * costs at most one API read per payment (and claimed status) per 10 s; later ones answer 503 +
 * Retry-After. A paid claim for a payment already recorded is answered without a read. Signed webhooks are
 * not limited. The gateway settings warn while no signing key is set. Reads are counted in the sandbox's
 * request log.
 */
final class WebhookReadLimitTest extends ModuleTestCase
{
    use Issue9Steps;

    private string $provider = 'neropay';

    protected function provider(): string
    {
        return $this->provider;
    }

    /** The webhook the sandbox would send now for this payment: [body, header lines]. */
    private function providerWebhook(array $payment, string $type): array
    {
        [$status, , $raw] = (new Browser())->get(rtrim(Stack::env('SANDBOX_URL'), '/') . '/_control/' . $this->provider . '/payments/'
            . rawurlencode($payment['provider_payment_id']) . '/webhook?type=' . rawurlencode($type) . '&format=json');
        $this->assertSame(200, $status, "sandbox webhook builder: $raw");
        $wh = json_decode($raw, true);
        $lines = [];
        foreach ($wh['headers'] as $name => $value) {
            $lines[] = $name . ': ' . $value;
        }

        return [$wh['body'], $lines];
    }

    /**
     * Sends $copies identical POSTs at once. @return array{0:int, 1:array} how many were rate limited (503,
     * Retry-After 1-10 s), and the one answer that was not (the copy whose read went ahead: 200, or 503
     * when the API does not confirm a "paid" claim yet, issue 9 item 4)
     */
    private function burst(int $copies, string $url, string $body, array $headers): array
    {
        $responses = Browser::parallel(array_fill(0, $copies, ['POST', $url, $body, $headers]));
        $limited = 0;
        $others = [];
        foreach ($responses as [$status, $raw, $respHeaders]) {
            $json = json_decode($raw, true);
            if ($status === 503 && ($json['error'] ?? '') === 'rate_limited') {
                $limited++;
                $this->assertMatchesRegularExpression('/^([1-9]|10)$/', $respHeaders['retry-after'] ?? '', 'a 503 carries Retry-After (1-10 s)');
            } else {
                $others[] = [$status, $json];
            }
        }
        $this->assertCount(1, $others, 'exactly one copy went on to the API read: ' . json_encode($others));
        $this->assertContains($others[0][0], [200, 503], 'never a 5xx other than 503');

        return [$limited, $others[0]];
    }

    public function testForgedPayrexxBurstNamingOnePaymentCostsOneApiReadAndTheRestAnswer503WithRetryAfter(): void
    {
        $this->provider = 'payrexx';
        $invoice = $this->createInvoice('CHF', '51.00');
        ['payment' => $payment] = $this->startCheckout($invoice); // never paid
        [$body, $headers] = $this->providerWebhook($payment, 'confirmed'); // a forged "confirmed" claim
        $reads = $this->apiReads($payment['provider_payment_id']);

        [$limited, $read] = $this->burst(12, $this->perfexUrl('paybridge/webhook/payrexx'), $body, $headers);

        fwrite(STDERR, "\n[read limit] payrexx: 12 forged webhooks for one payment: " . $limited . ' rate limited, one read answered '
            . $read[0] . ', API reads ' . ($this->apiReads($payment['provider_payment_id']) - $reads) . "\n");
        $this->assertSame(1, $this->apiReads($payment['provider_payment_id']) - $reads, 'one Gateway read for the whole burst');
        $this->assertSame(11, $limited, 'the rest rate limited');
        $this->assertCount(0, $this->paymentRecords($invoice['id']));

        // The same forged claim again, now that the first one was answered: still no second read in the window.
        [$status, $headers2, $raw] = (new Browser())->request('POST', $this->perfexUrl('paybridge/webhook/payrexx'), $body, $headers);
        $this->assertSame([503, 'rate_limited'], [$status, json_decode($raw, true)['error'] ?? null]);
        $this->assertSame(1, $this->apiReads($payment['provider_payment_id']) - $reads);
    }

    public function testForgedEmptyPostsToANeropayWebhookUrlCostOneApiRead(): void
    {
        $invoice = $this->createInvoice('EUR', '52.00');
        ['payment' => $payment] = $this->startCheckout($invoice);
        $reads = $this->apiReads($payment['provider_payment_id']);

        [$limited] = $this->burst(10, $this->webhookUrl($payment['token']), '', ['Content-Type: application/json']);

        $this->assertSame(1, $this->apiReads($payment['provider_payment_id']) - $reads, 'one payment-link read for the whole burst');
        $this->assertSame(9, $limited);
        $this->assertCount(0, $this->paymentRecords($invoice['id']));
    }

    public function testPaidClaimForAnAlreadyRecordedPaymentIsAnsweredWithoutAnApiRead(): void
    {
        $invoice = $this->createInvoice('EUR', '53.00');
        ['payment' => $payment] = $this->startCheckout($invoice);
        $this->control($payment['provider_payment_id'], 'pay', ['deliver' => true]);
        $this->waitForRecords($invoice['id']);
        $reads = $this->apiReads($payment['provider_payment_id']);

        for ($i = 0; $i < 3; $i++) {
            [$status, $json] = $this->postWebhook($payment['token'], $this->ipnBody('evt_dup_' . $i . '_' . $payment['id'], 'transaction.succeeded', $payment));
            $this->assertSame([200, ['result' => 'duplicate', 'reason' => 'already_recorded']], [$status, $json]);
        }

        $this->assertSame($reads, $this->apiReads($payment['provider_payment_id']), 'no API read for a duplicate');
        $this->assertOnePaymentRecorded($invoice, $payment, '53.00');
    }

    /**
     * Payrexx posts "waiting", then "confirmed" within milliseconds, and a refund may follow seconds later:
     * each claimed status has its own read, so none of them is held back (here: the refund's first delivery).
     */
    public function testARealSequenceOfStatusesIsNotHeldBackByTheReadLimit(): void
    {
        $this->provider = 'payrexx';
        $invoice = $this->createInvoice('CHF', '54.00');
        ['payment' => $payment] = $this->startCheckout($invoice);
        $this->control($payment['provider_payment_id'], 'pay', ['deliver' => true]);
        $this->waitForRecords($invoice['id']);

        $this->control($payment['provider_payment_id'], 'refund', ['deliver' => true]);

        [, , $raw] = (new Browser())->get(Stack::env('SANDBOX_URL') . '/_control/deliveries');
        $mine = array_values(array_filter(json_decode($raw, true), static function ($d) use ($payment) {
            return $d['provider'] === 'payrexx' && (string) $d['payment_id'] === $payment['provider_payment_id'] && (int) $d['attempt'] === 1;
        }));
        $this->assertSame(['waiting' => 200, 'confirmed' => 200, 'refunded' => 200],
            array_combine(array_column($mine, 'event_type'), array_map('intval', array_column($mine, 'status'))),
            'first delivery of each event acknowledged: ' . json_encode($mine));
        $this->assertNotEmpty(array_filter($this->events((int) $payment['id']), static fn ($e) => $e['reason_code'] === 'refund_logged'));
    }

    /** Noxipay signs every webhook (providers.md §X1): verified deliveries are never rate limited. */
    public function testSignedWebhooksAreNotRateLimited(): void
    {
        $this->provider = 'noxipay';
        $invoice = $this->createInvoice('EUR', '55.00');
        ['payment' => $payment] = $this->startCheckout($invoice);
        $this->control($payment['provider_payment_id'], 'pay', ['deliver' => false]);
        [$body, $headers] = $this->providerWebhook($payment, 'payment.completed');
        $reads = $this->apiReads($payment['provider_payment_id']);

        $statuses = [];
        for ($i = 0; $i < 4; $i++) {
            [$statuses[]] = (new Browser())->request('POST', $this->perfexUrl('paybridge/webhook/noxipay'), $body, $headers);
        }

        $this->assertSame([200, 200, 200, 200], $statuses, 'recorded once, then duplicates: never rate limited');
        $this->assertSame(4, $this->apiReads($payment['provider_payment_id']) - $reads, 'each signed delivery was confirmed with the API');
        $this->assertOnePaymentRecorded($invoice, $payment, '55.00');
    }

    public function testGatewaySettingsWarnWhileNoWebhookSigningKeyIsSet(): void
    {
        $warning = static function (string $html, string $gateway): bool {
            $start = strpos($html, 'id="gateway-' . $gateway . '"');
            $end = strpos($html, '</fieldset>', (int) $start);

            return $start !== false && strpos(substr($html, $start, $end - $start), 'paybridge-unsigned-webhooks') !== false;
        };
        $admin = $this->adminBrowser();
        [, , $html] = $admin->get($this->perfexUrl('admin/settings?group=payment_gateways'));
        $this->assertTrue($warning($html, 'payrexx'), 'Payrexx without signing key: warning');
        $this->assertTrue($warning($html, 'neropay'), 'NeroPay without webhook secret: warning');
        $this->assertFalse($warning($html, 'noxipay'), 'Noxipay always signs: no warning');

        Stack::cli('configure-gateway', 'payrexx', 'webhook_secret=pxwh_settings_key');
        try {
            [, , $html] = $admin->get($this->perfexUrl('admin/settings?group=payment_gateways'));
        } finally {
            Stack::cli('configure-gateway', 'payrexx', 'webhook_secret=');
        }
        $this->assertFalse($warning($html, 'payrexx'), 'the warning goes once a key is set');
    }
}
