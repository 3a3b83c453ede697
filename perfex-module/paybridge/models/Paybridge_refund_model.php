<?php

defined('BASEPATH') or exit('No direct script access allowed');

require_once __DIR__ . '/../libraries/Paybridge_txn.php';
require_once __DIR__ . '/refunds/Paybridge_refund_booking.php';

/**
 * Refunds and chargebacks of payments this module recorded (issue 13 items 3, 4, 7; contract 5).
 *
 * Every path that learns about a refund ends here: the refund API's answer (admin action), and
 * Paybridge_model::record() for webhooks, the return URL, the admin re-check and the cron (sync(), called
 * with the API re-read, whose `refunds` / `chargebacks` lists are the only source: a refund webhook body is
 * a wake-up, contract 2). Rules:
 *  - all work on one payment runs under a lock on its paybridge_payments row, so concurrent webhooks, the
 *    admin's own answer and the cron are serialized per payment;
 *  - a provider refund (or chargeback) id is stored once (UNIQUE provider + kind + id); an admin refund row
 *    is created with its one-time idempotency key and committed before the API call;
 *  - Perfex's books (perfex.md "Refunds in Perfex"): a credit note for the invoice's client in the invoice's
 *    currency with one line, and a refund on it (tblcreditnote_refunds, payment mode = the gateway) so it
 *    closes; the guard (`booked_at` set by a conditional UPDATE) is in the same transaction as the credit
 *    note, so a refund is booked exactly once. The original payment record is never touched.
 *  - never more booked than was paid: amounts compared in integer minor units of the currency's exponent.
 */
class Paybridge_refund_model extends App_Model
{
    use Paybridge_refund_booking;

    /**
     * How long a sent refund request may still be in flight (the refund client times out after 15 s): the
     * one window claim_api_call(), is_stuck(), cancel_stuck() and the controller's resubmit rule share.
     */
    public const IN_FLIGHT_SECONDS = 60;

    /** Staff ids notified by the current sync (pushed after the commit). @var int[] */
    private array $notified = [];

    private function table(): string
    {
        return db_prefix() . 'paybridge_refunds';
    }

    private function now(): string
    {
        return date('Y-m-d H:i:s');
    }

    // ------------------------------------------------------------------ reads

    public function find(int $id): ?object
    {
        $row = $this->db->where('id', $id)->get($this->table())->row();

        return $row ?: null;
    }

    /** @return array<int, array> the payment's refund and chargeback rows, oldest first */
    public function for_payment(int $paymentRowId): array
    {
        return $this->db->query('SELECT * FROM ' . $this->table() . ' WHERE payment_row_id = ' . $paymentRowId . ' ORDER BY id')->result_array();
    }

    /** The Perfex payment record (tblinvoicepaymentrecords id) this module made for the payment, or null. */
    public function payment_record_id(object $payment): ?int
    {
        $row = $this->db->query('SELECT paymentrecord_id FROM ' . db_prefix() . 'paybridge_recorded WHERE provider = '
            . $this->db->escape($payment->provider) . ' AND provider_payment_id = ' . $this->db->escape((string) $payment->provider_payment_id)
            . ' AND payment_row_id = ' . (int) $payment->id . ' LIMIT 1')->row();

        return $row && $row->paymentrecord_id !== null ? (int) $row->paymentrecord_id : null;
    }

    /**
     * What may still be refunded, in minor units: the amount paid minus refunds that succeeded or are still
     * pending and chargebacks (issue 13 item 7: integer arithmetic only).
     */
    public function refundable_minor(object $payment): int
    {
        $row = $this->db->query('SELECT COALESCE(SUM(amount_minor), 0) AS taken FROM ' . $this->table() . ' WHERE payment_row_id = '
            . (int) $payment->id . " AND status IN ('pending', 'succeeded')")->row();

        return max(0, (int) $payment->amount_minor - (int) ($row->taken ?? 0));
    }

    // ------------------------------------------------------------------ admin refund (contract 6)

