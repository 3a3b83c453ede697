<?php

require_once __DIR__ . '/bootstrap.php';

/** NeroPay-specific webhook edges (the scenarios shared by all providers are in ProviderScenarios). */
final class NeropayWebhookTest extends ModuleTestCase
{
    /** Starts a checkout and makes the sandbox mark it paid without delivering the webhook. */
    private function paidWithoutDelivery(string $total = '80.00', string $currency = 'EUR'): array
    {
        $invoice = $this->createInvoice($currency, $total);
        ['payment' => $payment] = $this->startCheckout($invoice);
        $this->control($payment['provider_payment_id'], 'pay', ['deliver' => false]);

        return [$invoice, $payment];
    }

    public function testUnknownTokenAnswers404(): void
    {
        [$status, $json] = $this->postWebhook(str_repeat('ab', 16), '{"id":"evt_x","type":"transaction.succeeded"}');
        $this->assertSame(404, $status);
        $this->assertSame(['error' => 'unknown_payment'], $json);

        [$status] = $this->postWebhook('not-a-token', '{}');
        $this->assertSame(404, $status);
    }

    public function testBodyLargerThanOneMegabyteAnswers413(): void
    {
        $invoice = $this->createInvoice('EUR', '10.00');
        ['payment' => $payment] = $this->startCheckout($invoice);
        [$status] = $this->postWebhook($payment['token'], '{"pad":"' . str_repeat('x', 1048576) . '"}');
        $this->assertSame(413, $status);
        $this->assertCount(0, $this->events((int) $payment['id']));
    }

    public function testWebhookUrlAcceptsPostWithoutCsrfTokenWhileOtherPostsNeedOne(): void
    {
        $invoice = $this->createInvoice('EUR', '11.00');
        ['payment' => $payment] = $this->startCheckout($invoice);
        [$status, $json] = $this->postWebhook($payment['token'], $this->ipnBody('evt_csrf_' . $payment['id'], 'transaction.succeeded', $payment));
        $this->assertNotContains($status, [403, 419], 'CSRF does not block the webhook');
        $this->assertSame(200, $status, json_encode($json));

        // Control: the same kind of token-less POST to the invoice page is refused by CSRF.
        [$status] = (new Browser())->post($this->invoiceUrl($invoice), ['paymentmode' => 'neropay', 'make_payment' => '1']);
        $this->assertContains($status, [403, 419], 'CSRF protection is on in the stand-in');
    }

    public function testDatabaseFailureWhileRecordingAnswers503AndTheRetryRecordsOnce(): void
    {
        [$invoice, $payment] = $this->paidWithoutDelivery('67.00');
        $body = $this->ipnBody('evt_lock_' . $payment['id'], 'transaction.succeeded', $payment);
        // Another connection holds the guard row: the module's INSERT waits, times out (1205), rolls back.
        $other = new mysqli('localhost', Stack::env('DB_USER'), Stack::env('DB_PASSWORD'), Stack::env('DB_NAME'), 0, Stack::env('DB_SOCKET'));
        $other->begin_transaction();
        $other->query("INSERT INTO tblpaybridge_recorded (provider, provider_payment_id, payment_row_id, invoice_id, amount, currency, created_at)
            VALUES ('neropay', '" . $other->real_escape_string($payment['provider_payment_id']) . "', " . (int) $payment['id'] . ", 0, 0, 'EUR', NOW())");
        try {
            [$status, $json] = $this->postWebhook($payment['token'], $body);
        } finally {
            $other->rollback();
            $other->close();
        }
        $this->assertSame([503, 'database_unavailable'], [$status, $json['error'] ?? null], json_encode($json));
        $this->assertCount(0, $this->paymentRecords($invoice['id']));
        $this->assertCount(0, $this->events((int) $payment['id']), 'the failed attempt left no event behind');

        [$status, $json] = $this->postWebhook($payment['token'], $body);
        $this->assertSame([200, 'recorded'], [$status, $json['result'] ?? null], json_encode($json));
        $this->assertOnePaymentRecorded($invoice, $payment, '67.00');
    }
}
