<?php

defined('BASEPATH') or exit('No direct script access allowed');

/**
 * The payment guard (tblpaybridge_recorded) of Paybridge_model's recording: the claim inside step 1, its
 * take-over when its owner died, steps 2 and 3 (addPayment() once outside any transaction, then `done`)
 * and the short wait for a live owner on another web node (perfex.md "Recording").
 */
trait Paybridge_claims
{
    /** The guard row of the attempt's provider payment (plain read), or null. */
    private function guard_row(object $payment): ?object
    {
        $row = $this->q('SELECT id, state, claim_token, claimed_at, paymentrecord_id FROM ' . $this->table('recorded')
            . ' WHERE provider = ' . $this->db->escape($payment->provider) . ' AND provider_payment_id = '
            . $this->db->escape((string) $payment->provider_payment_id))->row();

        return $row ?: null;
    }

    private function claim_stale_seconds(): int
    {
        $v = function_exists('get_option') ? (string) get_option('paybridge_claim_stale_seconds') : '';

        return ctype_digit($v) && (int) $v > 0 ? (int) $v : self::CLAIM_STALE_SECONDS;
    }

    /**
     * Step 1's money part, inside the claim transaction (perfex.md "Recording"), checked against the invoice
     * as it is NOW (issue 9 item 9). Inserts the guard row `claimed` with a fresh token; the payment itself
     * is added only after this transaction committed (finish_claim). @return array{0:string,1:string,2:string}
     * result (claimed | busy | duplicate | rejected), reason, the attempt's new status
     */
    private function claim_payment(object $payment, Paybridge_gateway_base $gateway): array
    {
        $db  = $this->db;
        $pid = (string) $payment->provider_payment_id;

        // Already recorded or being recorded: a plain read answers the common redelivery without touching the invoice.
        $guard = $this->guard_row($payment);
        if ($guard !== null) {
            return $this->take_over($guard, $payment);
        }

        // The invoice row, locked (on one server two attempts paying one invoice are serialized here).
        $invoice = $this->q('SELECT id, status, currency FROM ' . db_prefix() . 'invoices WHERE id = ' . (int) $payment->invoice_id . ' FOR UPDATE')->row();
        if (!$invoice) {
            return ['rejected', 'invoice_not_found', 'rejected'];
        }
        $currency = $this->q('SELECT name FROM ' . db_prefix() . 'currencies WHERE id = ' . (int) $invoice->currency)->row();
        if (!$currency || strtoupper((string) $currency->name) !== strtoupper((string) $payment->currency)) {
            // Staff changed the invoice's currency after the customer started paying: the money is real
            // but in another currency than the invoice now asks for. Never recorded; staff are told.
            return ['rejected', 'currency_mismatch', 'rejected'];
        }

        // The guard: UNIQUE provider + provider payment id. On Galera a second node's INSERT of the same key
        // succeeds locally and fails at COMMIT (1213): that whole transaction is retried and lands above.
        $token = bin2hex(random_bytes(16));
        $this->q('INSERT IGNORE INTO ' . $this->table('recorded')
            . ' (provider, provider_payment_id, payment_row_id, invoice_id, amount, currency, event_row_id, state, claim_token, claimed_at, created_at) VALUES ('
            . implode(', ', array_map([$db, 'escape'], [
                $payment->provider, $pid, (int) $payment->id, (int) $payment->invoice_id, $payment->amount,
                $payment->currency, null, 'claimed', $token, $this->now(), $this->now(),
            ])) . ')');
        if ($db->affected_rows() < 1) {
            $guard = $this->guard_row($payment);

            return $guard !== null ? $this->take_over($guard, $payment) : ['busy', 'recording_in_progress', ''];
        }
        $recordedId = (int) $db->insert_id();

        // Staff may have entered this payment by hand already (Perfex's own check for core gateways):
        // the guard row is kept, done, pointing at their record, so later events stop at the guard.
        $this->load->model('payments_model');
        if ($this->payments_model->transaction_exists($pid, (int) $payment->invoice_id)) {
            $manual = $this->q('SELECT id FROM ' . db_prefix() . 'invoicepaymentrecords WHERE invoiceid = ' . (int) $payment->invoice_id
                . ' AND transactionid = ' . $db->escape($pid) . ' ORDER BY id ASC LIMIT 1')->row();
            $this->q('UPDATE ' . $this->table('recorded') . " SET state = 'done', claim_token = NULL, finished_at = " . $db->escape($this->now())
                . ', paymentrecord_id = ' . ($manual ? (int) $manual->id : 'NULL') . ' WHERE id = ' . $recordedId);
            log_activity(_l('paybridge_activity_already_recorded_manually', [$gateway->getName(), $pid, format_invoice_number((int) $payment->invoice_id)]));

            return ['duplicate', 'already_recorded_manually', 'paid'];
        }

        $this->claim = ['id' => $recordedId, 'token' => $token];

        return ['claimed', '', 'paid'];
    }

