<?php

defined('BASEPATH') or exit('No direct script access allowed');

class Currencies_model extends App_Model
{
    public function get($id = false)
    {
        if (is_numeric($id)) {
            return $this->db->where('id', $id)->get(db_prefix() . 'currencies')->row();
        }
        return $this->db->get(db_prefix() . 'currencies')->result_array();
    }

    public function get_by_name(string $name)
    {
        return $this->db->where('name', $name)->get(db_prefix() . 'currencies')->row();
    }

    public function get_base_currency()
    {
        return $this->db->where('isdefault', 1)->get(db_prefix() . 'currencies')->row();
    }

    public function get_base_currency_id()
    {
        $c = $this->get_base_currency();
        return $c ? (int) $c->id : 0;
    }
}