    /**
     * Stores the pending row of an admin refund (committed before any API call), or finds the row a previous
     * POST of the same form (same one-time key) stored. Refused when the amount is more than is still
     * refundable (checked under the payment lock, so two forms cannot together refund more than was paid).
     * @return array{0:?object,1:string} the row, or null and an error code
     */
    public function start_admin_refund(object $payment, string $key, int $amountMinor, string $reason, int $staffId): array
    {
        if (!preg_match('/^[a-f0-9]{32}$/', $key) || $amountMinor <= 0) {
            return [null, 'invalid_request'];
        }
        $existing = $this->db->where('idempotency_key', $key)->get($this->table())->row();
        if ($existing) {
            return (int) $existing->payment_row_id === (int) $payment->id ? [$existing, ''] : [null, 'invalid_request'];
        }
        // A conflict at COMMIT (the same form posted on two web nodes, Galera: 1213) runs it again, and the
        // retry finds the winner's row by its key (README "Two commands": several web nodes over Galera).
        $done = Paybridge_txn::run($this->db, function () use ($payment, $key, $amountMinor, $reason, $staffId) {
            $this->lock_payment($payment);
            $again = $this->q('SELECT * FROM ' . $this->table() . ' WHERE idempotency_key = ' . $this->db->escape($key))->row();
            if ($again) {
                return new Paybridge_txn_rollback((int) $again->payment_row_id === (int) $payment->id ? [$again, ''] : [null, 'invalid_request']);
            }
            if ($amountMinor > $this->refundable_minor($payment)) {
                return new Paybridge_txn_rollback([null, 'refund_exceeds_refundable']);
            }
            $this->q('INSERT INTO ' . $this->table() . ' (provider, payment_row_id, invoice_id, provider_payment_id, idempotency_key, kind, source,'
                . ' status, amount_minor, currency, staff_id, reason, created_at, updated_at) VALUES (' . implode(', ', array_map([$this->db, 'escape'], [
                    $payment->provider, (int) $payment->id, (int) $payment->invoice_id, (string) $payment->provider_payment_id, $key, 'refund', 'admin',
                    'pending', $amountMinor, strtoupper((string) $payment->currency), $staffId > 0 ? $staffId : null, mb_substr($reason, 0, 255),
                    $this->now(), $this->now(),
                ])) . ')');
            $id = (int) $this->db->insert_id();
            // The cron re-reads the payment soon while this refund is pending (Paybridge_reconcile_model).
            $this->q('UPDATE ' . db_prefix() . 'paybridge_payments SET refund_check_next_at = '
                . $this->db->escape(date('Y-m-d H:i:s', time() + 120)) . ' WHERE id = ' . (int) $payment->id);

            return $id;
        });

        return is_int($done) ? [$this->find($done), ''] : $done;
    }

    /**
     * Claims the right to send this row's refund request now: exactly one of two concurrent POSTs of one
     * form gets it (the other is told the refund is in progress), and a row whose request may still be in
     * flight is not sent again for 60 s. A later retry of the same form sends the same idempotency key.
     */
    public function claim_api_call(object $row): bool
    {
        $this->db->query('UPDATE ' . $this->table() . ' SET api_attempt_at = ' . $this->db->escape($this->now())
            . ', updated_at = ' . $this->db->escape($this->now()) . ' WHERE id = ' . (int) $row->id
            . " AND status = 'pending' AND provider_refund_id IS NULL"
            . ' AND (api_attempt_at IS NULL OR api_attempt_at < ' . $this->db->escape(date('Y-m-d H:i:s', time() - self::IN_FLIGHT_SECONDS)) . ')');

        return $this->db->affected_rows() === 1;
    }

    /**
     * An admin refund staff may retry or cancel (views/refund.php): pending, no provider refund attached, and
     * created and last sent over 60 s ago (claim_api_call's in-flight window; the refund client times out
     * after 15 s), so no request of it can still be on its way.
     */
    public static function is_stuck(object $row): bool
    {
        $cutoff = time() - self::IN_FLIGHT_SECONDS;

        return $row->source === 'admin' && $row->kind === 'refund' && $row->status === 'pending' && $row->provider_refund_id === null
            && strtotime((string) $row->created_at) < $cutoff
            && ($row->api_attempt_at === null || strtotime((string) $row->api_attempt_at) < $cutoff);
    }

    /**
     * Staff cancel a stuck admin refund after the re-read of the payment showed no refund for it (the
     * controller re-reads first): the row ends failed with `cancelled_by_staff` and no longer holds its
     * amount (refundable_minor counts pending and succeeded only). Conditional, so a retry or a sighting
     * that attached a provider refund meanwhile wins. @return bool whether this call cancelled it
     */
    public function cancel_stuck(object $row): bool
    {
        $cutoff = $this->db->escape(date('Y-m-d H:i:s', time() - self::IN_FLIGHT_SECONDS));
        $this->db->query('UPDATE ' . $this->table() . " SET status = 'failed', error_code = 'cancelled_by_staff', updated_at = "
            . $this->db->escape($this->now()) . ' WHERE id = ' . (int) $row->id
            . " AND source = 'admin' AND status = 'pending' AND provider_refund_id IS NULL AND created_at < " . $cutoff
            . ' AND (api_attempt_at IS NULL OR api_attempt_at < ' . $cutoff . ')');

        return $this->db->affected_rows() === 1;
    }

