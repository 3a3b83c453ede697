<?php

require_once __DIR__ . '/bootstrap.php';
require_once __DIR__ . '/Issue9Steps.php';

/**
 * Review of issue 13's money paths (refund form, retries, concurrency) against the Standards: every path
 * that can move money is attacked with retries after an unknown outcome, concurrent staff and hostile
 * fields, through the whole stack (real extension, real sandbox, real MariaDB).
 */
final class RefundAttackTest extends ModuleTestCase
{
    use Issue9Steps;

    private string $gatewayId = 'payrexx';

    protected function provider(): string
    {
        return $this->gatewayId;
    }

    protected function setUp(): void
    {
        parent::setUp();
        $this->faults([]);
        Stack::cli('configure-gateway', $this->gatewayId, 'refund_bookkeeping=credit_note');
    }

    protected function tearDown(): void
    {
        $this->faults([]);
        parent::tearDown();
    }

    // ------------------------------------------------------------------ steps

    /** @return array{0:array,1:array,2:array} invoice, payment row, Perfex payment record */
    private function paidInvoice(string $currency, string $total): array
    {
        $invoice = $this->createInvoice($currency, $total);
        ['payment' => $payment] = $this->startCheckout($invoice);
        $this->control($payment['provider_payment_id'], 'pay', ['deliver' => true]);
        $records = $this->waitForRecords($invoice['id']);
        $this->assertCount(1, $records, 'the payment is recorded');
        // Only the paths under test may find refunds, not the cron's refund watch of other tests.
        Stack::db()->query("UPDATE tblpaybridge_payments SET refund_check_next_at = '2099-01-01 00:00:00' WHERE id = " . (int) $payment['id']);

        return [$invoice, $this->attemptNow($payment), $records[0]];
    }

    private function refundForm(Browser $staff, array $payment): array
    {
        [$status, , $html] = $staff->get($this->perfexUrl('admin/paybridge/refund/' . $payment['id']));
        $this->assertSame(200, $status, 'refund form page');
        $form = Browser::findForm($html, static function (array $f) {
            return $f['id'] === 'paybridge-refund-form';
        });
        $this->assertNotNull($form, 'the payment can be refunded');

        return $form;
    }

    private function requestLog(): array
    {
        [$status, , $raw] = (new Browser())->get(rtrim(Stack::env('SANDBOX_URL'), '/') . '/_control/requests');
        $this->assertSame(200, $status);

        return json_decode($raw, true) ?: [];
    }

    /** Refund POSTs (contract 3) this provider got after request log entry $since. */
    private function refundRequestsSince(int $since): array
    {
        return array_values(array_filter(array_slice($this->requestLog(), $since), function ($r) {
            return $r['provider'] === $this->provider() && $r['method'] === 'POST' && preg_match('#/refunds?/?$#', $r['path']);
        }));
    }

    private function refundRows(array $payment): array
    {
        return Stack::rows('SELECT * FROM tblpaybridge_refunds WHERE payment_row_id = ' . (int) $payment['id'] . ' ORDER BY id');
    }

    private function creditNoteTotals(array $payment): array
    {
        return array_column(Stack::rows('SELECT total FROM tblcreditnotes WHERE id IN (SELECT credit_note_id FROM tblpaybridge_refunds WHERE payment_row_id = '
            . (int) $payment['id'] . ') ORDER BY id'), 'total');
    }

    // ------------------------------------------------------------------ retries after an unknown outcome

