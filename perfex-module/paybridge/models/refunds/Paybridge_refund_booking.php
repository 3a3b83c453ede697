<?php

defined('BASEPATH') or exit('No direct script access allowed');

/**
 * Perfex's books for a succeeded refund or chargeback (perfex.md "Refunds in Perfex", README "Refunds,
 * chargebacks and credit notes"): the closed credit note with its refund, or an activity-log line, and the
 * staff notifications. Part of
 * Paybridge_refund_model; runs inside its locked, retried transaction (run_locked), so the booked_at guard and
 * the credit note commit together or not at all.
 */
trait Paybridge_refund_booking
{
    /**
     * Perfex's books for one succeeded refund or chargeback, exactly once: the conditional UPDATE of
     * `booked_at` and the credit note are in one transaction (a second caller, serialized by the payment
     * lock, sees booked_at set and stops).
     */
    private function book(object $row, object $payment, Paybridge_gateway_base $gateway): void
    {
        $db = $this->db;
        $this->q('UPDATE ' . $this->table() . ' SET booked_at = ' . $db->escape($this->now()) . ' WHERE id = ' . (int) $row->id . ' AND booked_at IS NULL');
        if ($db->affected_rows() !== 1) {
            return;
        }
        $booked = $this->q('SELECT COALESCE(SUM(amount_minor), 0) AS n FROM ' . $this->table() . ' WHERE payment_row_id = ' . (int) $payment->id
            . " AND booked_at IS NOT NULL AND (error_code IS NULL OR error_code NOT IN ('exceeds_paid', 'amount_not_representable', 'invoice_not_found'))"
            . ' AND id <> ' . (int) $row->id)->row();
        $error = null;
        if ((int) $booked->n + (int) $row->amount_minor > (int) $payment->amount_minor) {
            $error = 'exceeds_paid'; // never more refunded in Perfex's books than was paid
        }
        $amount = $error === null ? self::perfexAmount((int) $row->amount_minor, (string) $row->currency) : null;
        if ($error === null && $amount === null) {
            $error = 'amount_not_representable'; // e.g. 1.005 KWD: Perfex keeps 2 decimals; never rounded
        }
        if ($error === null && $gateway->getSetting('refund_bookkeeping') !== 'log_only'
            && !$this->q('SELECT id FROM ' . db_prefix() . 'invoices WHERE id = ' . (int) $payment->invoice_id)->row()) {
            // Staff deleted the invoice (Perfex's Invoices_model::delete() takes its payments along): no client
            // and currency for a credit note. Staff are told and the sighting is settled here; throwing would
            // roll back and answer 503 to every webhook and cron run of this payment forever.
            $error = 'invoice_not_found';
        }
        if ($error !== null) {
            $this->q('UPDATE ' . $this->table() . ' SET error_code = ' . $db->escape($error) . ' WHERE id = ' . (int) $row->id);
            $this->tell_staff('refund_not_booked', $gateway, $payment, $row, $error);

            return;
        }

        $invoiceNumber = format_invoice_number((int) $payment->invoice_id);
        $recordId = $this->payment_record_id($payment);
        if ($gateway->getSetting('refund_bookkeeping') === 'log_only') {
            log_activity(_l('paybridge_activity_' . $row->kind . '_log_only', [$gateway->getName(), (string) $row->provider_refund_id, $amount . ' ' . $row->currency,
                (string) $recordId, $invoiceNumber]));
        } else {
            $creditNoteId = $this->credit_note($row, $payment, $gateway, $amount, (int) $recordId);
            $this->q('UPDATE ' . $this->table() . ' SET credit_note_id = ' . $creditNoteId . ', updated_at = ' . $db->escape($this->now())
                . ' WHERE id = ' . (int) $row->id);
            log_activity(_l('paybridge_activity_' . $row->kind . '_booked', [$gateway->getName(), (string) $row->provider_refund_id, $amount . ' ' . $row->currency,
                (string) $recordId, $invoiceNumber, format_credit_note_number($creditNoteId)]));
        }
        if ($row->kind === 'chargeback') {
            $this->tell_staff('chargeback', $gateway, $payment, $row);
        }
    }

