<?php

defined('BASEPATH') or exit('No direct script access allowed');

/** Sum of the invoice's payment records, as a 2-decimal string. Credits are always 0 in the stand-in. */
function standin_invoice_paid($id): string
{
    $rows = get_instance()->db->select('amount')->where('invoiceid', $id)->get(db_prefix() . 'invoicepaymentrecords')->result_array();
    $cents = 0;
    foreach ($rows as $r) {
        $cents += standin_to_cents($r['amount']);
    }
    return standin_from_cents($cents);
}

/** total - (payments + credits), string math at 2 decimals (Perfex: bcsub(..., get_decimal_places())). */
function get_invoice_total_left_to_pay($id, $invoice_total = null): string
{
    $CI = &get_instance();
    if ($invoice_total === null) {
        $row = $CI->db->select('total')->where('id', $id)->get(db_prefix() . 'invoices')->row();
        $invoice_total = $row ? $row->total : '0';
    }
    $left = standin_decimal_sub(standin_decimal((string) $invoice_total), standin_invoice_paid($id));
    return (string) hooks()->apply_filters('invoice_total_left_to_pay', $left, $id);
}

/**
 * Recomputes the status from payments: paid (2) when payments + credits >= total, partially paid (3)
 * when > 0, else unpaid (1) or overdue (4) past the due date. Draft and cancelled invoices are left alone
 * unless $force_update. Returns the new status when it changed, false otherwise.
 */
function update_invoice_status($id, $force_update = false, $prevent_logging = false)
{
    $CI = &get_instance();
    $invoice = $CI->db->select('id, status, total, duedate')->where('id', $id)->get(db_prefix() . 'invoices')->row();
    if (!$invoice) {
        return false;
    }
    $original = (int) $invoice->status;
    if (in_array($original, [Invoices_model::STATUS_DRAFT, Invoices_model::STATUS_CANCELLED], true) && !$force_update) {
        return false;
    }
    $paid = standin_invoice_paid($id);
    if (standin_decimal_cmp($paid, $invoice->total) >= 0 && standin_decimal_cmp($invoice->total, '0') >= 0 && standin_decimal_cmp($paid, '0') > 0) {
        $status = Invoices_model::STATUS_PAID;
    } elseif (standin_decimal_cmp($paid, '0') > 0) {
        $status = Invoices_model::STATUS_PARTIALLY;
    } elseif ($invoice->duedate && $invoice->duedate < date('Y-m-d')) {
        $status = Invoices_model::STATUS_OVERDUE;
    } else {
        $status = Invoices_model::STATUS_UNPAID;
    }
    if ($status === $original) {
        return false;
    }
    $CI->db->where('id', $id)->update(db_prefix() . 'invoices', ['status' => $status]);
    if (!$prevent_logging) {
        log_activity('Invoice Status Updated [Invoice Number: ' . format_invoice_number($id) . ', From: '
            . format_invoice_status($original, '', false) . ' To: ' . format_invoice_status($status, '', false) . ']', 'System');
    }
    hooks()->do_action('invoice_status_changed', ['invoice_id' => $id, 'status' => $status]);
    return $status;
}

/** prefix + zero-padded number ('INV-000001'); drafts show prefix + 'DRAFT'. */
function format_invoice_number($id): string
{
    $CI = &get_instance();
    $invoice = is_object($id) ? $id : $CI->db->select('id, number, prefix, status')->where('id', $id)->get(db_prefix() . 'invoices')->row();
    if (!$invoice) {
        return '';
    }
    if ((int) $invoice->status === Invoices_model::STATUS_DRAFT) {
        return $invoice->prefix . 'DRAFT';
    }
    $pad = (int) (get_option('number_padding_prefixes') ?: 6);
    $number = $invoice->prefix . str_pad((string) $invoice->number, $pad, '0', STR_PAD_LEFT);
    return (string) hooks()->apply_filters('format_invoice_number', $number, ['id' => $invoice->id, 'invoice' => $invoice]);
}

function format_invoice_status($status, $classes = '', $label = true): string
{
    $map = [
        Invoices_model::STATUS_UNPAID    => ['invoice_status_unpaid', 'danger'],
        Invoices_model::STATUS_PAID      => ['invoice_status_paid', 'success'],
        Invoices_model::STATUS_PARTIALLY => ['invoice_status_not_paid_completely', 'warning'],
        Invoices_model::STATUS_OVERDUE   => ['invoice_status_overdue', 'warning'],
        Invoices_model::STATUS_CANCELLED => ['invoice_status_cancelled', 'default'],
        Invoices_model::STATUS_DRAFT     => ['invoice_status_draft', 'default'],
    ];
    [$key, $class] = $map[(int) $status] ?? ['invoice_status_unpaid', 'danger'];
    $text = _l($key);
    if (!$label) {
        return $text;
    }
    return '<span class="label label-' . $class . ' ' . e($classes) . ' invoice-status-' . (int) $status . '" data-status="' . (int) $status . '">' . e($text) . '</span>';
}

/** show_404() unless the id/hash pair matches an invoice. */
function check_invoice_restrictions($id, $hash): void
{
    if (!$hash || !$id || !is_numeric($id)) {
        show_404();
    }
    $row = get_instance()->db->select('id')->where(['id' => $id, 'hash' => $hash])->get(db_prefix() . 'invoices')->row();
    if (!$row) {
        show_404();
    }
}

/**
 * True when $id is in the invoice's allowed_payment_modes and, for gateways (non-numeric ids), the
 * invoice currency is listed in the gateway's `currencies` setting.
 */
function is_payment_mode_allowed_for_invoice($id, $invoiceid): bool
{
    $CI = &get_instance();
    $inv = $CI->db->select(db_prefix() . 'invoices.allowed_payment_modes, ' . db_prefix() . 'currencies.name as currency_name')
        ->join(db_prefix() . 'currencies', db_prefix() . 'currencies.id = ' . db_prefix() . 'invoices.currency', 'left')
        ->where(db_prefix() . 'invoices.id', $invoiceid)->get(db_prefix() . 'invoices')->row();
    if (!$inv || !$inv->allowed_payment_modes) {
        return false;
    }
    $allowed = @unserialize($inv->allowed_payment_modes, ['allowed_classes' => false]);
    if (!is_array($allowed) || !in_array((string) $id, array_map('strval', $allowed), true)) {
        return false;
    }
    if (is_numeric($id)) {
        return true;
    }
    $currencies = get_option('paymentmethod_' . $id . '_currencies');
    foreach (explode(',', $currencies) as $c) {
        if (mb_strtoupper(trim($c)) === mb_strtoupper((string) $inv->currency_name)) {
            return true;
        }
    }
    return false;
}

/** Credit note number as Perfex prints it: prefix + zero-padded number ('CN-000001'). */
function format_credit_note_number($id): string
{
    $CI = &get_instance();
    $note = is_object($id) ? $id : $CI->db->select('id, number, prefix')->where('id', $id)->get(db_prefix() . 'creditnotes')->row();
    if (!$note) {
        return '';
    }
    $pad = (int) (get_option('number_padding_prefixes') ?: 6);

    return (string) hooks()->apply_filters('format_credit_note_number', $note->prefix . str_pad((string) $note->number, $pad, '0', STR_PAD_LEFT),
        ['id' => $note->id, 'credit_note' => $note]);
}