    /**
     * Payrexx takes no idempotency key (contract 1; sandbox README: "not idempotent (every call is a new
     * refund)"). The staff member's refund request reached Payrexx but the answer was lost, and so was the
     * webhook; a minute later the same form is submitted again. Reproduced without timing luck: the first
     * POST is dropped by the sandbox (the row stays pending, outcome unknown), the refund Payrexx made for it
     * is the dashboard-style refund of the same amount with its webhook not delivered. A second refund
     * request must not go out: the customer would get the money twice.
     */
    public function testRetriedRefundFormAfterALostAnswerNeverRefundsTwiceAtAProviderWithoutIdempotency(): void
    {
        $this->gatewayId = 'payrexx';
        [, $payment] = $this->paidInvoice('CHF', '100.00');
        $staff = $this->adminBrowser();
        $form = $this->refundForm($staff, $payment);
        $fields = $form['fields'];
        $fields['amount'] = '40.00';
        $fields['reason'] = 'Returned goods';

        $this->faults(['drop_next' => 1, 'provider' => 'payrexx', 'method' => 'POST']);
        [$first] = $staff->post($form['action'], $fields);
        $this->assertContains($first, [302, 303]);
        $rows = $this->refundRows($payment);
        $this->assertCount(1, $rows);
        $this->assertSame(['pending', null], [$rows[0]['status'], $rows[0]['provider_refund_id']], 'outcome unknown: the row stays pending');
        $this->assertNotNull($rows[0]['api_attempt_at']);
        // What the lost request did at Payrexx: a refund of 40.00, its webhook lost.
        $this->control($payment['provider_payment_id'], 'partial_refund', ['amount' => '40.00', 'deliver' => false]);
        // The staff member retries a few minutes later (past the 60 s in-flight window).
        Stack::db()->query('UPDATE tblpaybridge_refunds SET api_attempt_at = DATE_SUB(api_attempt_at, INTERVAL 5 MINUTE) WHERE id = ' . (int) $rows[0]['id']);
        $log = count($this->requestLog());

        [$again] = $staff->post($form['action'], $fields);

        $this->assertContains($again, [302, 303]);
        $this->assertSame([], $this->refundRequestsSince($log), 'no second refund request went to Payrexx');
        $rows = $this->refundRows($payment);
        $this->assertCount(1, $rows, 'one refund row');
        $this->assertNotNull($rows[0]['provider_refund_id'], 'the retry found the refund Payrexx made for the first request');
        $this->assertSame(['40.00'], $this->creditNoteTotals($payment), 'booked once');
    }

    // ------------------------------------------------------------------ concurrency

    /**
     * Two staff members open the refund form of one payment and confirm at the same moment, each for 60 of
     * the 100 paid (two forms, two keys): together more than is refundable. One refund goes to the provider,
     * the other is refused before any request, and the books never show more than was paid.
     */
    public function testTwoStaffRefundingOnePaymentAtOnceNeverRefundMoreThanWasPaid(): void
    {
        $this->gatewayId = 'noxipay';
        Stack::cli('configure-gateway', 'noxipay', 'refund_bookkeeping=credit_note');
        [, $payment] = $this->paidInvoice('EUR', '100.00');
        $posts = [];
        foreach ([$this->adminBrowser(), $this->adminBrowser()] as $staff) {
            $form = $this->refundForm($staff, $payment);
            $fields = $form['fields'];
            $fields['amount'] = '60.00';
            $fields['reason'] = 'Goodwill';
            $posts[] = ['POST', $form['action'], http_build_query($fields), ['Content-Type: application/x-www-form-urlencoded', $staff->cookieHeader()]];
        }
        $this->assertNotSame($posts[0][2], $posts[1][2], 'two forms with their own keys');
        $log = count($this->requestLog());

        Browser::parallel($posts);

        $this->assertCount(1, $this->refundRequestsSince($log), 'one refund request reached the provider');
        $live = array_filter($this->refundRows($payment), static fn ($r) => $r['status'] !== 'failed');
        $this->assertSame(['6000'], array_values(array_map('strval', array_column($live, 'amount_minor'))));
        $notes = $this->eventually(function () use ($payment) {
            return $this->creditNoteTotals($payment) ?: [];
        });
        $this->assertSame(['60.00'], $notes);
    }

    // ------------------------------------------------------------------ forged and misdirected bodies

