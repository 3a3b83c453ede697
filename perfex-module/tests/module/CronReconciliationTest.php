<?php

require_once __DIR__ . '/bootstrap.php';
require_once __DIR__ . '/Issue9Steps.php';

/**
 * Issue 9 item 4: Perfex's cron (GET cron/index -> Cron_model::run() -> after_cron_run) re-checks open
 * attempts whose webhook never came, through the one recording path (NeroPay through the sandbox).
 */
final class CronReconciliationTest extends ModuleTestCase
{
    use Issue9Steps;

    private string $provider = 'neropay';

    protected function provider(): string
    {
        return $this->provider;
    }

    protected function tearDown(): void
    {
        Stack::cli('set-option', 'paybridge_reconcile_batch', '20');
        $this->faults([]);
    }

    /** An attempt made $age seconds ago, paid at the provider or not, whose webhook is never delivered. */
    private function attempt(string $total, bool $paid, int $age = 600): array
    {
        $invoice = $this->createInvoice('EUR', $total);
        ['payment' => $payment] = $this->startCheckout($invoice);
        if ($paid) {
            $this->control($payment['provider_payment_id'], 'pay', ['deliver' => false]);
        }
        $this->backdate((int) $payment['id'], $age);

        return [$invoice, $payment];
    }

    public function testPaidPaymentWhoseWebhookNeverCameIsRecordedByTheCronAndShownToStaff(): void
    {
        [$invoice, $payment] = $this->attempt('31.00', true);
        $this->parkOtherAttempts([(int) $payment['id']]);

        $this->assertSame(200, $this->runCron(), 'Perfex\'s cron URL answers');

        $this->assertOnePaymentRecorded($invoice, $payment, '31.00');
        $this->assertSame(2, $this->invoiceStatus($invoice['id']));
        $events = $this->events((int) $payment['id']);
        $this->assertSame('cron', end($events)['source']);
        $row = $this->attemptRow((int) $payment['id']);
        $this->assertSame('1', $row['reconcile_count']);
        $this->assertStringStartsWith('recorded', (string) $row['reconcile_result']);

        [$status, , $html] = $this->adminBrowser()->get($this->perfexUrl('admin/paybridge'));
        $this->assertSame(200, $status);
        $this->assertMatchesRegularExpression('/class="cron-last-run">\d{4}-\d\d-\d\d \d\d:\d\d:\d\d</', $html, 'the last cron run is shown');
        $this->assertMatchesRegularExpression('/data-cron-attempt="' . $payment['id'] . '".*?<td>paid<\/td><td class="cron-result">recorded/s', $html,
            'what the run re-checked and what it found');
    }

    public function testAttemptYoungerThanTheMinimumAgeIsLeftToItsWebhook(): void
    {
        [$invoice, $payment] = $this->attempt('32.00', true, 30);
        $this->parkOtherAttempts([(int) $payment['id']]);
        $reads = $this->apiReads($payment['provider_payment_id']);

        $this->assertSame(200, $this->runCron());

        $summary = json_decode((string) (Stack::one("SELECT value FROM tbloptions WHERE name = 'paybridge_cron_last_summary'")['value'] ?? ''), true);
        $this->assertSame(0, $summary['due'] ?? null, 'the cron ran and found nothing due');
        $this->assertCount(0, $this->paymentRecords($invoice['id']));
        $this->assertSame($reads, $this->apiReads($payment['provider_payment_id']), 'no read of a 30 s old attempt (minimum age 120 s)');
        $this->assertSame('0', $this->attemptRow((int) $payment['id'])['reconcile_count']);
    }

    public function testCronRespectsTheBackOffOfEachAttempt(): void
    {
        [$invoice, $payment] = $this->attempt('33.00', false);
        $id = (int) $payment['id'];
        $this->parkOtherAttempts([$id]);

        $this->runCron();
        $row = $this->attemptRow($id);
        $this->assertSame(['1', 'pending'], [$row['reconcile_count'], $row['status']], 'first check: still pending');
        $wait = strtotime($row['reconcile_next_at'] . ' UTC') - strtotime($row['reconcile_last_at'] . ' UTC');
        $this->assertSame(120, $wait, 'next check 2 min after the first');

        // Paid now, but the back-off has not passed: the next run does not read it.
        $this->control($payment['provider_payment_id'], 'pay', ['deliver' => false]);
        $reads = $this->apiReads($payment['provider_payment_id']);
        $this->runCron();
        $this->assertSame($reads, $this->apiReads($payment['provider_payment_id']), 'no read before the back-off passed');
        $this->assertCount(0, $this->paymentRecords($invoice['id']));
        $this->assertSame('1', $this->attemptRow($id)['reconcile_count']);

        // Two minutes later (moved in the database): read and recorded; the next back-off is 10 min.
        Stack::db()->query("UPDATE tblpaybridge_payments SET reconcile_next_at = '" . gmdate('Y-m-d H:i:s', time() - 1) . "' WHERE id = $id");
        $this->runCron();
        $this->assertOnePaymentRecorded($invoice, $payment, '33.00');
        $row = $this->attemptRow($id);
        $this->assertSame('2', $row['reconcile_count']);
        $this->assertSame(600, strtotime($row['reconcile_next_at'] . ' UTC') - strtotime($row['reconcile_last_at'] . ' UTC'));
    }