    /** The provider refused before creating anything (4xx, typed error): the row ends failed, nothing is booked. */
    public function api_refused(object $row, string $errorCode): void
    {
        $this->db->query('UPDATE ' . $this->table() . " SET status = 'failed', error_code = " . $this->db->escape(substr($errorCode, 0, 60))
            . ', updated_at = ' . $this->db->escape($this->now()) . ' WHERE id = ' . (int) $row->id . " AND status = 'pending' AND provider_refund_id IS NULL");
    }

    /** The outcome is unknown (timeout, 5xx): the row stays pending; a webhook, the cron or a retry settles it. */
    public function api_unsettled(object $row, string $errorCode): void
    {
        $this->db->query('UPDATE ' . $this->table() . ' SET error_code = ' . $this->db->escape(substr($errorCode, 0, 60))
            . ', updated_at = ' . $this->db->escape($this->now()) . ' WHERE id = ' . (int) $row->id);
    }

    /**
     * The refund API's answer (contract 1) for an admin row: the provider refund id is attached to the row
     * (unless a webhook already attached it), then booked like any other sighting.
     * @return object the row as it is now
     */
    public function apply_api_answer(object $row, array $answer, object $payment, Paybridge_gateway_base $gateway): object
    {
        $item = $this->normalize('refund', $answer, $payment);
        if ($item === null) {
            $this->api_unsettled($row, 'invalid_response');

            return $this->find((int) $row->id) ?? $row;
        }
        $this->run_locked($payment, function () use ($row, $item, $payment, $gateway) {
            $this->apply($item, $payment, $gateway, (int) $row->id);
        });

        return $this->find((int) $row->id) ?? $row;
    }

    // ------------------------------------------------------------------ provider reads (contract 2)

    /**
     * Refunds and chargebacks of an API-verified payment read (contract 5: called from
     * Paybridge_model::record() after the payment's event was handled). Only payments this module recorded
     * are booked: money Perfex never saw needs no credit note.
     * @return array{http:int, result:string, reason:string}|null null when there was nothing to do
     */
    public function sync(array $read, object $payment, Paybridge_gateway_base $gateway, string $source): ?array
    {
        $items = [];
        foreach (is_array($read['refunds'] ?? null) ? $read['refunds'] : [] as $refund) {
            if (is_array($refund) && ($n = $this->normalize('refund', $refund, $payment)) !== null) {
                $items[] = $n;
            }
        }
        foreach (is_array($read['chargebacks'] ?? null) ? $read['chargebacks'] : [] as $chargeback) {
            if (is_array($chargeback) && ($n = $this->normalize('chargeback', $chargeback + ['status' => 'succeeded'], $payment)) !== null) {
                $items[] = $n;
            }
        }
        if (($read['status'] ?? '') === 'chargeback' && !array_filter($items, static fn ($i) => $i['kind'] === 'chargeback')
            && !$this->db->query('SELECT id FROM ' . $this->table() . " WHERE kind = 'chargeback' AND payment_row_id = " . (int) $payment->id . ' LIMIT 1')->row()) {
            // Contract 2: the list may be empty although the payment is charged back. The whole amount not
            // refunded yet is disputed; keyed by the payment so every path books the same one.
            $items[] = ['kind' => 'chargeback', 'id' => 'payment:' . (string) $payment->provider_payment_id, 'status' => 'succeeded',
                'amount_minor' => null, 'currency' => strtoupper((string) $payment->currency), 'reason' => ''];
        }
        if (!$items || (string) $payment->provider_payment_id === '' || $this->payment_record_id($payment) === null) {
            return null;
        }
        $this->run_locked($payment, function () use ($items, $payment, $gateway) {
            foreach ($items as $item) {
                $this->apply($item, $payment, $gateway, null);
            }
        });

        return ['http' => 200, 'result' => 'synced', 'reason' => ''];
    }