    /**
     * Payment A was refunded at NeroPay; A's genuine refund webhook is replayed to payment B's notify URL
     * (B's token). The body is only a wake-up call (contract 2): B is re-read and has no refund, so nothing
     * is booked for B, and A's refund is not booked on B's invoice either.
     */
    public function testRefundWebhookOfOnePaymentSentWithAnotherPaymentsTokenBooksNothingOnTheOther(): void
    {
        $this->gatewayId = 'neropay';
        Stack::cli('configure-gateway', 'neropay', 'refund_bookkeeping=credit_note');
        [, $a] = $this->paidInvoice('EUR', '50.00');
        [, $b] = $this->paidInvoice('EUR', '50.00');
        $this->control($a['provider_payment_id'], 'refund', ['deliver' => false]);
        [$status, , $raw] = (new Browser())->get(rtrim(Stack::env('SANDBOX_URL'), '/') . '/_control/neropay/payments/'
            . rawurlencode($a['provider_payment_id']) . '/webhook?type=refund.succeeded');
        $this->assertSame(200, $status, $raw);
        $wh = json_decode($raw, true);
        $headers = [];
        foreach ($wh['headers'] as $name => $value) {
            $headers[] = $name . ': ' . $value;
        }

        [$code] = $this->postWebhook($b['token'], $wh['body'], $headers);

        $this->assertLessThan(500, $code);
        $this->assertSame([], $this->refundRows($b), 'nothing booked on B');
        $this->assertSame([], $this->refundRows($a), 'A is not booked through B');
        $this->assertSame([], $this->creditNoteTotals($b));
    }

    // ------------------------------------------------------------------ hostile fields

    /**
     * A reason pasted from a spreadsheet or mail (a TAB, a line break, an escape character) next to Unicode:
     * the refund is still made, the reason reaches the provider and the row without control characters
     * (the extension refuses them, contract 1), Unicode kept; never a refund lost to a pasted TAB.
     */
    public function testRefundReasonWithControlCharactersIsCleanedNotRefused(): void
    {
        $this->gatewayId = 'noxipay';
        Stack::cli('configure-gateway', 'noxipay', 'refund_bookkeeping=credit_note');
        [, $payment] = $this->paidInvoice('EUR', '30.00');
        $staff = $this->adminBrowser();
        $form = $this->refundForm($staff, $payment);
        $fields = $form['fields'];
        $fields['amount'] = '10.00';
        $fields['reason'] = "Rückgabe\tgoods\r\n返金 \x1b[31m💶\x00";
        $log = count($this->requestLog());

        [$code] = $staff->post($form['action'], $fields);

        $this->assertContains($code, [302, 303]);
        $this->assertCount(1, $this->refundRequestsSince($log), 'the refund was sent');
        $rows = $this->refundRows($payment);
        $this->assertCount(1, $rows);
        $this->assertSame('succeeded', $rows[0]['status'], 'refund made: ' . json_encode($rows[0]));
        $this->assertSame('Rückgabe goods 返金 [31m💶', $rows[0]['reason']);
        $this->assertSame(['10.00'], $this->creditNoteTotals($payment));
    }

    // ------------------------------------------------------------------ charged back

    /**
     * The bank took the money back (chargeback at Noxipay, its webhook not delivered yet): a staff refund of
     * the same payment is refused by the extension's re-read before any refund request (contract 1
     * payment_not_refundable), and no refund credit note appears; the chargeback itself is booked once.
     */
    public function testRefundOfAPaymentChargedBackAtTheProviderSendsNoRefundAndBooksNoRefund(): void
    {
        $this->gatewayId = 'noxipay';
        Stack::cli('configure-gateway', 'noxipay', 'refund_bookkeeping=credit_note');
        [, $payment] = $this->paidInvoice('EUR', '80.00');
        $this->control($payment['provider_payment_id'], 'chargeback', ['deliver' => false]);
        $staff = $this->adminBrowser();
        $form = $this->refundForm($staff, $payment);
        $log = count($this->requestLog());

        [$code] = $staff->post($form['action'], $form['fields']);

        $this->assertContains($code, [302, 303]);
        $this->assertSame([], $this->refundRequestsSince($log), 'no refund request');
        $refunds = array_values(array_filter($this->refundRows($payment), static fn ($r) => $r['kind'] === 'refund'));
        $this->assertCount(1, $refunds);
        $this->assertSame(['failed', null, null], [$refunds[0]['status'], $refunds[0]['credit_note_id'], $refunds[0]['booked_at']]);
        $this->assertContains($this->creditNoteTotals($payment), [[], ['80.00']], 'at most the chargeback is booked');
    }

