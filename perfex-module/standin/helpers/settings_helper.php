<?php

defined('BASEPATH') or exit('No direct script access allowed');

/*
 * Perfex's settings_helper: options (tbloptions).
 */

/**
 * '' when missing. Like Perfex's get_option(): the autoloaded options (autoload = 1) are
 * read once per request into a cache; any other name (autoload = 0, or an option that does not exist yet)
 * costs a query on EVERY call, and the answer is not cached.
 */
function get_option($name): string
{
    $name = trim((string) $name);
    $cache = &standin_options_cache();
    if (array_key_exists($name, $cache)) {
        return (string) $cache[$name];
    }
    $row = get_instance()->db->select('value')->where('name', $name)->get(db_prefix() . 'options')->row();

    return $row ? (string) $row->value : '';
}

function &standin_options_cache(): array
{
    static $cache = null;
    if ($cache === null) {
        $cache = [];
        foreach (get_instance()->db->select('name, value')->where('autoload', 1)->order_by('id', 'DESC')->get(db_prefix() . 'options')->result_array() as $r) {
            $cache[$r['name']] = $r['value'];
        }
    }
    return $cache;
}

function option_exists($name): bool
{
    return total_rows(db_prefix() . 'options', ['name' => $name]) > 0;
}

/** Adds the option only when it does not exist yet; never overwrites. */
function add_option($name, $value = '', $autoload = 1): bool
{
    if (option_exists($name)) {
        return false;
    }
    $CI = &get_instance();
    $CI->db->insert(db_prefix() . 'options', ['name' => $name, 'value' => $value, 'autoload' => (int) $autoload]);
    $cache = &standin_options_cache();
    if ((int) $autoload === 1) {
        $cache[$name] = (string) $value;
    }
    return $CI->db->insert_id() > 0;
}

/** Creates the option when missing; otherwise true only when a row really changed. */
function update_option($name, $value, $autoload = null): bool
{
    if (!option_exists($name)) {
        return add_option($name, $value, $autoload === null ? 1 : (int) $autoload);
    }
    $CI = &get_instance();
    $data = ['value' => $value];
    if ($autoload !== null) {
        $data['autoload'] = (int) $autoload;
    }
    $CI->db->where('name', $name)->update(db_prefix() . 'options', $data);
    $cache = &standin_options_cache();
    if ($autoload !== null && (int) $autoload !== 1) {
        unset($cache[$name]);
    } elseif (array_key_exists($name, $cache) || (int) $autoload === 1) {
        $cache[$name] = (string) $value;
    }
    return $CI->db->affected_rows() > 0;
}

function delete_option($name): bool
{
    $CI = &get_instance();
    $CI->db->where('name', $name)->delete(db_prefix() . 'options');
    $cache = &standin_options_cache();
    unset($cache[$name]);
    return $CI->db->affected_rows() > 0;
}