    public function testCronReChecksAtMostTheBatchSizeOldestFirst(): void
    {
        $attempts = [];
        foreach (['34.01', '34.02', '34.03'] as $i => $total) {
            $attempts[] = $this->attempt($total, true, 900 - 100 * $i); // first is oldest
        }
        $this->parkOtherAttempts(array_map(static fn ($a) => (int) $a[1]['id'], $attempts));
        Stack::cli('set-option', 'paybridge_reconcile_batch', '2');

        $this->runCron();

        $this->assertCount(1, $this->paymentRecords($attempts[0][0]['id']), 'oldest recorded');
        $this->assertCount(1, $this->paymentRecords($attempts[1][0]['id']), 'second oldest recorded');
        $this->assertCount(0, $this->paymentRecords($attempts[2][0]['id']), 'third waits for the next run (batch of 2)');
        $this->assertSame('0', $this->attemptRow((int) $attempts[2][1]['id'])['reconcile_count']);

        $this->runCron();
        $this->assertOnePaymentRecorded($attempts[2][0], $attempts[2][1], '34.03');
    }

    public function testAttemptOpenFor72HoursBecomesExpired(): void
    {
        [$invoice, $payment] = $this->attempt('35.00', false, 72 * 3600 + 60);
        $this->parkOtherAttempts([(int) $payment['id']]);

        $this->runCron();

        $row = $this->attemptRow((int) $payment['id']);
        $this->assertSame('expired', $row['status']);
        $this->assertCount(0, $this->paymentRecords($invoice['id']));
        $reads = $this->apiReads($payment['provider_payment_id']);
        Stack::db()->query("UPDATE tblpaybridge_payments SET reconcile_next_at = NULL WHERE id = " . (int) $payment['id']);
        $this->runCron();
        $this->assertSame($reads, $this->apiReads($payment['provider_payment_id']), 'an expired attempt is not re-checked again');
    }

    public function testPaidAttemptFoundInItsLastCheckAfter72HoursIsRecordedNotExpired(): void
    {
        [$invoice, $payment] = $this->attempt('36.00', true, 72 * 3600 + 60);
        $this->parkOtherAttempts([(int) $payment['id']]);

        $this->runCron();

        $this->assertOnePaymentRecorded($invoice, $payment, '36.00');
        $this->assertSame('paid', $this->attemptRow((int) $payment['id'])['status']);
    }

    /**
     * Contract 2 (current state): a NeroPay link stays "paid" after its transaction is refunded; the core
     * reports the refunded transaction, so the cron never records money that went back.
     */
    public function testCronNeverRecordsAPaymentRefundedBeforeItsWebhookCame(): void
    {
        [$invoice, $payment] = $this->attempt('40.01', true);
        $this->control($payment['provider_payment_id'], 'refund', ['deliver' => false]);
        $this->parkOtherAttempts([(int) $payment['id']]);

        $this->runCron();

        $this->assertCount(0, $this->paymentRecords($invoice['id']), 'a refunded payment is never recorded as paid');
        $this->assertSame(1, $this->invoiceStatus($invoice['id']));
        $events = $this->events((int) $payment['id']);
        $this->assertNotEmpty($events, 'the cron logged what it read');
        $this->assertSame(['cron', 'refunded'], [end($events)['source'], end($events)['status']]);
    }

    /**
     * Contract 1 (mode): a Payrexx payment made through a test provider (transaction mode TEST) is refused
     * with other_mode on the cron path too, while the gateway is in live mode.
     */
    public function testCronRefusesATestModePaymentOnALiveGateway(): void
    {
        $invoice = $this->createInvoice('CHF', '40.02');
        $this->provider = 'payrexx';
        ['payment' => $payment] = $this->startCheckout($invoice);
        $this->control($payment['provider_payment_id'], 'pay', ['mode' => 'TEST', 'deliver' => false]);
        $this->backdate((int) $payment['id'], 600);
        $this->parkOtherAttempts([(int) $payment['id']]);

        $mode = (string) (json_decode(Stack::cli('gateway-settings', 'payrexx'), true)['test_mode_enabled'] ?? '0');
        Stack::cli('configure-gateway', 'payrexx', 'test_mode_enabled=0'); // live
        try {
            $this->runCron();
        } finally {
            Stack::cli('configure-gateway', 'payrexx', 'test_mode_enabled=' . $mode);
        }

        $this->assertCount(0, $this->paymentRecords($invoice['id']));
        $reasons = array_column(array_filter($this->events((int) $payment['id']), static fn ($e) => $e['source'] === 'cron'), 'reason_code');
        $this->assertContains('other_mode', $reasons, 'refused as other_mode: ' . json_encode($this->events((int) $payment['id'])));
    }