    /**
     * A staff refund of everything and the provider's chargeback arrive at the same moment: whichever wins,
     * Perfex's books never show more credited than the customer paid.
     */
    public function testRefundRacingAChargebackNeverBooksMoreThanWasPaid(): void
    {
        $this->gatewayId = 'noxipay';
        Stack::cli('configure-gateway', 'noxipay', 'refund_bookkeeping=credit_note');
        [, $payment] = $this->paidInvoice('EUR', '70.00');
        $staff = $this->adminBrowser();
        $form = $this->refundForm($staff, $payment);
        $chargeback = ['POST', rtrim(Stack::env('SANDBOX_URL'), '/') . '/_control/noxipay/payments/' . rawurlencode($payment['provider_payment_id']) . '/chargeback',
            json_encode(['deliver' => true]), ['Content-Type: application/json']];
        $refund = ['POST', $form['action'], http_build_query($form['fields']), ['Content-Type: application/x-www-form-urlencoded', $staff->cookieHeader()]];

        Browser::parallel([$refund, $chargeback]);
        // Both webhooks (refund, chargeback) land; then nothing is left in flight.
        $this->eventually(function () use ($payment) {
            return count(array_filter($this->refundRows($payment), static fn ($r) => $r['status'] === 'pending' || ($r['status'] === 'succeeded' && $r['booked_at'] === null))) === 0
                && $this->refundRows($payment) !== [];
        });
        usleep(1500000);

        $cents = 0;
        foreach ($this->creditNoteTotals($payment) as $total) {
            $cents += (int) str_replace('.', '', $total); // "70.00" -> 7000 (EUR, 2 decimals; no float)
        }
        $this->assertGreaterThan(0, $cents, 'the money that went back is booked');
        $this->assertLessThanOrEqual(7000, $cents, 'never more booked than was paid: ' . json_encode($this->refundRows($payment)));
    }

    // ------------------------------------------------------------------ never recorded, GET

    /**
     * A payment the module refused to record (the customer paid 1.00 of 25.00: amount_mismatch) is never
     * refunded from Perfex (no form, a forged POST with a valid CSRF token and key does nothing), and a
     * refund of it made at the provider books no credit note: Perfex never counted that money.
     */
    public function testPaymentNeverRecordedAsPaidIsNeitherRefundedNorBookedAsACreditNote(): void
    {
        $this->gatewayId = 'noxipay';
        Stack::cli('configure-gateway', 'noxipay', 'refund_bookkeeping=credit_note');
        $invoice = $this->createInvoice('EUR', '25.00');
        ['payment' => $payment] = $this->startCheckout($invoice);
        $this->control($payment['provider_payment_id'], 'pay', ['deliver' => true, 'amount' => '1.00']);
        $this->eventually(function () use ($payment) {
            return $this->attemptNow($payment)['status'] !== 'open';
        });
        $this->assertSame([], $this->paymentRecords($invoice['id']), 'not recorded');
        $staff = $this->adminBrowser();
        $log = count($this->requestLog());

        [$get, $headers] = $staff->get($this->perfexUrl('admin/paybridge/refund/' . $payment['id']));
        [$post] = $staff->post($this->perfexUrl('admin/paybridge/refund/' . $payment['id']),
            $this->csrfFields($staff) + ['amount' => '1.00', 'refund_key' => bin2hex(random_bytes(16)), 'reason' => '']);
        $this->control($payment['provider_payment_id'], 'refund', ['deliver' => true]);
        usleep(1500000);

        $this->assertSame([true, true], [in_array($get, [302, 303], true), in_array($post, [302, 303], true)]);
        $this->assertStringEndsWith('/admin/paybridge', $headers['location'] ?? '');
        $this->assertSame([], $this->refundRequestsSince($log));
        $this->assertSame([], $this->refundRows($payment));
        $this->assertSame([], $this->creditNoteTotals($payment));
    }

    /** GET never acts: the form's fields in a GET (a link, an image tag) make no refund row and no request. */
    public function testRefundGetWithTheFormFieldsInTheQueryRefundsNothing(): void
    {
        $this->gatewayId = 'noxipay';
        [, $payment] = $this->paidInvoice('EUR', '20.00');
        $staff = $this->adminBrowser();
        $form = $this->refundForm($staff, $payment);
        $log = count($this->requestLog());

        [$status] = $staff->get($form['action'] . '?' . http_build_query($form['fields']));

        $this->assertSame(200, $status);
        $this->assertSame([], $this->refundRequestsSince($log));
        $this->assertSame([], $this->refundRows($payment));
    }

