<?php

defined('BASEPATH') or exit('No direct script access allowed');

/*
 * Perfex's general_helper: language, alerts, notifications, escaping, access denial.
 */

function e($string): string
{
    return htmlspecialchars((string) $string, ENT_QUOTES, 'UTF-8');
}

function set_alert($type, $message): void
{
    get_instance()->session->set_flashdata('message-' . $type, $message);
}

/**
 * Perfex's add_notification($values): one tblnotifications row for a staff member (`touserid`).
 * `description` is a language key shown with _l(description, unserialize(additional_data)); `link` is
 * relative to admin_url(). As in Perfex: the sender is the logged-in staff/contact unless `fromcompany`
 * is set, inactive or unknown recipients get nothing (false), the `notification_data` filter runs, and
 * `notification_created` fires with the new id. Returns true when a row was written.
 */
function add_notification($values)
{
    $CI = &get_instance();
    $data = (array) $values;
    if (is_client_logged_in()) {
        $data['fromuserid'] = 0;
        $data['fromclientid'] = get_contact_user_id();
        $data['from_fullname'] = '';
    } else {
        $data['fromuserid'] = get_staff_user_id() ?: 0;
        $data['fromclientid'] = 0;
        $data['from_fullname'] = is_staff_logged_in() ? get_staff_full_name(get_staff_user_id()) : '';
    }
    if (isset($data['fromcompany'])) {
        unset($data['fromuserid'], $data['from_fullname']);
    }
    if (isset($data['touserid']) && (int) $data['touserid'] !== 0) {
        $user = $CI->db->where('staffid', (int) $data['touserid'])->get(db_prefix() . 'staff')->row();
        if (!$user || (int) $user->active === 0) {
            return false;
        }
    }
    $data['date'] = date('Y-m-d H:i:s');
    $data = hooks()->apply_filters('notification_data', $data);
    if (!$CI->db->insert(db_prefix() . 'notifications', $data)) {
        return false;
    }
    $id = $CI->db->insert_id();
    if ($id) {
        hooks()->do_action('notification_created', $id);
        return true;
    }
    return false;
}

/** Perfex pushes new notifications to the listed staff ids when Pusher is enabled; the stand-in has no Pusher. */
function pusher_trigger_notification($users = [])
{
    hooks()->do_action('standin_pusher_notification', array_values(array_unique(array_map('intval', (array) $users))));
}

/** A language Perfex can load: its folder exists under application/language. */
function standin_language_exists($language): bool
{
    return is_string($language) && preg_match('/^[a-z_-]+$/i', $language) && is_dir(APPPATH . 'language/' . $language);
}

/**
 * Perfex's load_admin_language(): RESETS every loaded line first, loads the staff member's (or the
 * active) language, then fires after_load_admin_language (module files load there).
 */
function load_admin_language($staff_id = '')
{
    $CI = &get_instance();
    $CI->lang->is_loaded = [];
    $CI->lang->language  = [];
    $language = get_option('active_language') ?: 'english';
    $sid = $staff_id !== '' ? $staff_id : (is_staff_logged_in() ? get_staff_user_id() : '');
    if ($sid !== '' && $sid !== false) {
        $row = $CI->db->select('default_language')->where('staffid', $sid)->get(db_prefix() . 'staff')->row();
        if ($row && standin_language_exists((string) $row->default_language)) {
            $language = (string) $row->default_language;
        }
    }
    $language = standin_language_exists($language) ? $language : 'english';
    $CI->lang->load($language . '_lang', $language);
    $GLOBALS['language'] = $language;
    hooks()->do_action('after_load_admin_language', $language);

    return $language;
}

/**
 * Perfex's load_client_language($customer_id): the customer's default_language (the given customer or
 * the logged-in one) else the active language; loads it over what is loaded, then fires
 * after_load_client_language (module files load there).
 */
function load_client_language($customer_id = '')
{
    $CI = &get_instance();
    $language = get_option('active_language') ?: 'english';
    $cid = $customer_id !== '' ? $customer_id : (is_client_logged_in() ? get_client_user_id() : '');
    if ($cid !== '' && $cid !== false) {
        $row = $CI->db->select('default_language')->where('userid', $cid)->get(db_prefix() . 'clients')->row();
        if ($row && standin_language_exists((string) $row->default_language)) {
            $language = (string) $row->default_language;
        }
    }
    $language = standin_language_exists($language) ? $language : 'english';
    $CI->lang->load($language . '_lang', $language);
    $GLOBALS['language'] = $language;
    hooks()->do_action('after_load_client_language', $language);

    return $language;
}

function _l($line, $label = '', $log_errors = true): string
{
    $CI = &get_instance();
    $_line = $CI->lang->line(trim((string) $line), $log_errors);
    if ($_line === false) {
        return (string) $line;
    }
    try {
        $_line = is_array($label) && count($label) > 0 ? vsprintf($_line, $label) : sprintf($_line, $label);
    } catch (Throwable $e) {
    }
    // Like Perfex's _l(): a formatted line with a double quote and no HTML comes back
    // HTML-escaped (ENT_COMPAT), so `"` turns into &quot; wherever the line goes (e.g. the activity log).
    if (strpos($_line, '"') !== false && !standin_is_html($_line)) {
        $_line = htmlspecialchars($_line, ENT_COMPAT);
    }

    return $_line;
}

/** Perfex's is_html(): the string has tags (strip_tags shortens it). */
function standin_is_html(string $s): bool
{
    return strlen(strip_tags($s)) < strlen($s);
}

function app_generate_hash(): string
{
    return md5(rand() . microtime() . time() . uniqid());
}

/**
 * Perfex's access_denied($permission): a danger alert, an activity-log line, and a redirect back to the
 * referring page (or admin/access_denied). Never returns.
 */
function access_denied($permission = ''): never
{
    set_alert('danger', _l('access_denied'));
    log_activity('Tried to access page where don\'t have permission' . ($permission !== '' ? ' [' . $permission . ']' : ''));
    $referer = (string) ($_SERVER['HTTP_REFERER'] ?? '');
    redirect($referer !== '' && str_starts_with($referer, site_url()) ? $referer : admin_url('access_denied'));
}
