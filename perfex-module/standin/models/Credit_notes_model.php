<?php

defined('BASEPATH') or exit('No direct script access allowed');

/**
 * Perfex 3.x credit notes, the part a module may use (README "Credit notes"; facts from public copies of
 * Perfex, no Perfex code): add() inserts tblcreditnotes + its lines (tblitemable rel_type 'credit_note'),
 * bumps next_credit_note_number and fires before_create_credit_note / after_create_credit_note;
 * create_refund() writes tblcreditnote_refunds, recomputes the status and fires credit_note_refund_created.
 * Status: 1 open, 2 closed (credits used + refunds = total), 3 void. No gateway is ever called.
 */
class Credit_notes_model extends App_Model
{
    public const STATUS_OPEN = 1;
    public const STATUS_CLOSED = 2;
    public const STATUS_VOID = 3;

    /**
     * @param array $data tblcreditnotes columns (clientid, number, date, currency, subtotal, total, …) plus
     *                    `newitems` (list of [description, long_description, qty, rate, unit, order])
     * @return int|false the new id
     */
    public function add($data)
    {
        $data['prefix']        = get_option('credit_note_prefix');
        $data['number_format'] = get_option('credit_note_number_format');
        $data['datecreated']   = date('Y-m-d H:i:s');
        $data['addedfrom']     = get_staff_user_id() ?: 0;
        $items = $data['newitems'] ?? [];
        unset($data['newitems'], $data['save_and_send'], $data['custom_fields']);
        $data['date'] = to_sql_date($data['date'] ?? date('Y-m-d'));

        $hook  = hooks()->apply_filters('before_create_credit_note', ['data' => $data, 'items' => $items]);
        $data  = $hook['data'];
        $items = $hook['items'];

        // As in Perfex, any key that is not a column makes the insert fail.
        $this->db->insert(db_prefix() . 'creditnotes', $data);
        $id = (int) $this->db->insert_id();
        if ($id <= 0) {
            return false;
        }
        $this->db->query('UPDATE ' . db_prefix() . "options SET value = value + 1 WHERE name = 'next_credit_note_number'");
        foreach (array_values($items) as $i => $item) {
            $this->db->insert(db_prefix() . 'itemable', [
                'rel_id'           => $id,
                'rel_type'         => 'credit_note',
                'description'      => (string) ($item['description'] ?? ''),
                'long_description' => (string) ($item['long_description'] ?? ''),
                'qty'              => (string) ($item['qty'] ?? '1'),
                'rate'             => (string) ($item['rate'] ?? '0'),
                'unit'             => (string) ($item['unit'] ?? ''),
                'item_order'       => (int) ($item['order'] ?? ($i + 1)),
            ]);
        }
        log_activity('Credit Note Created [ID: ' . $id . ']');
        hooks()->do_action('after_create_credit_note', $id);

        return $id;
    }

    /** tblcreditnotes.* + currency_name, and for one id: items, refunds, total_refunds, remaining_credits. */
    public function get($id = '', $where = [])
    {
        $p = db_prefix();
        $this->db->select("*, {$p}currencies.id as currencyid, {$p}creditnotes.id as id, {$p}currencies.name as currency_name", false);
        $this->db->from("{$p}creditnotes");
        $this->db->join("{$p}currencies", "{$p}currencies.id = {$p}creditnotes.currency", 'left');
        if (!empty($where)) {
            $this->db->where($where);
        }
        if (is_numeric($id)) {
            $note = $this->db->where("{$p}creditnotes.id", $id)->get()->row();
            if (!$note) {
                return null;
            }
            $note->items = $this->db->where(['rel_id' => $note->id, 'rel_type' => 'credit_note'])
                ->order_by('item_order', 'asc')->get("{$p}itemable")->result_array();
            $note->refunds           = $this->get_refunds($note->id);
            $note->total_refunds     = $this->total_refunds_by_credit_note($note->id);
            $note->remaining_credits = $this->total_remaining_credits_by_credit_note($note->id);

            return $note;
        }

        return $this->db->order_by("{$p}creditnotes.id", 'desc')->get()->result_array();
    }

    /**
     * @param array $data amount, refunded_on (date), payment_mode (mode id or gateway id), note, staff_id
     * @return int|false the tblcreditnote_refunds id (false for a zero amount)
     */
    public function create_refund($id, $data)
    {
        if (standin_to_cents((string) $data['amount']) === 0) {
            return false;
        }
        $this->db->insert(db_prefix() . 'creditnote_refunds', [
            'created_at'     => date('Y-m-d H:i:s'),
            'credit_note_id' => (int) $id,
            'staff_id'       => (int) $data['staff_id'],
            'refunded_on'    => $data['refunded_on'],
            'payment_mode'   => (string) $data['payment_mode'],
            'amount'         => (string) $data['amount'],
            'note'           => nl2br(trim((string) $data['note'])),
        ]);
        $refundId = (int) $this->db->insert_id();
        if ($refundId > 0) {
            $this->update_credit_note_status($id);
            hooks()->do_action('credit_note_refund_created', ['data' => $data, 'credit_note_id' => (int) $id]);
        }

        return $refundId ?: false;
    }

    public function get_refunds($credit_note_id): array
    {
        return $this->db->where('credit_note_id', (int) $credit_note_id)->order_by('refunded_on', 'desc')
            ->get(db_prefix() . 'creditnote_refunds')->result_array();
    }

    /** Closed (2) when credits applied + refunds equal the total, else open (1); void notes are never touched by Perfex's callers. */
    public function update_credit_note_status($id): bool
    {
        $note = $this->db->select('total')->where('id', (int) $id)->get(db_prefix() . 'creditnotes')->row();
        if (!$note) {
            return false;
        }
        $used = standin_decimal_add($this->total_refunds_by_credit_note($id), $this->total_credits_used_by_credit_note($id));
        $status = standin_to_cents($used) !== 0 && standin_decimal_cmp($used, $note->total) === 0 ? self::STATUS_CLOSED : self::STATUS_OPEN;
        $this->db->where('id', (int) $id)->update(db_prefix() . 'creditnotes', ['status' => $status]);

        return $this->db->affected_rows() > 0;
    }

    public function total_remaining_credits_by_credit_note($id): string
    {
        $note = $this->db->select('total')->where('id', (int) $id)->get(db_prefix() . 'creditnotes')->row();
        if (!$note) {
            return '0.00';
        }

        return standin_decimal_sub(standin_decimal_sub($note->total, $this->total_credits_used_by_credit_note($id)), $this->total_refunds_by_credit_note($id));
    }

    private function total_refunds_by_credit_note($id): string
    {
        return $this->sum('creditnote_refunds', 'credit_note_id', (int) $id);
    }

    private function total_credits_used_by_credit_note($id): string
    {
        return $this->sum('credits', 'credit_id', (int) $id);
    }

    private function sum(string $table, string $column, int $id): string
    {
        $total = '0.00';
        foreach ($this->db->select('amount')->where($column, $id)->get(db_prefix() . $table)->result_array() as $row) {
            $total = standin_decimal_add($total, $row['amount']);
        }

        return $total;
    }
}