    // ------------------------------------------------------------------ a booking that cannot be made

    /**
     * Staff deleted the invoice after it was paid (Perfex's Invoices_model::delete() removes the invoice and
     * its payment records). A refund made at the provider then cannot get a credit note for the invoice's
     * client: staff are told and the refund webhook is acknowledged, instead of a 503 on every delivery and
     * every cron run forever (which would also block the payment's later refunds and chargebacks, and make the
     * provider disable the webhook endpoint).
     */
    public function testRefundOfAPaymentWhoseInvoiceWasDeletedIsAcknowledgedAndStaffAreTold(): void
    {
        $this->gatewayId = 'noxipay';
        Stack::cli('configure-gateway', 'noxipay', 'refund_bookkeeping=credit_note');
        [$invoice, $payment] = $this->paidInvoice('EUR', '45.00');
        Stack::db()->query('DELETE FROM tblinvoicepaymentrecords WHERE invoiceid = ' . (int) $invoice['id']);
        Stack::db()->query('DELETE FROM tblinvoices WHERE id = ' . (int) $invoice['id']);
        $activity = $this->maxId('tblactivity_log');

        $this->control($payment['provider_payment_id'], 'refund', ['deliver' => true]);

        $deliveries = array_values(array_filter($this->deliveries(), static function ($d) use ($payment) {
            return $d['provider'] === 'noxipay' && $d['payment_id'] === $payment['provider_payment_id'] && $d['event_type'] === 'refund.completed';
        }));
        $this->assertNotEmpty($deliveries);
        $this->assertSame(200, $deliveries[0]['status'], 'the refund webhook is acknowledged: ' . json_encode($deliveries[0]));
        $rows = $this->refundRows($payment);
        $this->assertCount(1, $rows);
        $this->assertSame(['succeeded', null, 'invoice_not_found'], [$rows[0]['status'], $rows[0]['credit_note_id'], $rows[0]['error_code']]);
        $this->assertNotEmpty(array_filter($this->activitySince($activity), static fn ($a) => strpos(json_encode($a), 'not booked') !== false), 'staff are told');
    }

    private function deliveries(): array
    {
        [$status, , $raw] = (new Browser())->get(rtrim(Stack::env('SANDBOX_URL'), '/') . '/_control/deliveries');
        $this->assertSame(200, $status);

        return json_decode($raw, true) ?: [];
    }

    /**
     * Payrexx answers the refund request after the module's 15 s timeout (it made the refund at 16.5 s and
     * sends its webhook). The staff member sees "pending", the webhook ties the refund to the form's row,
     * one credit note; the same form submitted again later sends nothing.
     */
    public function testSlowProviderDuringRefundMakesOneRefundAndOneCreditNote(): void
    {
        $this->gatewayId = 'payrexx';
        [, $payment] = $this->paidInvoice('CHF', '90.00');
        $staff = $this->adminBrowser();
        $form = $this->refundForm($staff, $payment);
        $fields = $form['fields'];
        $fields['amount'] = '40.00';
        $log = count($this->requestLog());

        $this->faults(['latency_ms' => 16500, 'provider' => 'payrexx', 'method' => 'POST']);
        [$first] = $staff->post($form['action'], $fields);
        $this->faults([]);
        $this->assertContains($first, [302, 303]);
        $booked = $this->eventually(function () use ($payment) {
            return $this->creditNoteTotals($payment) ?: [];
        }, 15.0);
        $this->assertSame(['40.00'], $booked, 'booked once: ' . json_encode($this->refundRows($payment)));
        Stack::db()->query('UPDATE tblpaybridge_refunds SET api_attempt_at = DATE_SUB(api_attempt_at, INTERVAL 5 MINUTE) WHERE payment_row_id = ' . (int) $payment['id']);
        [$again] = $staff->post($form['action'], $fields);

        $this->assertContains($again, [302, 303]);
        $this->assertCount(1, $this->refundRequestsSince($log), 'one refund request in all');
        $this->assertCount(1, $this->refundRows($payment));
        $this->assertSame(['40.00'], $this->creditNoteTotals($payment));
    }