    public function testTransportErrorsDuringTheCronDoNotStopTheBatch(): void
    {
        [$firstInvoice, $first] = $this->attempt('37.01', true, 900);
        [$secondInvoice, $second] = $this->attempt('37.02', true, 800);
        $this->parkOtherAttempts([(int) $first['id'], (int) $second['id']]);
        // Every try of the first (oldest) read loses its connection; the next read is served normally.
        $this->faults(['drop_next' => 3, 'provider' => 'neropay']);

        $this->runCron();

        $this->assertCount(0, $this->paymentRecords($firstInvoice['id']), 'the first read failed');
        $this->assertStringStartsWith('error', (string) $this->attemptRow((int) $first['id'])['reconcile_result']);
        $this->assertOnePaymentRecorded($secondInvoice, $second, '37.02');

        // Its back-off passed: the next run records it.
        Stack::db()->query("UPDATE tblpaybridge_payments SET reconcile_next_at = '" . gmdate('Y-m-d H:i:s', time() - 1) . "' WHERE id = " . (int) $first['id']);
        $this->runCron();
        $this->assertOnePaymentRecorded($firstInvoice, $first, '37.01');
    }

    /**
     * Two hosts (here: the web cron and a CLI cron with its own temp folder, so Perfex's file lock does not
     * serialise them) run at once while the provider answers slowly: each attempt is read once, by one run.
     */
    public function testTwoOverlappingCronRunsNeverReCheckTheSameAttempt(): void
    {
        $attempts = [];
        foreach (['38.01', '38.02', '38.03'] as $i => $total) {
            $attempts[] = $this->attempt($total, false, 900 - 100 * $i);
        }
        $this->parkOtherAttempts(array_map(static fn ($a) => (int) $a[1]['id'], $attempts));
        $reads = array_map(fn ($a) => $this->apiReads($a[1]['provider_payment_id']), $attempts);
        $this->faults(['latency_ms' => 400, 'provider' => 'neropay']);
        $tmp = sys_get_temp_dir() . '/paybridge-second-host-' . getmypid();
        @mkdir($tmp);

        Stack::db()->query("UPDATE tbloptions SET value = '0' WHERE name = 'last_cron_run'");
        $cli = proc_open([PHP_BINARY, Stack::root() . '/perfex-module/standin/cli.php', 'cron'], [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes,
            Stack::root(), array_merge(getenv(), ['STANDIN_TEMP_DIR' => $tmp, 'PHP_INI_SCAN_DIR' => ':' . (getenv('STACK_DIR') ?: Stack::root() . '/.stack') . '/php.d']));
        $web = Browser::parallel([['GET', $this->perfexUrl('cron/index'), null, []]], 30.0);
        $cliOut = stream_get_contents($pipes[1]) . stream_get_contents($pipes[2]);
        $rc = proc_close($cli);

        $this->assertSame(200, $web[0][0]);
        $this->assertSame(0, $rc, $cliOut);
        foreach ($attempts as $i => [, $payment]) {
            $this->assertSame(1, $this->apiReads($payment['provider_payment_id']) - $reads[$i], "attempt $i read exactly once");
            $this->assertSame('1', $this->attemptRow((int) $payment['id'])['reconcile_count'], "attempt $i claimed once");
        }
    }

    /** Two cron requests, a late webhook and the customer's return URL at once: one payment. */
    public function testOverlappingCronRunsALateWebhookAndAReturnUrlRecordOnePayment(): void
    {
        [$invoice, $payment] = $this->attempt('39.00', true);
        $this->parkOtherAttempts([(int) $payment['id']]);
        Stack::db()->query("UPDATE tbloptions SET value = '0' WHERE name = 'last_cron_run'");
        $body = $this->ipnBody('evt_cron_race_' . $payment['id'], 'transaction.succeeded', $payment);

        $responses = Browser::parallel([
            ['GET', $this->perfexUrl('cron/index'), null, []],
            ['GET', $this->perfexUrl('cron/index'), null, []],
            ['POST', $this->webhookUrl($payment['token']), $body, ['Content-Type: application/json']],
            ['GET', $this->perfexUrl('paybridge/payment/return_url/neropay/' . $payment['return_token']), null, []],
        ]);

        $this->assertSame([200, 200], [$responses[0][0], $responses[1][0]], 'both cron requests answered');
        $this->assertContains($responses[2][0], [200, 503], 'webhook: recorded, duplicate or rate limited');
        $this->assertContains($responses[3][0], [302, 303], 'return URL redirects to the invoice');
        $this->assertOnePaymentRecorded($invoice, $payment, '39.00');
        $this->assertSame(2, $this->invoiceStatus($invoice['id']));
        $this->assertNotNull(Stack::one("SELECT value FROM tbloptions WHERE name = 'paybridge_cron_last_run' AND value <> ''"), 'the cron ran');
    }
}