    /** @return array|null {kind, id, status, amount_minor, currency, reason} or null when unusable */
    private function normalize(string $kind, array $r, object $payment): ?array
    {
        $id = trim((string) ($r['id'] ?? ''));
        $status = (string) ($r['status'] ?? '');
        if ($id === '' || strlen($id) > 180 || !in_array($status, ['pending', 'succeeded', 'failed'], true)) {
            return null;
        }
        $currency = strtoupper((string) ($r['currency'] ?? $payment->currency));
        $minor = $r['amount_minor'] ?? null;
        if (!is_int($minor)) {
            try {
                $minor = Paybridge_money::toMinor((string) ($r['amount'] ?? ''), $currency);
            } catch (InvalidArgumentException $e) {
                return null;
            }
        }

        if ($minor <= 0) {
            return null; // nothing went back: never a credit note of zero or a negative amount
        }

        return ['kind' => $kind, 'id' => $id, 'status' => $status, 'amount_minor' => $minor, 'currency' => $currency,
            'reason' => mb_substr((string) ($r['reason'] ?? ''), 0, 255)];
    }

    // ------------------------------------------------------------------ the serialized part

    /**
     * Runs $work in one transaction under the payment's row lock, run again from the start on a deadlock or a
     * Galera certification conflict, also at COMMIT (Paybridge_txn; a retry sees what the winner committed:
     * booked_at set, the refund row there, and books nothing twice). Staff notifications are rows of that
     * transaction; they are pushed only after it committed, and only the committed try's.
     */
    private function run_locked(object $payment, callable $work): void
    {
        Paybridge_txn::run($this->db, function () use ($payment, $work) {
            $this->notified = []; // a try that was rolled back notified nobody
            $this->lock_payment($payment);
            $work();

            return null;
        });
        if ($this->notified && function_exists('pusher_trigger_notification')) {
            try {
                pusher_trigger_notification($this->notified);
            } catch (Throwable $e) {
                // Real-time push is a courtesy; the notification rows are committed.
            }
        }
    }

