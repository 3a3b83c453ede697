<?php

require_once __DIR__ . '/bootstrap.php';

/** Webhook deliveries: duplicates, concurrency, races, and what may never be recorded. */
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

    public function testTheSameWebhookDeliveredTwiceRecordsOnePayment(): void
    {
        [$invoice, $payment] = $this->paidWithoutDelivery();
        $body = $this->ipnBody('evt_twice_' . $payment['id'], 'transaction.succeeded', $payment);

        $started = microtime(true);
        [$first, $firstJson] = $this->postWebhook($payment['token'], $body);
        $firstSeconds = microtime(true) - $started;
        [$second, $secondJson] = $this->postWebhook($payment['token'], $body);

        $this->assertLessThan(2.0, $firstSeconds, 'a recording webhook is answered well within 2 s');

        $this->assertSame([200, 'recorded'], [$first, $firstJson['result'] ?? null], json_encode($firstJson));
        $this->assertSame([200, 'duplicate'], [$second, $secondJson['result'] ?? null], json_encode($secondJson));
        $this->assertOnePaymentRecorded($invoice, $payment, '80.00');
        $this->assertSame(2, $this->invoiceStatus($invoice['id']));
    }

    /**
     * Concurrency figures (also in the report): 20 identical deliveries sent at once with curl_multi
     * -> 20 × HTTP 200, exactly 1 "recorded", 19 "duplicate", 1 row in tblinvoicepaymentrecords.
     */
    public function testTwentyConcurrentDeliveriesOfOneWebhookRecordExactlyOnePayment(): void
    {
        [$invoice, $payment] = $this->paidWithoutDelivery('99.99');
        $body = $this->ipnBody('evt_20x_' . $payment['id'], 'transaction.succeeded', $payment);
        $requests = array_fill(0, 20, ['POST', $this->webhookUrl($payment['token']), $body, ['Content-Type: application/json']]);

        $responses = Browser::parallel($requests);

        $statuses = array_count_values(array_column($responses, 0));
        $results = array_count_values(array_map(static function ($r) {
            return json_decode($r[1], true)['result'] ?? ('http_' . $r[0]);
        }, $responses));
        fwrite(STDERR, "\n[concurrency] 20 parallel identical webhooks: statuses " . json_encode($statuses) . ' results ' . json_encode($results) . "\n");
        $this->assertSame([200 => 20], $statuses, 'every delivery is acknowledged');
        $this->assertSame(1, $results['recorded'] ?? 0);
        $this->assertSame(19, $results['duplicate'] ?? 0);
        $this->assertOnePaymentRecorded($invoice, $payment, '99.99');
    }

    public function testTwentyRedeliveriesFromTheSandboxRecordExactlyOnePayment(): void
    {
        $invoice = $this->createInvoice('EUR', '64.00');
        ['payment' => $payment] = $this->startCheckout($invoice);
        $this->control($payment['provider_payment_id'], 'pay', ['deliver' => true]);
        $this->waitForRecords($invoice['id']);
        $answer = $this->control($payment['provider_payment_id'], 'redeliver', ['copies' => 20]);

        $acked = count(array_filter($answer['first_attempt_2xx'] ?? []));
        fwrite(STDERR, "\n[concurrency] sandbox redeliver copies=20: " . $acked . "/20 answered 2xx, payments recorded "
            . count($this->paymentRecords($invoice['id'])) . "\n");
        $this->assertSame(20, $answer['copies'] ?? null);
        $this->assertSame(20, $acked, 'every copy was acknowledged (duplicates answer 200)');
        $this->assertOnePaymentRecorded($invoice, $payment, '64.00');
        $this->assertSame(2, $this->invoiceStatus($invoice['id']));
    }

    /** Concurrency figures: 10 return-URL GETs + 10 webhooks at once -> 1 payment recorded. */
    public function testReturnUrlAndWebhookRacingRecordOnePayment(): void
    {
        [$invoice, $payment] = $this->paidWithoutDelivery('45.50');
        $body = $this->ipnBody('evt_race_' . $payment['id'], 'transaction.succeeded', $payment);
        $requests = [];
        for ($i = 0; $i < 10; $i++) {
            $requests[] = ['POST', $this->webhookUrl($payment['token']), $body, ['Content-Type: application/json']];
            $requests[] = ['GET', $this->perfexUrl('paybridge/payment/return_url/neropay/' . $payment['token']), null, []];
        }

        $responses = Browser::parallel($requests);

        $statuses = array_count_values(array_column($responses, 0));
        fwrite(STDERR, "\n[concurrency] 10 return URLs + 10 webhooks racing: statuses " . json_encode($statuses) . ', payments recorded ' . count($this->paymentRecords($invoice['id'])) . "\n");
        foreach ($responses as $i => [$status]) {
            $this->assertContains($status, $i % 2 === 0 ? [200] : [302, 303], "request $i");
        }
        $this->assertOnePaymentRecorded($invoice, $payment, '45.50');
        $this->assertSame(2, $this->invoiceStatus($invoice['id']));
    }

    public function testForgedWebhookClaimingSuccessForAnUnpaidLinkRecordsNothing(): void
    {
        $invoice = $this->createInvoice('EUR', '70.00');
        ['payment' => $payment] = $this->startCheckout($invoice);

        [$status, $json] = $this->postWebhook($payment['token'], $this->ipnBody('evt_forged_' . $payment['id'], 'transaction.succeeded', $payment));

        $this->assertSame(200, $status, json_encode($json));
        $this->assertSame(['result' => 'logged', 'reason' => 'not_paid'], $json);
        $this->assertCount(0, $this->paymentRecords($invoice['id']));
        $this->assertSame(1, $this->invoiceStatus($invoice['id']));
    }

    public function testApiSayingFailedWhileTheBodySaysPaidRecordsNothing(): void
    {
        $invoice = $this->createInvoice('EUR', '71.00');
        ['payment' => $payment] = $this->startCheckout($invoice);
        $this->control($payment['provider_payment_id'], 'fail', ['deliver' => false]);

        [$status, $json] = $this->postWebhook($payment['token'], $this->ipnBody('evt_tamper_' . $payment['id'], 'transaction.succeeded', $payment));

        $this->assertSame(200, $status);
        $this->assertSame('logged', $json['result'] ?? null, json_encode($json));
        $this->assertSame('payment_failed', $json['reason'] ?? null);
        $this->assertCount(0, $this->paymentRecords($invoice['id']));
    }

    public function testTamperedAmountInTheBodyIsIgnoredInFavourOfTheApi(): void
    {
        [$invoice, $payment] = $this->paidWithoutDelivery('72.00');
        // Body claims 1.00; the API says 72.00 was paid: the API's facts are recorded.
        [$status, $json] = $this->postWebhook($payment['token'], $this->ipnBody('evt_amt_' . $payment['id'], 'transaction.succeeded', $payment, 'succeeded', '1.00'));

        $this->assertSame([200, 'recorded'], [$status, $json['result'] ?? null], json_encode($json));
        $this->assertOnePaymentRecorded($invoice, $payment, '72.00');
    }

    public function testAmountMismatchIsNotRecordedAndTheReasonIsShownToStaff(): void
    {
        $invoice = $this->createInvoice('EUR', '120.00');
        ['payment' => $payment] = $this->startCheckout($invoice);
        $this->control($payment['provider_payment_id'], 'pay', ['amount' => '100.00', 'deliver' => true]);

        $event = $this->eventually(function () use ($payment) {
            return array_values(array_filter($this->events((int) $payment['id']), static function ($e) {
                return $e['reason_code'] === 'amount_mismatch';
            }))[0] ?? null;
        });
        $this->assertNotNull($event, 'amount_mismatch event logged');
        $this->assertSame('rejected', $event['outcome']);
        $this->assertCount(0, $this->paymentRecords($invoice['id']));
        $this->assertSame(1, $this->invoiceStatus($invoice['id']));

        [$status, , $html] = $this->adminBrowser()->get($this->perfexUrl('paybridge/admin'));
        $this->assertSame(200, $status);
        $this->assertStringContainsString('data-event-row="' . $event['id'] . '"', $html);
        $this->assertMatchesRegularExpression('/data-event-row="' . $event['id'] . '".*?amount_mismatch/s', $html);
    }

    public function testCurrencyMismatchIsNotRecorded(): void
    {
        $invoice = $this->createInvoice('EUR', '73.00');
        ['payment' => $payment] = $this->startCheckout($invoice);
        $this->control($payment['provider_payment_id'], 'pay', ['currency' => 'GBP', 'deliver' => true]);

        $event = $this->eventually(function () use ($payment) {
            return array_values(array_filter($this->events((int) $payment['id']), static function ($e) {
                return $e['reason_code'] === 'currency_mismatch';
            }))[0] ?? null;
        });
        $this->assertNotNull($event, 'currency_mismatch event logged');
        $this->assertSame('rejected', $event['outcome']);
        $this->assertCount(0, $this->paymentRecords($invoice['id']));
        $this->assertSame(1, $this->invoiceStatus($invoice['id']));
    }

    public function testRefundAfterPaymentKeepsThePaymentAndLogsIt(): void
    {
        $invoice = $this->createInvoice('EUR', '55.00');
        ['payment' => $payment] = $this->startCheckout($invoice);
        $this->control($payment['provider_payment_id'], 'pay', ['deliver' => true]);
        $this->waitForRecords($invoice['id']);
        $since = Stack::one('SELECT COALESCE(MAX(id), 0) AS id FROM tblactivity_log')['id'];

        $this->control($payment['provider_payment_id'], 'refund', ['deliver' => true]);

        $event = $this->eventually(function () use ($payment) {
            return array_values(array_filter($this->events((int) $payment['id']), static function ($e) {
                return $e['reason_code'] === 'refund_logged';
            }))[0] ?? null;
        });
        $this->assertNotNull($event, 'refund event logged');
        $this->assertSame('logged', $event['outcome']);
        $this->assertOnePaymentRecorded($invoice, $payment, '55.00');
        $this->assertSame(2, $this->invoiceStatus($invoice['id']));
        $log = Stack::rows('SELECT description FROM tblactivity_log WHERE id > ' . (int) $since);
        $this->assertNotEmpty(array_filter(array_column($log, 'description'), static function ($d) use ($payment) {
            return strpos($d, $payment['provider_payment_id']) !== false && stripos($d, 'refund') !== false;
        }), 'activity log mentions the refund');
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

    /**
     * With MariaDB stopped the host itself fails before the module runs (the stand-in, like CI3, answers a
     * database error page with 500): not a 2xx, so the provider retries. The sandbox's own retries
     * (200 ms, 500 ms, 1 s, 2 s, 4 s) then deliver once the database is back, and exactly one payment is recorded.
     */
    public function testStoppedDatabaseMakesTheProviderRetryAndTheRetriedDeliveryRecordsExactlyOnce(): void
    {
        $invoice = $this->createInvoice('EUR', '66.00');
        ['payment' => $payment] = $this->startCheckout($invoice);
        $body = $this->ipnBody('evt_db_' . $payment['id'], 'transaction.succeeded', $payment);

        Stack::dropDb();
        Stack::script('stop-db');
        try {
            [$status] = $this->postWebhook($payment['token'], $body);
            $this->control($payment['provider_payment_id'], 'pay', ['deliver' => true]); // first attempt fails
        } finally {
            Stack::script('start-db');
        }
        $this->assertGreaterThanOrEqual(500, $status, 'a webhook during the outage is not acknowledged');

        $this->waitForRecords($invoice['id'], 1, 15.0);
        $deliveries = $this->eventually(function () use ($payment) {
            $mine = array_values(array_filter(
                json_decode((new Browser())->get(Stack::env('SANDBOX_URL') . '/_control/deliveries')[2], true),
                static function ($d) use ($payment) {
                    return $d['payment_id'] === $payment['provider_payment_id'];
                }
            ));

            return in_array(200, array_column($mine, 'status'), true) ? $mine : null;
        }, 10.0) ?? [];
        $statuses = array_column($deliveries, 'status');
        fwrite(STDERR, "\n[outage] sandbox delivery attempts for the payment: " . json_encode($statuses) . "\n");
        $this->assertGreaterThanOrEqual(500, (int) $statuses[0], 'first delivery (database down) failed');
        $this->assertContains(200, $statuses, 'a retry succeeded');
        [$status, $json] = $this->postWebhook($payment['token'], $body);
        $this->assertSame(200, $status);
        $this->assertOnePaymentRecorded($invoice, $payment, '66.00');
        $this->assertSame(2, $this->invoiceStatus($invoice['id']));
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
