<?php

defined('BASEPATH') or exit('No direct script access allowed');

class Clients_model extends App_Model
{
    /** One client (object, with userid) or all clients (arrays). */
    public function get($id = '', $where = [])
    {
        if (!empty($where)) {
            $this->db->where($where);
        }
        if (is_numeric($id)) {
            return $this->db->where('userid', $id)->get(db_prefix() . 'clients')->row();
        }
        return $this->db->order_by('company', 'asc')->get(db_prefix() . 'clients')->result_array();
    }

    public function get_contact($id)
    {
        return $this->db->where('id', $id)->get(db_prefix() . 'contacts')->row();
    }

    public function get_contacts($customer_id = '', $where = ['active' => 1]): array
    {
        if ($customer_id !== '') {
            $this->db->where('userid', $customer_id);
        }
        return $this->db->where($where)->order_by('is_primary', 'desc')->get(db_prefix() . 'contacts')->result_array();
    }
}