    /**
     * One provider refund or chargeback seen by any path: find or create its row, move its status forward,
     * book it once it succeeded. $adminRowId: the admin row the API answer belongs to.
     */
    private function apply(array $item, object $payment, Paybridge_gateway_base $gateway, ?int $adminRowId): void
    {
        $db = $this->db;
        if ($item['currency'] !== strtoupper((string) $payment->currency)) {
            log_activity(_l('paybridge_activity_refund_currency', [$gateway->getName(), $item['id'], (string) $payment->provider_payment_id, $item['currency']]));

            return;
        }
        // Scoped to this payment (the unique key is too): a refund id seen on another payment is never this one.
        $byId = $this->q('SELECT * FROM ' . $this->table() . ' WHERE provider = ' . $db->escape($payment->provider)
            . ' AND payment_row_id = ' . (int) $payment->id
            . ' AND kind = ' . $db->escape($item['kind']) . ' AND provider_refund_id = ' . $db->escape($item['id']))->row();
        if ($byId === null && $item['kind'] === 'chargeback' && strpos($item['id'], 'payment:') !== 0
            && $this->q('SELECT id FROM ' . $this->table() . " WHERE kind = 'chargeback' AND payment_row_id = " . (int) $payment->id
                . ' AND provider_refund_id = ' . $db->escape('payment:' . (string) $payment->provider_payment_id))->row()) {
            return; // already booked from a read that listed no chargeback (keyed by the payment): the same dispute
        }
        $row = $byId;
        if ($byId !== null && $adminRowId !== null && (int) $byId->id !== $adminRowId) {
            // A webhook stored this refund before the admin's answer came back (it could not tell it was
            // the admin's): the admin row's key, staff and reason move onto it, so it is counted once.
            $own = $this->q('SELECT * FROM ' . $this->table() . ' WHERE id = ' . $adminRowId)->row();
            if ($own && $own->provider_refund_id === null) {
                $this->q('DELETE FROM ' . $this->table() . ' WHERE id = ' . $adminRowId);
                $this->q('UPDATE ' . $this->table() . " SET source = 'admin', idempotency_key = " . $db->escape($own->idempotency_key)
                    . ', staff_id = ' . $db->escape($own->staff_id) . ', reason = ' . $db->escape($own->reason)
                    . ', api_attempt_at = ' . $db->escape($own->api_attempt_at) . ' WHERE id = ' . (int) $byId->id);
            }
        }
        if ($row === null && $adminRowId !== null) {
            $own = $this->q('SELECT * FROM ' . $this->table() . ' WHERE id = ' . $adminRowId)->row();
            if ($own && $own->provider_refund_id === null) {
                $row = $own;
            } elseif ($own) {
                $row = null; // the admin row already holds another refund: this answer is a separate refund
            }
        }
        if ($row === null && $item['kind'] === 'refund' && $item['amount_minor'] !== null) {
            // An admin refund whose API answer has not been applied yet (still in flight, or lost): the
            // provider's refund of the same amount is that one. Only rows whose request was sent qualify.
            $row = $this->q('SELECT * FROM ' . $this->table() . ' WHERE payment_row_id = ' . (int) $payment->id
                . " AND kind = 'refund' AND source = 'admin' AND provider_refund_id IS NULL AND status = 'pending' AND api_attempt_at IS NOT NULL"
                . ' AND amount_minor = ' . (int) $item['amount_minor'] . ' ORDER BY id LIMIT 1')->row();
        }
        if ($row !== null && $row->provider_refund_id === null) {
            $this->q('UPDATE ' . $this->table() . ' SET provider_refund_id = ' . $db->escape($item['id']) . ', updated_at = '
                . $db->escape($this->now()) . ' WHERE id = ' . (int) $row->id);
            $row->provider_refund_id = $item['id'];
        }
        if ($row !== null && $item['amount_minor'] !== null && $row->booked_at === null
            && (int) $row->amount_minor !== (int) $item['amount_minor']) {
            // The provider reports another amount for this refund than the row holds (e.g. the admin asked
            // 40.00, the provider refunded 30.00): the provider is the truth about money moved, so its amount
            // is booked (book() still caps at what was paid) and staff are told the amounts differ.
            $asked = Paybridge_money::fromMinor((int) $row->amount_minor, (string) $row->currency) . ' ' . $row->currency;
            $this->q('UPDATE ' . $this->table() . ' SET amount_minor = ' . (int) $item['amount_minor'] . ', updated_at = '
                . $db->escape($this->now()) . ' WHERE id = ' . (int) $row->id);
            $row->amount_minor = (int) $item['amount_minor'];
            $this->tell_staff('refund_amount_differs', $gateway, $payment, $row, $asked);
        }
        if ($row === null) {
            $amount = $item['amount_minor'] ?? $this->refundable_minor($payment);
            if ($amount <= 0) {
                return;
            }
            $this->q('INSERT INTO ' . $this->table() . ' (provider, payment_row_id, invoice_id, provider_payment_id, provider_refund_id, kind, source,'
                . ' status, amount_minor, currency, reason, created_at, updated_at) VALUES (' . implode(', ', array_map([$db, 'escape'], [
                    $payment->provider, (int) $payment->id, (int) $payment->invoice_id, (string) $payment->provider_payment_id, $item['id'],
                    $item['kind'], 'provider', 'pending', $amount, $item['currency'], $item['reason'], $this->now(), $this->now(),
                ])) . ')');
            $row = $this->q('SELECT * FROM ' . $this->table() . ' WHERE id = ' . (int) $db->insert_id())->row();
        }

        // Status only moves forward: pending -> succeeded | failed.
        if ($row->status === 'pending' && $item['status'] !== 'pending') {
            $this->q('UPDATE ' . $this->table() . ' SET status = ' . $db->escape($item['status'])
                . ($item['status'] === 'succeeded' ? ', error_code = NULL' : '')
                . ', updated_at = ' . $db->escape($this->now()) . ' WHERE id = ' . (int) $row->id . " AND status = 'pending'");
            $row->status = $item['status'];
            if ($item['status'] === 'failed') {
                // Async failure: the money did not go back. No credit note; staff must know.
                $this->tell_staff('refund_failed', $gateway, $payment, $row);
            }
        }
        if ($row->status === 'succeeded' && $row->booked_at === null) {
            $this->book($row, $payment, $gateway);
        }
    }

    // ------------------------------------------------------------------ database helpers

    private function lock_payment(object $payment): void
    {
        $this->q('SELECT id FROM ' . db_prefix() . 'paybridge_payments WHERE id = ' . (int) $payment->id . ' FOR UPDATE');
    }

    /** Paybridge_txn::q() on this model's connection: a FALSE from CI3 becomes a Paybridge_db_failure. */
    private function q(string $sql)
    {
        return Paybridge_txn::q($this->db, $sql);
    }

    private function last_error_code(): int
    {
        return Paybridge_txn::lastErrorCode($this->db);
    }
}
