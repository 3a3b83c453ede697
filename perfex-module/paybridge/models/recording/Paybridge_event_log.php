<?php

defined('BASEPATH') or exit('No direct script access allowed');

/**
 * Step 1 of recording (see Paybridge_model): the event row, the attempt's status and, for a payment to
 * record, the claim (Paybridge_claims::claim_payment), all in one retried transaction; plus repeats, staff
 * notifications (written inside the transaction, pushed only after it committed).
 */
trait Paybridge_event_log
{
    /** Step 1 (inside in_retried_transaction). @return array|Paybridge_txn_rollback */
    private function record_once(array $event, object $payment, Paybridge_gateway_base $gateway, string $source, string $outcome, string $reason)
    {
        $db      = $this->db;
        $status  = substr((string) ($event['status'] ?? 'unknown'), 0, 30);
        $pid     = (string) $payment->provider_payment_id;
        $eventId = $this->event_key($event, $payment, $source);
        $stored  = $outcome === 'record' ? 'recorded' : $outcome;
        $bodyHash = (string) ($event['body_hash'] ?? '');

        $this->q('INSERT IGNORE INTO ' . $this->table('events')
            . ' (provider, event_id, source, payment_row_id, invoice_id, provider_payment_id, type, status, outcome, reason_code, verified, amount, currency, body_hash, created_at, last_seen_at) VALUES ('
            . implode(', ', array_map([$db, 'escape'], [
                $payment->provider, $eventId, $source, (int) $payment->id, (int) $payment->invoice_id, $pid,
                substr((string) ($event['type'] ?? ''), 0, 100), $status,
                $stored, $reason, substr((string) ($event['verified'] ?? ''), 0, 20),
                isset($event['amount']) ? substr((string) $event['amount'], 0, 32) : null,
                isset($event['currency']) ? substr((string) $event['currency'], 0, 3) : null,
                preg_match('/^[0-9a-f]{64}$/', $bodyHash) ? $bodyHash : null,
                $this->now(), $this->now(),
            ])) . ')');
        $previous = null;
        $written  = [$stored, $reason]; // outcome and reason the event row holds right now
        if ($db->affected_rows() < 1) {
            $previous = $outcome === 'record' ? $this->promote_event($payment, $eventId, $event) : null;
            $unfinished = null;
            if ($previous === null && $outcome === 'record') {
                // Seen before, but its payment's claim may have been left unfinished (issue 15): this
                // repeat is what finishes it (take-over below), so it is not a plain duplicate.
                $guard = $this->guard_row($payment);
                if ($guard !== null && $guard->state !== 'done') {
                    $unfinished = $this->q('SELECT id, outcome, reason_code FROM ' . $this->table('events') . ' WHERE payment_row_id = '
                        . (int) $payment->id . ' AND event_id = ' . $db->escape($eventId))->row();
                }
            }
            if ($previous === null && $unfinished === null) {
                // Seen before for this payment: nothing new to apply. Counted after the rollback, not
                // stored again (bounded growth whatever a token holder posts).
                $this->repeat_of = $eventId;
                if ($source === 'webhook') {
                    return new Paybridge_txn_rollback(['http' => 200, 'result' => 'duplicate', 'reason' => 'duplicate_event']);
                }
                // A module read is never answered "duplicate event": it reports what the read found.
                return new Paybridge_txn_rollback($outcome === 'record'
                    ? ['http' => 200, 'result' => 'duplicate', 'reason' => 'already_recorded']
                    : ['http' => 200, 'result' => $outcome, 'reason' => $reason]);
            }
            if ($previous !== null) {
                $eventRowId = (int) $previous->id;
                $written    = ['recorded', ''];
            } else {
                $eventRowId = (int) $unfinished->id;
                $written    = [(string) $unfinished->outcome, (string) $unfinished->reason_code];
            }
        } else {
            $eventRowId = (int) $db->insert_id();
        }

        // The attempt row, locked: recordings of one payment are serialized from here on.
        $current = $this->q('SELECT status FROM ' . $this->table('payments') . ' WHERE id = ' . (int) $payment->id . ' FOR UPDATE')->row();
        $currentStatus = $current ? (string) $current->status : '';

        $result = $outcome;
        $attemptStatus = $status;
        if ($outcome === 'record') {
            [$result, $reason, $attemptStatus] = $this->claim_payment($payment, $gateway);
            if ($result === 'busy') {
                // Another caller holds a live claim and is adding the payment now: nothing is stored;
                // the provider retries (and then finds it done), the customer sees "being confirmed".
                return new Paybridge_txn_rollback(['http' => 503, 'result' => 'error', 'reason' => 'recording_in_progress']);
            }
            if ($result === 'claimed') {
                // Ours: committed now, the payment is added after the commit (finish_claim).
                if ([$result, ''] !== $written) {
                    $this->q('UPDATE ' . $this->table('events') . " SET outcome = 'claimed', reason_code = '' WHERE id = " . $eventRowId);
                }
                $this->claim['event_row_id'] = $eventRowId;

                return ['http' => 200, 'result' => 'claimed', 'reason' => ''];
            }
        } elseif ($outcome === 'rejected') {
            $attemptStatus = 'rejected';
        } elseif ($reason === 'refund_logged' || $reason === 'chargeback_logged') {
            // Never delete a payment; tell the admin (activity log on the invoice).
            log_activity(_l('paybridge_activity_' . $reason, [$gateway->getName(), $status, $pid, format_invoice_number((int) $payment->invoice_id)]));
        }
        // The attempt's error_code carries the reason staff must see (admin page: "rejected (other_mode)").
        $errorCode = $result === 'rejected' || $reason === 'overpaid' || $reason === 'already_recorded_manually'
            ? $reason : ($result === 'recorded' ? null : false);

        if ($this->moves_forward($currentStatus, $attemptStatus)) {
            $this->q('UPDATE ' . $this->table('payments') . ' SET status = ' . $db->escape(substr($attemptStatus, 0, 30))
                . ($errorCode !== false ? ', error_code = ' . $db->escape($errorCode === null ? null : substr($errorCode, 0, 60)) : '')
                . ', updated_at = ' . $db->escape($this->now()) . ' WHERE id = ' . (int) $payment->id);
            if (in_array($attemptStatus, ['paid', 'failed', 'cancelled', 'expired', 'rejected'], true)) {
                $this->release_perfex_attempt($payment); // same transaction: undone if recording rolls back
            }
        } elseif ($result === 'logged') {
            // Issue 9 item 5: a late "pending" after "paid" is logged, never applied.
            $reason = 'stale_status';
        }

        if ($result === 'rejected' && ($previous === null || $previous->outcome !== 'rejected' || $previous->reason_code !== $reason)) {
            $this->tell_staff('rejected', $reason, $gateway, $payment, $status);
        }

        if ([$result, $reason] !== $written) {
            $this->q('UPDATE ' . $this->table('events') . ' SET outcome = ' . $db->escape($result)
                . ', reason_code = ' . $db->escape($reason) . ' WHERE id = ' . $eventRowId);
        }

        return ['http' => 200, 'result' => $result, 'reason' => $reason];
    }