    // ------------------------------------------------------------------ stuck admin refunds, provider amounts

    /** The refund form's Retry or Cancel form of refund row $rowId (views/refund.php), or null when not offered. */
    private function stuckAction(Browser $staff, array $payment, string $action, int $rowId): ?array
    {
        [$status, , $html] = $staff->get($this->perfexUrl('admin/paybridge/refund/' . $payment['id']));
        $this->assertSame(200, $status, 'refund form page');

        return Browser::findForm($html, static function (array $f) use ($action, $rowId) {
            return $f['id'] === 'paybridge-refund-' . $action . '-' . $rowId;
        });
    }

    /** As if the admin refund row was stored and last sent five minutes ago (past the 60 s in-flight window). */
    private function ageRefundRow(int $rowId): void
    {
        Stack::db()->query('UPDATE tblpaybridge_refunds SET created_at = DATE_SUB(created_at, INTERVAL 5 MINUTE),'
            . ' api_attempt_at = DATE_SUB(api_attempt_at, INTERVAL 5 MINUTE) WHERE id = ' . $rowId);
    }

    /**
     * The refund POST never got processed by NeroPay (a 500 before processing: sandbox fault `fail_next` on
     * POST only). The row stays pending and holds 40.00; a fresh form has a new key, so only a Retry of that
     * row can finish it: it re-sends with the row's stored idempotency key and books the refund once.
     */
    public function testStuckAdminRefundCanBeRetriedWithItsOwnIdempotencyKeyAndIsBookedOnce(): void
    {
        $this->gatewayId = 'neropay';
        [, $payment] = $this->paidInvoice('EUR', '100.00');
        $staff = $this->adminBrowser();
        $fields = $this->refundForm($staff, $payment)['fields'];
        $fields['amount'] = '40.00';
        $this->faults(['fail_next' => 1, 'provider' => 'neropay', 'method' => 'POST']);
        $staff->post($this->perfexUrl('admin/paybridge/refund/' . $payment['id']), $fields);
        $this->faults([]);
        $rows = $this->refundRows($payment);
        $this->assertCount(1, $rows);
        $this->assertSame(['pending', null], [$rows[0]['status'], $rows[0]['provider_refund_id']], 'the 500 left it pending');
        $rowId = (int) $rows[0]['id'];
        $this->assertNull($this->stuckAction($staff, $payment, 'retry', $rowId), 'no Retry while the request may still be in flight');

        $this->ageRefundRow($rowId);
        $retry = $this->stuckAction($staff, $payment, 'retry', $rowId);
        $this->assertNotNull($retry, 'a pending admin refund older than 60 s offers Retry');
        [, , $timeline] = $staff->get($this->perfexUrl('admin/paybridge/timeline/' . $payment['id']));
        $this->assertStringContainsString('id="paybridge-refund-stuck"', $timeline, 'the PayBridge timeline points to it');
        $log = count($this->requestLog());
        [$status] = $staff->post($retry['action'], $retry['fields']);

        $this->assertContains($status, [302, 303]);
        $sent = $this->refundRequestsSince($log);
        $this->assertCount(1, $sent, 'one refund request');
        $this->assertSame($rows[0]['idempotency_key'], $sent[0]['idempotency_key'], 'the stored key, not a new one');
        $rows = $this->refundRows($payment);
        $this->assertCount(1, $rows);
        $this->assertSame('succeeded', $rows[0]['status']);
        $this->assertNotNull($rows[0]['provider_refund_id']);
        $this->assertSame(['40.00'], $this->creditNoteTotals($payment), 'booked once');
        [$again] = $staff->post($retry['action'], $retry['fields']);
        $this->assertContains($again, [302, 303]);
        $this->assertCount(1, $this->refundRequestsSince($log), 'a Retry of a settled row sends nothing');
    }

