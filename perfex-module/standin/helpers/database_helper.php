<?php

defined('BASEPATH') or exit('No direct script access allowed');

/*
 * Perfex's database_helper: table prefix, row counts, the activity log.
 */

function db_prefix(): string
{
    return APP_DB_PREFIX;
}

function total_rows($table, $where = []): int
{
    $CI = &get_instance();
    if (is_array($where) && count($where) > 0 || is_string($where) && $where !== '') {
        $CI->db->where($where);
    }
    return (int) $CI->db->count_all_results($table);
}

function log_activity($description, $staffid = null): void
{
    $CI = &get_instance();
    $log = ['description' => $description, 'date' => date('Y-m-d H:i:s')];
    if ($staffid !== null && is_numeric($staffid)) {
        $log['staffid'] = get_staff_full_name($staffid);
    } elseif ($staffid !== null) {
        $log['staffid'] = $staffid;
    } elseif (is_staff_logged_in()) {
        $log['staffid'] = get_staff_full_name(get_staff_user_id());
    } else {
        $log['staffid'] = null;
    }
    $log = hooks()->apply_filters('before_log_activity', $log);
    $CI->db->insert(db_prefix() . 'activity_log', $log);
}