    /**
     * Credit_notes_model::add() for the invoice's client in the invoice's currency with one line, then
     * create_refund() for the whole amount (payment mode = the gateway) so the credit note closes
     * (perfex.md "Refunds in Perfex"). @return int the credit note id
     */
    private function credit_note(object $row, object $payment, Paybridge_gateway_base $gateway, string $amount, int $recordId): int
    {
        $invoice = $this->q('SELECT * FROM ' . db_prefix() . 'invoices WHERE id = ' . (int) $payment->invoice_id)->row();
        if (!$invoice) {
            throw new Paybridge_db_failure('invoice_not_found', 0);
        }
        // next_credit_note_number read under a row lock: two payments booking at once get distinct numbers.
        $next = $this->q('SELECT value FROM ' . db_prefix() . "options WHERE name = 'next_credit_note_number' FOR UPDATE")->row();
        // A chargeback booked from a read that listed none is keyed "payment:<id>"; people see the payment id.
        $providerRef = strpos((string) $row->provider_refund_id, 'payment:') === 0 ? substr((string) $row->provider_refund_id, 8) : (string) $row->provider_refund_id;
        $reference = $gateway->getName() . ' ' . $providerRef;
        $line = _l('paybridge_credit_note_line_' . $row->kind, [(string) $recordId, $reference]);
        $this->load->model('credit_notes_model');
        $data = [
            'clientid'          => (int) $invoice->clientid,
            'number'            => $next ? (int) $next->value : 1,
            // Formatted like Perfex's own credit_note_from_invoice() passes it (add() reads it as a user date).
            'date'              => _d(date('Y-m-d')),
            'currency'          => (int) $invoice->currency,
            'subtotal'          => $amount,
            'total'             => $amount,
            'total_tax'         => '0.00',
            'adjustment'        => '0.00',
            'discount_percent'  => '0.00',
            'discount_total'    => '0.00',
            'discount_type'     => '',
            'include_shipping'  => 0,
            'show_quantity_as'  => 1,
            'reference_no'      => format_invoice_number((int) $invoice->id),
            'adminnote'         => $line,
            'clientnote'        => '',
            'terms'             => '',
            'billing_street'    => $invoice->billing_street,
            'billing_city'      => $invoice->billing_city,
            'billing_state'     => $invoice->billing_state,
            'billing_zip'       => $invoice->billing_zip,
            'billing_country'   => $invoice->billing_country,
            'newitems'          => [1 => ['description' => $line, 'long_description' => '', 'qty' => 1, 'rate' => $amount, 'unit' => '',
                'order' => 1, 'taxname' => []]],
        ];
        $creditNoteId = (int) $this->credit_notes_model->add($data);
        if ($creditNoteId <= 0) {
            throw new Paybridge_db_failure('credit_note_failed', $this->last_error_code());
        }
        $refundId = $this->credit_notes_model->create_refund($creditNoteId, [
            'amount'       => $amount,
            'refunded_on'  => date('Y-m-d'),
            'payment_mode' => $gateway->getId(),
            'note'         => _l('paybridge_credit_note_refund_note_' . $row->kind, [$gateway->getName(), $providerRef,
                (string) $row->provider_payment_id]),
            'staff_id'     => (int) ($row->staff_id ?? 0),
        ]);
        if (!$refundId) {
            throw new Paybridge_db_failure('credit_note_refund_failed', $this->last_error_code());
        }

        return $creditNoteId;
    }

    /**
     * Minor units -> the 2-decimal amount Perfex stores (decimal(15,2), perfex.md "Money in Perfex"), or null
     * when it has more decimals than Perfex keeps (KWD fils not a multiple of 10). Never rounded.
     */
    public static function perfexAmount(int $minor, string $currency): ?string
    {
        $exp = Paybridge_money::exponent($currency);
        $decimal = Paybridge_money::fromMinor($minor, $currency);
        if ($exp === 0) {
            return $decimal . '.00';
        }
        if ($exp > 2) {
            $cut = substr($decimal, 0, strlen($decimal) - ($exp - 2));
            if (trim(substr($decimal, strlen($cut)), '0') !== '') {
                return null;
            }

            return $cut;
        }

        return $decimal;
    }

    /** Activity-log line plus a Perfex notification to every active staff member allowed to see payments. */
    private function tell_staff(string $kind, Paybridge_gateway_base $gateway, object $payment, object $row, string $reason = ''): void
    {
        $amount = Paybridge_money::fromMinor((int) $row->amount_minor, (string) $row->currency) . ' ' . $row->currency;
        $args = [$gateway->getName(), (string) $row->provider_refund_id, $amount, format_invoice_number((int) $payment->invoice_id), $reason];
        log_activity(_l('paybridge_activity_' . $kind, $args));
        if (!function_exists('add_notification')) {
            return;
        }
        foreach ($this->q('SELECT staffid, admin FROM ' . db_prefix() . 'staff WHERE active = 1')->result() as $member) {
            if ((int) $member->admin !== 1 && !(function_exists('staff_can') && staff_can('view', 'payments', (int) $member->staffid))) {
                continue;
            }
            if (add_notification([
                'description'     => 'paybridge_notification_' . $kind,
                'touserid'        => (int) $member->staffid,
                'fromcompany'     => 1,
                'fromuserid'      => 0,
                'link'            => 'paybridge',
                'additional_data' => serialize($args),
            ])) {
                $this->notified[] = (int) $member->staffid;
            }
        }
    }
}
