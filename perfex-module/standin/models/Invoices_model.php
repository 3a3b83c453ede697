<?php

defined('BASEPATH') or exit('No direct script access allowed');

class Invoices_model extends App_Model
{
    public const STATUS_UNPAID = 1;
    public const STATUS_PAID = 2;
    public const STATUS_PARTIALLY = 3;
    public const STATUS_OVERDUE = 4;
    public const STATUS_CANCELLED = 5;
    public const STATUS_DRAFT = 6;

    public function get_statuses(): array
    {
        return [self::STATUS_UNPAID, self::STATUS_PAID, self::STATUS_PARTIALLY, self::STATUS_OVERDUE, self::STATUS_CANCELLED, self::STATUS_DRAFT];
    }

    /**
     * tblinvoices.* + tblcurrencies.* with id = the invoice id, currencyid, currency_name (ISO code), symbol;
     * for one invoice also total_left_to_pay (string), items, client (object) and payments (arrays).
     */
    public function get($id = '', $where = [])
    {
        $p = db_prefix();
        $this->db->select("*, {$p}currencies.id as currencyid, {$p}invoices.id as id, {$p}currencies.name as currency_name", false);
        $this->db->from("{$p}invoices");
        $this->db->join("{$p}currencies", "{$p}currencies.id = {$p}invoices.currency", 'left');
        if (!empty($where)) {
            $this->db->where($where);
        }
        if (is_numeric($id)) {
            $invoice = $this->db->where("{$p}invoices.id", $id)->get()->row();
            if (!$invoice) {
                return null;
            }
            $invoice->total_left_to_pay = get_invoice_total_left_to_pay($invoice->id, $invoice->total);
            $invoice->items = $this->db->where(['rel_id' => $invoice->id, 'rel_type' => 'invoice'])
                ->order_by('item_order', 'asc')->get("{$p}itemable")->result_array();
            $this->load->model('clients_model');
            $invoice->client = $this->clients_model->get($invoice->clientid);
            if (!$invoice->client) {
                $invoice->client = (object) ['company' => $invoice->deleted_customer_name, 'userid' => $invoice->clientid];
            }
            $this->load->model('payments_model');
            $invoice->payments = $this->payments_model->get_invoice_payments($invoice->id);
            $invoice->attachments = [];
            return hooks()->apply_filters('get_invoice', $invoice);
        }
        return $this->db->order_by("{$p}invoices.id", 'desc')->get()->result_array();
    }
}