    /**
     * A guard row exists. Done: a duplicate. Claimed by a live owner (claim younger than
     * paybridge_claim_stale_seconds): busy. Claimed long ago (its owner died between the steps): taken over
     * with a compare-and-swap on the old token, so of several takers exactly one wins (on Galera the others
     * fail at COMMIT, retry and see a live claim).
     */
    private function take_over(object $guard, object $payment): array
    {
        if ($guard->state === 'done') {
            return ['duplicate', 'already_recorded', 'paid'];
        }
        $staleBefore = date('Y-m-d H:i:s', time() - $this->claim_stale_seconds());
        if ($guard->claimed_at !== null && (string) $guard->claimed_at > $staleBefore) {
            return ['busy', 'recording_in_progress', ''];
        }
        $token = bin2hex(random_bytes(16));
        $this->q('UPDATE ' . $this->table('recorded') . ' SET claim_token = ' . $this->db->escape($token) . ', claimed_at = '
            . $this->db->escape($this->now()) . ' WHERE id = ' . (int) $guard->id . " AND state = 'claimed' AND claim_token <=> "
            . $this->db->escape($guard->claim_token));
        if ($this->db->affected_rows() < 1) {
            return ['busy', 'recording_in_progress', ''];
        }
        log_message('error', 'paybridge: taking over the unfinished recording of ' . $payment->provider . ' payment row ' . (int) $payment->id);
        $this->claim = ['id' => (int) $guard->id, 'token' => $token];

        return ['claimed', '', 'paid'];
    }

