<?php

require_once __DIR__ . '/bootstrap.php';

/**
 * Issue 14 item 5: every webhook answer, success or error, says where its time went in a
 * `Server-Timing` header (verify, api = the authenticated re-read, db, total; milliseconds).
 */
final class WebhookServerTimingTest extends ModuleTestCase
{
    /** @return array<string, float> step => ms, parsed from the answer's Server-Timing header */
    private function timing(array $headers): array
    {
        $this->assertArrayHasKey('server-timing', $headers, 'the answer carries Server-Timing');
        $steps = [];
        foreach (explode(',', $headers['server-timing']) as $part) {
            $this->assertMatchesRegularExpression('~^\s*(verify|api|db|total);dur=\d+(\.\d+)?$~', $part);
            [$name, $dur] = explode(';dur=', trim($part));
            $steps[$name] = (float) $dur;
        }
        $this->assertSame(['verify', 'api', 'db', 'total'], array_keys($steps));

        return $steps;
    }

    public function testARecordedWebhookReportsVerifyApiDbAndTotalAndTheApiReadTakesTime(): void
    {
        $invoice = $this->createInvoice('EUR', '31.00');
        ['payment' => $payment] = $this->startCheckout($invoice);
        $this->control($payment['provider_payment_id'], 'pay', ['deliver' => false]);
        [$status, $headers, $raw] = (new Browser())->postJson(
            $this->webhookUrl($payment['token']),
            $this->ipnBody('evt_timing_' . $payment['id'], 'transaction.succeeded', $payment)
        );
        $this->assertSame(200, $status, $raw);
        $t = $this->timing($headers);
        $this->assertGreaterThan(0.0, $t['api'], 'the re-read through the sandbox was timed');
        $this->assertGreaterThan(0.0, $t['db'], 'the recording was timed');
        $this->assertGreaterThanOrEqual($t['verify'] + $t['api'] + $t['db'], $t['total'] + 0.3, 'the steps fit in the total');
    }

    public function testAnErrorAnswerCarriesServerTimingToo(): void
    {
        [$status, $headers, $raw] = (new Browser())->postJson($this->webhookUrl(str_repeat('cd', 16)), '{"id":"evt_x","type":"transaction.succeeded"}');
        $this->assertSame(404, $status, $raw);
        $t = $this->timing($headers);
        $this->assertSame(0.0, $t['api'], 'an unknown payment is never read from the provider');
        $this->assertStringNotContainsString('unknown', $headers['server-timing'], 'durations only, no reasons');
    }
}
