<?php

defined('BASEPATH') or exit('No direct script access allowed');

/** Offline modes (tblpayment_modes rows) plus the registered online gateways. */
class Payment_modes_model extends App_Model
{
    /** @var array<string, App_gateway> registered gateway instances, by their filter callback */
    private static array $registered = [];

    /**
     * $id numeric: an offline mode object; a gateway id: the gateway (active or not) as an object with ->instance;
     * no id: every mode as arrays (offline rows, then online gateways).
     */
    public function get($id = '', $where = [], $include_inactive = false, $force = false)
    {
        if ($id !== '' && $id !== null) {
            if (is_numeric($id)) {
                $this->db->where('id', $id);
                if (!$include_inactive) {
                    $this->db->where('active', 1);
                }
                return $this->db->get(db_prefix() . 'payment_modes')->row();
            }
            foreach ($this->get_payment_gateways(true) as $g) {
                if ($g['id'] === (string) $id) {
                    return (object) $g;
                }
            }
            return null;
        }
        if (!empty($where)) {
            $this->db->where($where);
        }
        if (!$include_inactive) {
            $this->db->where('active', 1);
        }
        $offline = $this->db->order_by('name', 'asc')->get(db_prefix() . 'payment_modes')->result_array();
        return array_merge($offline, $this->get_payment_gateways($include_inactive));
    }

    public function get_payment_gateways($includeInactive = false): array
    {
        $modes = hooks()->apply_filters('app_payment_gateways', []);
        if ($includeInactive) {
            return $modes;
        }
        return array_values(array_filter($modes, static fn ($m) => (string) $m['active'] === '1'));
    }

    /** 'x_gateway' (+ module) is loaded as a library; an App_gateway instance is used as is. */
    public function add_payment_gateway($gateway, $module = null): void
    {
        $CI = &get_instance();
        if (is_string($gateway)) {
            $prop = strtolower($gateway);
            $CI->load->library(($module ? $module . '/' : '') . $prop);
            $instance = $CI->$prop;
        } else {
            $instance = $gateway;
        }
        if (!$instance instanceof App_gateway) {
            throw new InvalidArgumentException('A payment gateway must extend App_gateway.');
        }
        $key = spl_object_hash($instance);
        if (!isset(self::$registered[$key])) {
            self::$registered[$key] = $instance;
            hooks()->add_filter('app_payment_gateways', [$instance, 'initMode']);
        }
    }

    public function get_gateway_instance(string $id): ?App_gateway
    {
        foreach (self::$registered as $g) {
            if ($g->getId() === $id) {
                return $g;
            }
        }
        return null;
    }
}
