<?php

/**
 * Refund bookkeeping exactly once over two web nodes and a Galera cluster (README "Refunds, chargebacks and
 * credit notes", and "Two commands" on several web nodes over MariaDB Galera): a refund made at the provider
 * arrives as many webhook copies on both web nodes at once while staff re-check the payment; Galera decides the race for the refund row only at COMMIT. Used by
 * GaleraScenarios, so it runs once per provider.
 */
trait GaleraRefundScenarios
{
    /** The provider's webhook type for a refund made in its dashboard (what the sandbox sends for `partial_refund`). */
    private function refundEventType(): string
    {
        return ['neropay' => 'refund.succeeded', 'payrexx' => 'partially-refunded', 'noxipay' => 'refund.completed'][$this->provider()];
    }

    /** Refund rows, their credit notes and the credit notes' refunds for a payment row, as database node $n has them. */
    private function refundStateOn(int $n, array $payment): array
    {
        $rows = $this->rowsOn($n, 'SELECT id, provider_refund_id, status, amount_minor, credit_note_id FROM tblpaybridge_refunds WHERE payment_row_id = '
            . (int) $payment['id'] . ' ORDER BY id');
        $noteIds = implode(', ', array_map('intval', array_filter(array_column($rows, 'credit_note_id')))) ?: '0';

        return [
            'refunds'      => $rows,
            'credit_notes' => $this->rowsOn($n, 'SELECT id, clientid, total, status FROM tblcreditnotes WHERE id IN (' . $noteIds . ') ORDER BY id'),
            'note_refunds' => $this->rowsOn($n, 'SELECT id, credit_note_id, amount, payment_mode FROM tblcreditnote_refunds WHERE credit_note_id IN ('
                . $noteIds . ') ORDER BY id'),
        ];
    }

    /**
     * A staff re-check POST of the payment on web node 1. The page shows the re-check button only for
     * attempts not paid yet, but the action re-reads any payment; the CSRF field is taken from the
     * payment's refund form (same staff session).
     */
    private function recheckRequest(Browser $staff, array $payment): array
    {
        [$status, , $html] = $staff->get($this->perfexUrl('admin/paybridge/refund/' . (int) $payment['id']));
        $this->assertSame(200, $status);
        $form = Browser::findForm($html, static function (array $f) {
            return isset($f['fields']['csrf_token_name']);
        });
        $this->assertNotNull($form, 'the refund page has a form with the CSRF field');

        return ['POST', $this->perfexUrl('admin/paybridge/recheck/' . (int) $payment['id']), http_build_query(['csrf_token_name' => $form['fields']['csrf_token_name']]),
            ['Content-Type: application/x-www-form-urlencoded', $staff->cookieHeader()]];
    }

    public function testTwentyRefundWebhooksSplitAcrossBothWebNodesAndAStaffRecheckBookOneCreditNote(): void
    {
        [$invoice, $payment] = $this->paidWithoutDelivery('95.00');
        [$paidBody, $paidHeaders] = $this->signedWebhook($payment);
        [$web1, $web2] = $this->webNodes();
        [$status, , $raw] = (new Browser())->request('POST', $this->webhookOn($web1, $payment), $paidBody, $paidHeaders);
        $this->assertSame([200, 'recorded'], [$status, self::label([$status, $raw])], $raw);

        $this->control($payment['provider_payment_id'], 'partial_refund', ['amount' => '20.00', 'deliver' => false]);
        [$body, $headers] = $this->signedWebhook($payment, $this->refundEventType());
        $staff = $this->adminBrowser(); // web node 1
        $requests = [];
        for ($i = 0; $i < 20; $i++) {
            $requests[] = ['POST', $this->webhookOn($i % 2 === 0 ? $web1 : $web2, $payment), $body, $headers];
        }
        $requests[] = $this->recheckRequest($staff, $payment);

        $responses = Browser::parallel($requests, 30.0);

        $recheck = array_pop($responses);
        $labels = array_map([self::class, 'label'], $responses);
        fwrite(STDERR, "\n[galera] " . $this->provider() . ': 20 refund webhooks over 2 web nodes + staff re-check: '
            . json_encode(array_count_values(array_map(static function ($r, $l) {
                return $r[0] . ' ' . $l;
            }, $responses, $labels))) . ', re-check ' . $recheck[0] . "\n");
        $this->assertContains($recheck[0], [302, 303], 'the re-check is answered with a redirect, never a 500: ' . $recheck[0]);
        foreach ($responses as $i => $r) {
            $this->assertContains($r[0], [200, 503], "copy $i: 2xx or 503 for the provider to retry, never a 500: " . $r[0] . ' ' . $r[1]);
        }
        // The provider retries a 503; one more copy on node 2 stands for that retry when every copy was asked to.
        if (!in_array(200, array_column($responses, 0), true)) {
            [$status, , $raw] = (new Browser())->request('POST', $this->webhookOn($web2, $payment), $body, $headers);
            $this->assertSame(200, $status, $raw);
        }

        $state = $this->eventually(function () use ($payment) {
            $s = $this->refundStateOn(1, $payment);

            return count($s['note_refunds']) >= 1 ? $s : null;
        }, 10.0) ?: $this->refundStateOn(1, $payment);
        $this->assertCount(1, $state['refunds'], 'one refund row: ' . json_encode($state['refunds']));
        $this->assertSame(2000, (int) $state['refunds'][0]['amount_minor']);
        $this->assertCount(1, $state['credit_notes'], 'one credit note: ' . json_encode($state['credit_notes']));
        $this->assertSame(['20.00', '2'], [$state['credit_notes'][0]['total'], (string) $state['credit_notes'][0]['status']], 'closed, for the refund');
        $this->assertCount(1, $state['note_refunds'], 'one refund on the credit note');
        $this->assertSame(['20.00', $this->provider()], [$state['note_refunds'][0]['amount'], $state['note_refunds'][0]['payment_mode']]);
        $record = $this->rowsOn(1, 'SELECT id FROM tblinvoicepaymentrecords WHERE invoiceid = ' . (int) $invoice['id'])[0]['id'];
        $this->assertCount(1, $this->rowsOn(1, "SELECT DISTINCT rel_id FROM tblitemable WHERE rel_type = 'credit_note' AND description LIKE 'Refund of payment #"
            . (int) $record . " (%'"), 'no stray credit note for this payment');
        foreach ([2, 3] as $n) {
            $this->assertSame($state, $this->refundStateOn($n, $payment), "database node $n has the same refund rows as node 1");
        }
        $this->assertRecordedOnceEverywhere($invoice, $payment, '95.00');
    }
}
