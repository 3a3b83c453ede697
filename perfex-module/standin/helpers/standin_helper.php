<?php

defined('BASEPATH') or exit('No direct script access allowed');

/*
 * Helpers of the stand-in itself (not Perfex API): invoice creation for the CLI and seeds, and the
 * JSON view of an invoice the CLI prints.
 */

/**
 * @param array{currency?:string,total?:string,allowed?:string[],status?:int,clientid?:int,duedate?:string} $o
 * @return array{id:int,hash:string,number:string,url:string}
 */
function standin_create_invoice(array $o): array
{
    $CI = &get_instance();
    $p = db_prefix();
    $iso = strtoupper($o['currency'] ?? 'EUR');
    $currency = $CI->db->where('name', $iso)->get($p . 'currencies')->row();
    if (!$currency) {
        throw new InvalidArgumentException("Unknown currency $iso");
    }
    $total = standin_decimal((string) ($o['total'] ?? '120.00'));
    $clientId = (int) ($o['clientid'] ?? ($CI->db->select_min('userid')->get($p . 'clients')->row()->userid ?? 1));
    $number = (int) ($CI->db->select_max('number')->get($p . 'invoices')->row()->number ?? 0) + 1;
    $hash = app_generate_hash();
    $allowed = array_values(array_map('strval', $o['allowed'] ?? ['1']));
    $CI->db->insert($p . 'invoices', [
        'clientid' => $clientId, 'number' => $number, 'prefix' => get_option('invoice_prefix') ?: 'INV-', 'number_format' => 1,
        'datecreated' => date('Y-m-d H:i:s'), 'date' => date('Y-m-d'),
        'duedate' => $o['duedate'] ?? date('Y-m-d', strtotime('+30 days')),
        'currency' => $currency->id, 'subtotal' => $total, 'total_tax' => '0.00', 'total' => $total, 'adjustment' => '0.00',
        'addedfrom' => 1, 'hash' => $hash, 'status' => (int) ($o['status'] ?? Invoices_model::STATUS_UNPAID),
        'allowed_payment_modes' => serialize($allowed), 'clientnote' => '', 'adminnote' => '', 'terms' => '',
        'billing_street' => 'Musterstraße 1', 'billing_city' => 'Berlin', 'billing_zip' => '10115',
    ]);
    $id = (int) $CI->db->insert_id();
    $CI->db->insert($p . 'itemable', ['rel_id' => $id, 'rel_type' => 'invoice', 'description' => 'Consulting services',
        'long_description' => '', 'qty' => '1.00', 'rate' => $total, 'unit' => '', 'item_order' => 1]);
    update_option('next_invoice_number', (string) ($number + 1));
    return ['id' => $id, 'hash' => $hash, 'number' => format_invoice_number($id), 'url' => site_url("invoice/$id/$hash")];
}

function standin_invoice_json(int $id): ?array
{
    $CI = &get_instance();
    $CI->load->model('invoices_model');
    $inv = $CI->invoices_model->get($id);
    if (!$inv) {
        return null;
    }
    $allowed = @unserialize((string) $inv->allowed_payment_modes, ['allowed_classes' => false]);
    return [
        'id' => (int) $inv->id,
        'number' => format_invoice_number($inv->id),
        'hash' => $inv->hash,
        'url' => site_url('invoice/' . $inv->id . '/' . $inv->hash),
        'status' => (int) $inv->status,
        'status_name' => format_invoice_status($inv->status, '', false),
        'currency' => $inv->currency_name,
        'total' => $inv->total,
        'total_left_to_pay' => $inv->total_left_to_pay,
        'allowed_payment_modes' => is_array($allowed) ? $allowed : [],
        'token' => $inv->token,
        'payments' => array_map(static fn ($p) => [
            'id' => (int) $p['id'], 'amount' => $p['amount'], 'paymentmode' => $p['paymentmode'],
            'paymentmethod' => $p['paymentmethod'], 'transactionid' => $p['transactionid'], 'note' => $p['note'],
            'date' => $p['date'], 'daterecorded' => $p['daterecorded'],
        ], $inv->payments),
    ];
}