    /**
     * Payrexx never processed the refund POST (`fail_next` on POST): the row blocks 40.00 of 100.00. Cancel
     * re-reads the payment, finds no refund for it, marks the row failed (`cancelled_by_staff`) and frees the
     * amount; no refund request is sent. A GET or a staff member without the permission cancels nothing.
     */
    public function testStuckAdminRefundWithoutAProviderRefundCanBeCancelledAndFreesItsAmount(): void
    {
        $this->gatewayId = 'payrexx';
        [, $payment] = $this->paidInvoice('CHF', '100.00');
        $staff = $this->adminBrowser();
        $fields = $this->refundForm($staff, $payment)['fields'];
        $fields['amount'] = '40.00';
        $this->faults(['fail_next' => 1, 'provider' => 'payrexx', 'method' => 'POST']);
        $staff->post($this->perfexUrl('admin/paybridge/refund/' . $payment['id']), $fields);
        $this->faults([]);
        $rows = $this->refundRows($payment);
        $this->assertSame('pending', $rows[0]['status']);
        $rowId = (int) $rows[0]['id'];
        $this->assertSame('60.00', $this->refundForm($staff, $payment)['fields']['amount'], 'the pending row blocks 40.00');
        $this->ageRefundRow($rowId);
        $cancel = $this->stuckAction($staff, $payment, 'cancel', $rowId);
        $this->assertNotNull($cancel, 'a pending admin refund older than 60 s offers Cancel');
        $log = count($this->requestLog());

        [$get] = $staff->get($cancel['action']);
        $this->assertContains($get, [302, 303]);
        $this->assertSame('pending', $this->refundRows($payment)[0]['status'], 'a GET cancels nothing');
        [$status] = $staff->post($cancel['action'], $cancel['fields']);

        $this->assertContains($status, [302, 303]);
        $this->assertSame([], $this->refundRequestsSince($log), 'Cancel sends no refund');
        $rows = $this->refundRows($payment);
        $this->assertSame(['failed', 'cancelled_by_staff'], [$rows[0]['status'], $rows[0]['error_code']]);
        $this->assertSame('100.00', $this->refundForm($staff, $payment)['fields']['amount'], 'the amount is refundable again');
        $this->assertSame([], $this->creditNoteTotals($payment));
    }

    /**
     * Retry and Cancel move money or free it: a staff member without `delete` on payments gets 403, and a
     * POST without the CSRF token is refused; the stuck row stays as it was and nothing goes to the provider.
     */
    public function testStuckAdminRefundRetryAndCancelNeedThePermissionAndTheCsrfToken(): void
    {
        $this->gatewayId = 'noxipay';
        [, $payment] = $this->paidInvoice('EUR', '100.00');
        $admin = $this->adminBrowser();
        $fields = $this->refundForm($admin, $payment)['fields'];
        $fields['amount'] = '40.00';
        $this->faults(['fail_next' => 1, 'provider' => 'noxipay', 'method' => 'POST']);
        $admin->post($this->perfexUrl('admin/paybridge/refund/' . $payment['id']), $fields);
        $this->faults([]);
        $rowId = (int) $this->refundRows($payment)[0]['id'];
        $this->ageRefundRow($rowId);
        $retry = $this->stuckAction($admin, $payment, 'retry', $rowId);
        $cancel = $this->stuckAction($admin, $payment, 'cancel', $rowId);
        $this->assertNotNull($retry);
        $this->assertNotNull($cancel);
        $staff = $this->staffBrowser('refund-stuck-no-delete@example.test', ['payments:view', 'payments:create']);
        $log = count($this->requestLog());

        $statuses = [];
        foreach ([$retry, $cancel] as $form) {
            [$statuses[]] = $staff->post($form['action'], $this->csrfFields($staff));
            $noToken = $form['fields'];
            unset($noToken['csrf_token_name']);
            [$statuses[]] = $admin->post($form['action'], $noToken);
        }

        $this->assertSame([403, 403, 403, 403], $statuses);
        $this->assertSame([], $this->refundRequestsSince($log));
        $row = $this->refundRows($payment)[0];
        $this->assertSame(['pending', null], [$row['status'], $row['provider_refund_id']]);
    }

