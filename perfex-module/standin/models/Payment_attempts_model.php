<?php

defined('BASEPATH') or exit('No direct script access allowed');

/** tblpayment_attempts (Perfex 3.0.5+): one row per Pay press, keyed by a random reference. */
class Payment_attempts_model extends App_Model
{
    public function add(array $data): ?object
    {
        $data['created_at'] = $data['created_at'] ?? date('Y-m-d H:i:s');
        $this->db->insert(db_prefix() . 'payment_attempts', $data);
        $id = $this->db->insert_id();
        return $id ? $this->get($id) : null;
    }

    public function get(int $id, ?string $gateway = null): ?object
    {
        $this->db->where('id', $id);
        if ($gateway !== null) {
            $this->db->where('payment_gateway', $gateway);
        }
        return $this->db->get(db_prefix() . 'payment_attempts')->row();
    }

    public function getByReference(string $reference, string $gateway): ?object
    {
        return $this->db->where(['reference' => $reference, 'payment_gateway' => $gateway])
            ->get(db_prefix() . 'payment_attempts')->row();
    }

    public function delete(int $id): bool
    {
        $this->db->where('id', $id)->delete(db_prefix() . 'payment_attempts');
        return $this->db->affected_rows() > 0;
    }
}