    /**
     * Steps 2 and 3 for the owner of a committed claim: addPayment() exactly once, outside any transaction,
     * unless the payment is already there (a previous owner died after adding it), then the guard is marked
     * done (only while it still holds our token), the attempt and the event move forward.
     */
    private function finish_claim(array $claim, object $payment, Paybridge_gateway_base $gateway): array
    {
        $db  = $this->db;
        $pid = (string) $payment->provider_payment_id;
        $unavailable = ['http' => 503, 'result' => 'error', 'reason' => 'database_unavailable'];
        $recordWhere = ' WHERE invoiceid = ' . (int) $payment->invoice_id . ' AND transactionid = ' . $db->escape($pid);
        try {
            $guard = $this->q('SELECT state, claim_token FROM ' . $this->table('recorded') . ' WHERE id = ' . (int) $claim['id'])->row();
            if (!$guard || $guard->state !== 'claimed' || $guard->claim_token !== $claim['token']) {
                // Taken over meanwhile (we were slower than paybridge_claim_stale_seconds): the new owner finishes.
                return ['http' => 503, 'result' => 'error', 'reason' => 'recording_in_progress'];
            }
            $existing = $this->q('SELECT id FROM ' . db_prefix() . 'invoicepaymentrecords' . $recordWhere . ' ORDER BY id ASC LIMIT 1')->row();
            if ($existing) {
                $recordId = (int) $existing->id; // added by the claim's previous owner: never added again
            } else {
                for ($try = 1; ; $try++) {
                    // Issue 13 item 5: Perfex records the invoice part; the gateway fee goes by Perfex's attempt reference.
                    $ok = $gateway->addPayment($gateway->paymentRecordData($payment, [
                        'amount'        => $payment->amount, // the requested Perfex amount, equal to what was paid
                        'invoiceid'     => (int) $payment->invoice_id,
                        'transactionid' => $pid,
                        'paymentmethod' => '', // Perfex shows "<mode> - <method>"; the mode already says NeroPay
                        'note'          => _l('paybridge_payment_note', [$gateway->getName(), $pid])
                            . ($gateway->getSetting('test_mode_enabled') === '1' ? ' [test]' : ''),
                    ]));
                    // FALSE: Payments_model::add()'s INSERT failed (db_debug off), so nothing was added and no
                    // mail sent; a deadlock / conflict there is retried like a transaction.
                    if ($ok || $try >= self::TRIES || !in_array($this->last_error_code(), self::RETRYABLE_ERRORS, true)) {
                        break;
                    }
                    usleep(random_int(5000, 25000) * $try);
                }
                if (!$ok) {
                    // Payments_model::add() inserted nothing (its INSERT failed): give the claim back at once,
                    // so the provider's retry does not wait for it to go stale.
                    $db->query('UPDATE ' . $this->table('recorded') . ' SET claimed_at = NULL WHERE id = ' . (int) $claim['id']
                        . " AND state = 'claimed' AND claim_token = " . $db->escape($claim['token']));

                    return $unavailable;
                }
                $record   = $this->q('SELECT id FROM ' . db_prefix() . 'invoicepaymentrecords' . $recordWhere . ' ORDER BY id DESC LIMIT 1')->row();
                $recordId = $record ? (int) $record->id : 0;
            }
        } catch (Throwable $e) {
            // Whether the payment was added is unknown here: the claim stays; whoever takes it over once it is
            // stale looks for the payment first.
            log_message('error', 'paybridge: adding the payment failed (' . get_class($e) . ' ' . $this->error_code($e) . ')');

            return $unavailable;
        }

        try {
            return $this->in_retried_transaction(function () use ($claim, $payment, $gateway, $recordId, $existing) {
                $this->notified = [];
                $db = $this->db;
                $this->q('UPDATE ' . $this->table('recorded') . " SET state = 'done', claim_token = NULL, finished_at = "
                    . $db->escape($this->now()) . ', paymentrecord_id = ' . ($recordId > 0 ? $recordId : 'NULL')
                    . ' WHERE id = ' . (int) $claim['id'] . " AND state = 'claimed' AND claim_token = " . $db->escape($claim['token']));
                if ($db->affected_rows() < 1) {
                    return new Paybridge_txn_rollback(['http' => 503, 'result' => 'error', 'reason' => 'recording_in_progress']);
                }
                // Money really received is never dropped (issue 9 item 9): a payment for an invoice that other
                // payments had already covered before ours is recorded and flagged for staff.
                $overpaid = $recordId > 0 && (bool) $this->q('SELECT (SELECT COALESCE(SUM(amount), 0) FROM ' . db_prefix()
                    . 'invoicepaymentrecords WHERE invoiceid = i.id AND id < ' . $recordId . ') >= i.total AS covered FROM '
                    . db_prefix() . 'invoices i WHERE i.id = ' . (int) $payment->invoice_id)->row()->covered;
                $status  = $overpaid ? 'overpaid' : 'paid';
                $reason  = $overpaid ? 'overpaid' : ($existing ? 'recovered' : '');
                $current = $this->q('SELECT status FROM ' . $this->table('payments') . ' WHERE id = ' . (int) $payment->id . ' FOR UPDATE')->row();
                if ($this->moves_forward($current ? (string) $current->status : '', $status)) {
                    $this->q('UPDATE ' . $this->table('payments') . ' SET status = ' . $db->escape($status)
                        . ', error_code = ' . $db->escape($overpaid ? 'overpaid' : null)
                        . ', updated_at = ' . $db->escape($this->now()) . ' WHERE id = ' . (int) $payment->id);
                    $this->release_perfex_attempt($payment);
                }
                $this->q('UPDATE ' . $this->table('events') . " SET outcome = 'recorded', reason_code = " . $db->escape($overpaid ? 'overpaid' : '')
                    . ' WHERE id = ' . (int) ($claim['event_row_id'] ?? 0));
                if ($overpaid) {
                    $this->tell_staff('overpaid', 'overpaid', $gateway, $payment, 'paid');
                }

                return ['http' => 200, 'result' => 'recorded', 'reason' => $reason];
            });
        } catch (Throwable $e) {
            // The payment exists; the guard stays claimed and the next caller (after it is stale) marks it done.
            log_message('error', 'paybridge: finishing the recording failed (' . get_class($e) . ' ' . $this->error_code($e) . ')');

            return $unavailable;
        }
    }

    /**
     * Another request (maybe on another web node) holds the live claim and is adding the payment. Its
     * addPayment() takes a moment (Perfex builds a PDF and mails): wait up to WAIT_FOR_OWNER_MS for its
     * guard row to become `done` and answer like a duplicate, as a duplicate waiting on a row lock did on
     * one server; otherwise 503 (the provider retries, the customer sees "being confirmed").
     */
    private function wait_for_owner(object $payment, string $source, array $busy): array
    {
        $until = microtime(true) + self::WAIT_FOR_OWNER_MS / 1000;
        do {
            usleep(100000);
            try {
                $guard = $this->guard_row($payment);
            } catch (Throwable $e) {
                return $busy;
            }
            if ($guard !== null && $guard->state === 'done') {
                return ['http' => 200, 'result' => 'duplicate', 'reason' => $source === 'webhook' ? 'duplicate_event' : 'already_recorded'];
            }
        } while (microtime(true) < $until);

        return $busy;
    }
}
