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
        // Paid, so the success claim is confirmed (an unconfirmed claim answers 503, issue 9 item 4).
        $this->control($payment['provider_payment_id'], 'pay', ['deliver' => false]);
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

    // ------------------------------------------------------------------ issue 9

    /** Item 1: hostile bytes in an unsigned IPN end in a short answer, never a 500 or an error text. */
    public function testHostileUnicodeAmountInAnUnsignedIpnNeverAnswers500NorEchoesAnError(): void
    {
        [$invoice, $payment] = $this->paidWithoutDelivery('15.00');

        foreach (['1.1é', '12.5€', "\u{202E}15.00", '１５.００', "15.0\u{0301}0"] as $i => $amount) {
            [$status, , $raw] = (new Browser())->postJson($this->webhookUrl($payment['token']),
                $this->ipnBody('evt_hostile_' . $i . '_' . $payment['id'], 'transaction.succeeded', $payment, 'succeeded', $amount));

            $this->assertContains($status, [200, 400, 503], "amount $amount: $raw");
            $this->assertDoesNotMatchRegularExpression('/panic|rust|exception|stack trace|\.rs\b/i', $raw, "amount $amount");
            $this->assertLessThan(200, strlen($raw), 'a short JSON answer');

            // Without a token the body is all there is: refused as a bad payload, never a 500.
            [$status, , $raw] = (new Browser())->postJson($this->perfexUrl('paybridge/webhook/neropay'),
                $this->ipnBody('evt_hostile_nt_' . $i . '_' . $payment['id'], 'transaction.succeeded', $payment, 'succeeded', $amount));
            $this->assertContains($status, [400, 404], "no token, amount $amount: $raw");
            $this->assertDoesNotMatchRegularExpression('/panic|rust|exception|stack trace|\.rs\b/i', $raw);
        }
        $records = $this->paymentRecords($invoice['id']);
        $this->assertLessThanOrEqual(1, count($records));
        foreach ($records as $record) {
            $this->assertSame('15.00', $record['amount'], 'only the API\'s amount is ever recorded');
        }
    }

    /**
     * Item 5: dedup is per payment and module-made ids live apart. A customer posting, to their own
     * payment's webhook URL, bodies whose ids are the module's old read ids of someone else's payment
     * ("return:<id>", "recheck:<id>") changes nothing for that payment.
     */
    public function testACustomersOwnTokenCannotMakeAnotherPaymentsReturnUrlOrRecheckAnswerDuplicate(): void
    {
        ['payment' => $mine] = $this->startCheckout($this->createInvoice('EUR', '12.00'));
        $this->control($mine['provider_payment_id'], 'fail', ['deliver' => false]);
        $victimInvoice = $this->createInvoice('EUR', '13.00');
        ['payment' => $victim] = $this->startCheckout($victimInvoice);
        $otherInvoice = $this->createInvoice('EUR', '14.00');
        ['payment' => $other] = $this->startCheckout($otherInvoice);

        foreach (['return:' . $victim['provider_payment_id'], 'recheck:' . $other['provider_payment_id'],
            'read:return:paid:' . $victim['provider_payment_id'], 'api:paid:' . $other['provider_payment_id']] as $id) {
            [$status, $json] = $this->postWebhook($mine['token'], $this->ipnBody($id, 'transaction.succeeded', $mine));
            $this->assertContains($status, [200, 503], json_encode($json)); // 503: the read limit of unsigned webhooks
        }
        $this->control($victim['provider_payment_id'], 'pay', ['deliver' => false]);
        $this->control($other['provider_payment_id'], 'pay', ['deliver' => false]);

        [$status, $headers] = $this->visitReturnUrl($victim);
        $this->assertContains($status, [302, 303]);
        $this->assertOnePaymentRecorded($victimInvoice, $victim, '13.00');
        $this->recheckAsStaff($other);
        $this->assertOnePaymentRecorded($otherInvoice, $other, '14.00');
        $this->assertSame([], Stack::rows('SELECT id FROM tblpaybridge_events WHERE payment_row_id IN (' . (int) $victim['id'] . ', ' . (int) $other['id']
            . ') AND source = \'webhook\''), 'the customer\'s posts touched only their own payment');
    }

    /**
     * Item 5: an unverified body is only a wake-up call, so its own id counts for nothing. 200 distinct
     * bodies and 200 copies for one payment leave one stored event (repeats are counted on it).
     */
    public function testTwoHundredDistinctUnsignedBodiesAndTwoHundredCopiesStoreOneEventForThePayment(): void
    {
        [$invoice, $payment] = $this->paidWithoutDelivery('16.00');
        $url = $this->webhookUrl($payment['token']);
        $requests = [];
        for ($i = 0; $i < 200; $i++) {
            $requests[] = ['POST', $url, $this->ipnBody('evt_flood_' . $i . '_' . $payment['id'], 'transaction.succeeded', $payment), ['Content-Type: application/json']];
        }
        $copy = $this->ipnBody('evt_copy_' . $payment['id'], 'transaction.succeeded', $payment);
        for ($i = 0; $i < 200; $i++) {
            $requests[] = ['POST', $url, $copy, ['Content-Type: application/json']];
        }

        $statuses = [];
        foreach (array_chunk($requests, 20) as $chunk) {
            foreach (Browser::parallel($chunk) as [$status]) {
                $statuses[] = $status;
            }
        }

        $counts = array_count_values($statuses);
        fwrite(STDERR, "\n[flood] neropay: 200 distinct + 200 identical unsigned bodies: statuses " . json_encode($counts)
            . ', stored events ' . count($this->events((int) $payment['id'])) . "\n");
        $this->assertSame([], array_diff(array_keys($counts), [200, 503]), 'only 200 or 503 (rate limited) answers');
        $events = $this->events((int) $payment['id']);
        $this->assertCount(1, $events, 'one stored event: ' . json_encode(array_column($events, 'event_id')));
        // Repeats that reached the recording path are counted on that row (some may be answered earlier,
        // without a read, once the payment is known to be recorded).
        $this->assertLessThanOrEqual((int) ($counts[200] ?? 0) - 1, (int) $events[0]['repeats']);
        $this->assertGreaterThanOrEqual(1, $counts[200] ?? 0);
        $this->assertOnePaymentRecorded($invoice, $payment, '16.00');
    }

    /** @return array<string, array{0:int}> MySQL error numbers a recording may meet */
    public static function databaseFailures(): array
    {
        return [
            'deadlock (1213) is retried at once' => [1213],
            'duplicate key (1062) answers 503, the retry records once' => [1062],
            'lock wait timeout (1205) answers 503, the retry records once' => [1205],
        ];
    }

    /**
     * Item 9: real CodeIgniter 3 with db_debug off (Perfex's production setting) throws nothing: a failed
     * query returns FALSE and error() tells why until the next statement. The module must read the error
     * number before rolling back (a deadlock is retried) and never record half.
     * @dataProvider databaseFailures
     */
    public function testWithDbDebugOffADatabaseFailureWhileRecordingIsStillHandledRight(int $errno): void
    {
        [$invoice, $payment] = $this->paidWithoutDelivery('68.00');
        $body = $this->ipnBody('evt_dbdebug_' . $errno . '_' . $payment['id'], 'transaction.succeeded', $payment);
        $off = ['X-Standin-Db-Debug: 0'];
        $db = Stack::db();
        $other = null;
        if ($errno === 1205) {
            // Another connection holds the guard row: the module's INSERT waits, times out, rolls back.
            $other = new mysqli('localhost', Stack::env('DB_USER'), Stack::env('DB_PASSWORD'), Stack::env('DB_NAME'), 0, Stack::env('DB_SOCKET'));
            $other->begin_transaction();
            $other->query("INSERT INTO tblpaybridge_recorded (provider, provider_payment_id, payment_row_id, invoice_id, amount, currency, created_at)
                VALUES ('neropay', '" . $other->real_escape_string($payment['provider_payment_id']) . "', " . (int) $payment['id'] . ", 0, 0, 'EUR', NOW())");
        } else {
            // The first insert of a payment record fails once with $errno (a sequence is not transactional,
            // so the module's retry or the provider's next delivery gets through).
            $db->query('DROP TRIGGER IF EXISTS tblpbtest_fault');
            $db->query('DROP SEQUENCE IF EXISTS tblpbtest_fault_seq');
            $db->query('CREATE SEQUENCE tblpbtest_fault_seq START WITH 1 INCREMENT BY 1 NOCACHE');
            $db->query("CREATE TRIGGER tblpbtest_fault BEFORE INSERT ON tblinvoicepaymentrecords FOR EACH ROW BEGIN
                IF NEW.invoiceid = " . (int) $invoice['id'] . " AND NEXTVAL(tblpbtest_fault_seq) = 1 THEN
                    SIGNAL SQLSTATE '40001' SET MYSQL_ERRNO = " . $errno . ", MESSAGE_TEXT = 'injected by the test';
                END IF; END");
        }
        try {
            [$status, $json] = $this->postWebhook($payment['token'], $body, $off);
        } finally {
            if ($other !== null) {
                $other->rollback();
                $other->close();
            } else {
                $db->query('DROP TRIGGER IF EXISTS tblpbtest_fault');
                $db->query('DROP SEQUENCE IF EXISTS tblpbtest_fault_seq');
            }
        }

        if ($errno === 1213) {
            $this->assertSame([200, 'recorded'], [$status, $json['result'] ?? null], 'retried within the request: ' . json_encode($json));
        } else {
            $this->assertSame([503, 'database_unavailable'], [$status, $json['error'] ?? null], json_encode($json));
            $this->assertCount(0, $this->paymentRecords($invoice['id']));
            // Issue 15: the claim (event + guard row) is committed before addPayment(); a failed add leaves
            // it given back (not done), so the retry below takes it over at once.
            $this->assertSame([], array_values(array_filter(array_column($this->events((int) $payment['id']), 'outcome'),
                static function ($o) { return $o === 'recorded'; })), 'the failed attempt recorded nothing');
            $this->assertCount(0, Stack::rows("SELECT id FROM tblpaybridge_recorded WHERE state = 'done' AND payment_row_id = " . (int) $payment['id']));
            [$status, $json] = $this->postWebhook($payment['token'], $body, $off);
            $this->assertSame([200, 'recorded'], [$status, $json['result'] ?? null], json_encode($json));
        }
        $this->assertOnePaymentRecorded($invoice, $payment, '68.00');
        $this->assertSame(2, $this->invoiceStatus($invoice['id']));
    }
}