    /**
     * The event key is already stored for this payment, but it was not recorded then (the API still said
     * "not paid", or the payment was refused or ignored). Now that the verified facts allow recording, that
     * row is taken over (a current-read UPDATE, so exactly one concurrent caller wins) and recording goes
     * on under the payment guard. @return object|null the stored row (id, outcome, reason_code) before the
     * take-over, null for a plain duplicate
     */
    private function promote_event(object $payment, string $eventId, array $event): ?object
    {
        $db = $this->db;
        // Plain (non-locking) read first: the common duplicate is already "recorded", and asking for an
        // exclusive lock there would deadlock concurrent deliveries that all hold the shared one.
        $where = ' WHERE payment_row_id = ' . (int) $payment->id . ' AND event_id = ' . $db->escape($eventId);
        $seen  = $this->q('SELECT id, outcome, reason_code FROM ' . $this->table('events') . $where)->row();
        if (!$seen || !in_array($seen->outcome, ['logged', 'ignored', 'rejected'], true)) {
            return null;
        }
        $this->q('UPDATE ' . $this->table('events') . " SET outcome = 'recorded', reason_code = '', status = 'paid', "
            . 'verified = ' . $db->escape(substr((string) ($event['verified'] ?? ''), 0, 20))
            . ', amount = ' . $db->escape(isset($event['amount']) ? substr((string) $event['amount'], 0, 32) : null)
            . ', currency = ' . $db->escape(isset($event['currency']) ? substr((string) $event['currency'], 0, 3) : null)
            . ', last_seen_at = ' . $db->escape($this->now())
            . $where . " AND outcome IN ('logged', 'ignored', 'rejected')");

        return $db->affected_rows() < 1 ? null : $seen;
    }

    /** A repeat of a stored event: counted on its row (autocommit, best effort), never stored again. */
    private function count_repeat(object $payment, string $eventId): void
    {
        try {
            $this->db->query('UPDATE ' . $this->table('events') . ' SET repeats = repeats + 1, last_seen_at = '
                . $this->db->escape($this->now()) . ' WHERE payment_row_id = ' . (int) $payment->id
                . ' AND event_id = ' . $this->db->escape($eventId));
        } catch (Throwable $e) {
            // Only a counter.
        }
    }

    /**
     * A refused payment (rejected: amount, currency, mode, invoice) or an overpayment: one activity-log
     * line and a Perfex notification to every active staff member allowed to see payments.
     */
    private function tell_staff(string $kind, string $reason, Paybridge_gateway_base $gateway, object $payment, string $status): void
    {
        $args = [$gateway->getName(), (string) $payment->provider_payment_id, format_invoice_number((int) $payment->invoice_id), $reason];
        log_activity(_l('paybridge_activity_' . $kind, $args));
        if (!function_exists('add_notification')) {
            return;
        }
        $staff = $this->q('SELECT staffid, admin FROM ' . db_prefix() . 'staff WHERE active = 1')->result();
        foreach ($staff as $member) {
            $allowed = (int) $member->admin === 1
                || (function_exists('staff_can') && staff_can('view', 'payments', (int) $member->staffid));
            if (!$allowed) {
                continue;
            }
            $ok = add_notification([
                'description'     => 'paybridge_notification_' . $kind,
                'touserid'        => (int) $member->staffid,
                'fromcompany'     => 1,
                'fromuserid'      => 0,
                'link'            => 'invoices/list_invoices/' . (int) $payment->invoice_id,
                'additional_data' => serialize($args),
            ]);
            if ($ok) {
                $this->notified[] = (int) $member->staffid;
            }
        }
    }

    /** Real-time push of the staff notifications the last committed transaction wrote (a courtesy). */
    private function push_notified(): void
    {
        if ($this->notified && function_exists('pusher_trigger_notification')) {
            try {
                pusher_trigger_notification($this->notified);
            } catch (Throwable $e) {
                // The notification rows are committed.
            }
        }
        $this->notified = [];
    }
}