    /**
     * Cancel of a stuck row whose refund the provider DID make (Payrexx processed it, the answer and the
     * webhook were lost: reproduced as the dashboard-style refund of the same amount, not delivered): the
     * re-read attaches that refund to the row and books it; the row is never cancelled.
     */
    public function testStuckAdminRefundThatTheProviderMadeIsBookedNotCancelled(): void
    {
        $this->gatewayId = 'payrexx';
        [, $payment] = $this->paidInvoice('CHF', '100.00');
        $staff = $this->adminBrowser();
        $fields = $this->refundForm($staff, $payment)['fields'];
        $fields['amount'] = '40.00';
        $this->faults(['drop_next' => 1, 'provider' => 'payrexx', 'method' => 'POST']);
        $staff->post($this->perfexUrl('admin/paybridge/refund/' . $payment['id']), $fields);
        $this->faults([]);
        $rowId = (int) $this->refundRows($payment)[0]['id'];
        $this->control($payment['provider_payment_id'], 'partial_refund', ['amount' => '40.00', 'deliver' => false]);
        $this->ageRefundRow($rowId);
        $cancel = $this->stuckAction($staff, $payment, 'cancel', $rowId);
        $this->assertNotNull($cancel);

        $staff->post($cancel['action'], $cancel['fields']);

        $rows = $this->refundRows($payment);
        $this->assertCount(1, $rows);
        $this->assertSame('succeeded', $rows[0]['status'], 'the provider has it: not cancelled');
        $this->assertNull($rows[0]['error_code']);
        $this->assertSame(['40.00'], $this->creditNoteTotals($payment));
    }

    /**
     * The provider reports the admin row's refund with another amount than the row asked: 30.00 moved,
     * 40.00 asked. The sandbox always refunds what is asked (and refuses a key reused with another amount),
     * so the row is given the id of a 30.00 provider refund, as an answer for it would; its webhook was lost
     * and the cron's re-read lists it with 30.00. The provider's amount is booked and staff are told.
     */
    public function testProviderRefundOfAnotherAmountThanTheAdminAskedIsBookedWithTheProvidersAmount(): void
    {
        $this->gatewayId = 'neropay';
        [, $payment] = $this->paidInvoice('EUR', '100.00');
        $staff = $this->adminBrowser();
        $fields = $this->refundForm($staff, $payment)['fields'];
        $fields['amount'] = '40.00';
        $this->faults(['fail_next' => 1, 'provider' => 'neropay', 'method' => 'POST']);
        $staff->post($this->perfexUrl('admin/paybridge/refund/' . $payment['id']), $fields);
        $this->faults([]);
        $rowId = (int) $this->refundRows($payment)[0]['id'];
        $state = $this->control($payment['provider_payment_id'], 'partial_refund', ['amount' => '30.00', 'deliver' => false]);
        $refunds = $state['refunds'] ?? $state['data']['refunds'] ?? $state['transaction']['refunds'] ?? [];
        $this->assertNotEmpty($refunds, 'the sandbox lists the refund: ' . json_encode(array_keys($state)));
        $refundId = (string) end($refunds)['id'];
        Stack::db()->query('UPDATE tblpaybridge_refunds SET provider_refund_id = ' . "'" . Stack::db()->real_escape_string($refundId) . "'" . ' WHERE id = ' . $rowId);
        $activity = (int) (Stack::one('SELECT COALESCE(MAX(id), 0) AS n FROM tblactivity_log')['n'] ?? 0);

        $this->parkOtherAttempts([]);
        Stack::db()->query("UPDATE tblpaybridge_payments SET refund_check_next_at = '2099-01-01 00:00:00' WHERE refund_check_next_at IS NULL OR id <> " . (int) $payment['id']);
        Stack::db()->query("UPDATE tblpaybridge_payments SET refund_check_next_at = '2000-01-01 00:00:00' WHERE id = " . (int) $payment['id']);
        $this->assertSame(200, $this->runCron());

        $rows = $this->refundRows($payment);
        $this->assertCount(1, $rows, 'the provider refund is the admin row, not a second one');
        $this->assertSame(['succeeded', 3000], [$rows[0]['status'], (int) $rows[0]['amount_minor']]);
        $this->assertSame(['30.00'], $this->creditNoteTotals($payment), 'the money that moved, not the 40.00 asked');
        $this->assertNotEmpty(preg_grep('/30\.00 EUR.*40\.00 EUR was asked/', $this->activitySince($activity)), 'staff are told the amounts differ');
        $this->assertSame('70.00', $this->refundForm($staff, $payment)['fields']['amount']);
    }
}
