<?php

defined('BASEPATH') or exit('No direct script access allowed');

/*
 * Perfex's staff_helper: the logged-in staff member and permissions.
 */

function is_staff_logged_in(): bool
{
    return (bool) get_instance()->session->userdata('staff_logged_in');
}

function get_staff_user_id()
{
    $id = get_instance()->session->userdata('staff_user_id');
    return $id === null ? false : (int) $id;
}

/**
 * Like Perfex 3.x: without a numeric id, the current user loaded by AdminController
 * ($GLOBALS['current_user']) answers without a query; a numeric id (as staff_can() passes) is a query.
 */
function is_admin($staffid = ''): bool
{
    if (!is_numeric($staffid)) {
        if (isset($GLOBALS['current_user'])) {
            return (string) $GLOBALS['current_user']->admin === '1';
        }
        $staffid = get_staff_user_id();
    }
    return $staffid ? total_rows(db_prefix() . 'staff', ['staffid' => $staffid, 'admin' => 1]) > 0 : false;
}

/**
 * Perfex 3.x semantics (perfex.md "Permissions"): admins (tblstaff.admin = 1) can do everything; other staff
 * only what a tblstaff_permissions row (staff_id, feature, capability) grants. No staff, no permission.
 */
function staff_can($capability = '', $feature = null, $staff_id = ''): bool
{
    $staff_id = $staff_id === '' || $staff_id === null ? get_staff_user_id() : $staff_id;
    if (!$staff_id) {
        return false;
    }
    if (is_admin($staff_id)) {
        return true;
    }
    $rows = get_instance()->db->where('staff_id', (int) $staff_id)->get(db_prefix() . 'staff_permissions')->result_array();
    foreach ($rows as $row) {
        if ($row['feature'] === (string) $feature && $row['capability'] === (string) $capability) {
            return true;
        }
    }
    return false;
}

/** Perfex's older spelling: has_permission('payments', '', 'view') === staff_can('view', 'payments'). */
function has_permission($permission, $staffid = '', $can = ''): bool
{
    return staff_can($can, $permission, $staffid);
}

function get_staff_full_name($userid = ''): string
{
    $id = $userid !== '' ? $userid : get_staff_user_id();
    $row = $id ? get_instance()->db->select('firstname, lastname')->where('staffid', $id)->get(db_prefix() . 'staff')->row() : null;
    return $row ? trim($row->firstname . ' ' . $row->lastname) : '';
}
