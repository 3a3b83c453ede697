<?php

defined('BASEPATH') or exit('No direct script access allowed');

// ---------------------------------------------------------------- super object, hooks, urls

function &get_instance(): CI_Controller
{
    return CI_Controller::get_instance();
}

function hooks(): Hooks
{
    return standin_core('hooks');
}

function db_prefix(): string
{
    return APP_DB_PREFIX;
}

function standin_base(): string
{
    return rtrim(APP_BASE_URL, '/') . '/';
}

function site_url($uri = ''): string
{
    if (is_array($uri)) {
        $uri = implode('/', $uri);
    }
    return standin_base() . ltrim((string) $uri, '/');
}

function base_url($uri = ''): string
{
    return site_url($uri);
}

function current_url(): string
{
    $q = $_SERVER['QUERY_STRING'] ?? '';
    return site_url(standin_core('uri')->uri_string()) . ($q !== '' ? '?' . $q : '');
}

function uri_string(): string
{
    return standin_core('uri')->uri_string();
}

function admin_url($url = ''): string
{
    if ($url === '' || $url === '/') {
        return site_url(ADMIN_URI) . '/';
    }
    return site_url(ADMIN_URI . '/' . ltrim((string) $url, '/'));
}

function get_admin_uri(): string
{
    return ADMIN_URI;
}

/** CI url_helper redirect(): relative URIs go through site_url(); 303 after a POST, 302 otherwise. */
function redirect($uri = '', $method = 'auto', $code = null): never
{
    if (!preg_match('#^(\w+:)?//#i', (string) $uri)) {
        $uri = site_url($uri);
    }
    if ($method === 'refresh') {
        header('Refresh:0;url=' . $uri);
    } else {
        if ($code === null || !is_numeric($code)) {
            $code = (($_SERVER['REQUEST_METHOD'] ?? 'GET') !== 'GET') ? 303 : 302;
        }
        header('Location: ' . $uri, true, (int) $code);
    }
    standin_exit();
}

function show_404($page = '', $log_error = true): never
{
    http_response_code(404);
    echo standin_render_file(APPPATH . 'views/errors/404.php', ['page' => $page]);
    standin_exit();
}

function show_error($message, $status_code = 500, $heading = 'An Error Was Encountered'): never
{
    http_response_code((int) $status_code);
    echo '<!DOCTYPE html><html><head><title>' . e($heading) . '</title></head><body><h1>' . e($heading) . '</h1><p>'
        . (is_array($message) ? implode('<br>', array_map('e', $message)) : e((string) $message)) . '</p></body></html>';
    standin_exit();
}

/** exit(), except under the CLI test harness where it becomes an exception. */
function standin_exit(): never
{
    if (defined('STANDIN_NO_EXIT')) {
        throw new Standin_exit_exception();
    }
    exit;
}

class Standin_exit_exception extends RuntimeException
{
}

function e($string): string
{
    return htmlspecialchars((string) $string, ENT_QUOTES, 'UTF-8');
}

function html_escape($var, $double_encode = true)
{
    if (is_array($var)) {
        return array_map('html_escape', $var);
    }
    return htmlspecialchars((string) $var, ENT_QUOTES, 'UTF-8', $double_encode);
}

// ---------------------------------------------------------------- options

/**
 * '' when missing. Like Perfex's get_option() (issue 10 item 6): the autoloaded options (autoload = 1) are
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

// ---------------------------------------------------------------- logging, alerts, language

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

/** CI log_message(): appends to <stack>/log/standin.log. */
function log_message($level, $message): void
{
    $dir = STANDIN_STACK_DIR . '/log';
    if (!is_dir($dir)) {
        return;
    }
    @file_put_contents($dir . '/standin.log', strtoupper((string) $level) . ' - ' . date('Y-m-d H:i:s') . ' --> ' . $message . "\n", FILE_APPEND);
}

function set_alert($type, $message): void
{
    get_instance()->session->set_flashdata('message-' . $type, $message);
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
    // Like Perfex's _l() (issue 10 item 3): a formatted line with a double quote and no HTML comes back
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

// ---------------------------------------------------------------- misc Perfex helpers

function total_rows($table, $where = []): int
{
    $CI = &get_instance();
    if (is_array($where) && count($where) > 0 || is_string($where) && $where !== '') {
        $CI->db->where($where);
    }
    return (int) $CI->db->count_all_results($table);
}

function app_generate_hash(): string
{
    return md5(rand() . microtime() . time() . uniqid());
}

function get_decimal_places(): int
{
    return (int) hooks()->apply_filters('app_decimal_places', 2);
}

function to_sql_date($date, $datetime = false)
{
    if ($date === '' || $date === null) {
        return null;
    }
    $ts = strtotime((string) $date);
    return $ts === false ? null : date($datetime ? 'Y-m-d H:i:s' : 'Y-m-d', $ts);
}

function _d($date)
{
    return $date ? date('Y-m-d', strtotime((string) $date)) : '';
}

function _dt($date)
{
    return $date ? date('Y-m-d H:i:s', strtotime((string) $date)) : '';
}

/**
 * Formats a decimal amount with the currency's separators and symbol placement, without floats.
 * $currency: currency object, id or ISO name.
 */
function app_format_money($amount, $currency, $excludeSymbol = false): string
{
    if (!is_object($currency)) {
        $CI = &get_instance();
        $CI->load->model('currencies_model');
        $currency = is_numeric($currency) ? $CI->currencies_model->get($currency) : $CI->currencies_model->get_by_name((string) $currency);
    }
    $dec = $currency->decimal_separator ?? '.';
    $thousand = $currency->thousand_separator ?? ',';
    $amount = is_float($amount) ? number_format($amount, 2, '.', '') : (string) $amount;
    $amount = standin_is_decimal($amount) ? standin_decimal($amount) : '0.00';
    $neg = $amount[0] === '-';
    [$int, $frac] = explode('.', ltrim($amount, '-'));
    $int = strrev(implode($thousand, str_split(strrev($int), 3)));
    $formatted = ($neg ? '-' : '') . $int . (get_decimal_places() > 0 ? $dec . $frac : '');
    if ($excludeSymbol || !$currency) {
        return $formatted;
    }
    $symbol = $currency->symbol ?? ($currency->name ?? '');
    return ($currency->placement ?? 'before') === 'after' ? $formatted . $symbol : $symbol . $formatted;
}

function get_base_currency()
{
    $CI = &get_instance();
    $CI->load->model('currencies_model');
    return $CI->currencies_model->get_base_currency();
}

// ---------------------------------------------------------------- auth state

function is_staff_logged_in(): bool
{
    return (bool) get_instance()->session->userdata('staff_logged_in');
}

function is_client_logged_in(): bool
{
    return (bool) get_instance()->session->userdata('client_logged_in');
}

function get_staff_user_id()
{
    $id = get_instance()->session->userdata('staff_user_id');
    return $id === null ? false : (int) $id;
}

function get_client_user_id()
{
    $id = get_instance()->session->userdata('client_user_id');
    return $id === null ? false : (int) $id;
}

function get_contact_user_id()
{
    $id = get_instance()->session->userdata('contact_user_id');
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

/** Perfex's admin layout, head part: the module's page body goes between init_head() and init_tail(). */
function init_head($aside = true): void
{
    $admin_menu = true;
    $title = get_option('companyname');
    include VIEWPATH . 'layout_head.php';
}

function init_tail(): void
{
    include VIEWPATH . 'layout_foot.php';
}

function get_staff_full_name($userid = ''): string
{
    $id = $userid !== '' ? $userid : get_staff_user_id();
    $row = $id ? get_instance()->db->select('firstname, lastname')->where('staffid', $id)->get(db_prefix() . 'staff')->row() : null;
    return $row ? trim($row->firstname . ' ' . $row->lastname) : '';
}

function get_primary_contact_user_id($userid)
{
    $row = get_instance()->db->select('id')->where(['userid' => $userid, 'is_primary' => 1])->get(db_prefix() . 'contacts')->row();
    return $row ? (int) $row->id : false;
}

// ---------------------------------------------------------------- forms (CI form_helper subset)

function form_open($action = '', $attributes = [], $hidden = []): string
{
    if ($action === '') {
        $action = current_url();
    } elseif (!preg_match('#^(\w+:)?//#', $action)) {
        $action = site_url($action);
    }
    $attrs = is_array($attributes) ? $attributes : [];
    $attrs['method'] = $attrs['method'] ?? 'post';
    $html = '<form action="' . e($action) . '"';
    foreach ($attrs as $k => $v) {
        $html .= ' ' . $k . '="' . e($v) . '"';
    }
    if (is_string($attributes) && $attributes !== '') {
        $html .= ' ' . $attributes;
    }
    $html .= ' accept-charset="utf-8">' . "\n";
    if (strtolower($attrs['method']) === 'post') {
        $hidden = array_merge([get_instance()->security->get_csrf_token_name() => get_instance()->security->get_csrf_hash()], $hidden);
    }
    return $html . form_hidden($hidden);
}

function form_open_multipart($action = '', $attributes = [], $hidden = []): string
{
    $attributes = is_array($attributes) ? $attributes : [];
    $attributes['enctype'] = 'multipart/form-data';
    return form_open($action, $attributes, $hidden);
}

function form_hidden($name, $value = ''): string
{
    $out = '';
    foreach (is_array($name) ? $name : [$name => $value] as $k => $v) {
        $out .= '<input type="hidden" name="' . e($k) . '" value="' . e($v) . '">' . "\n";
    }
    return $out;
}

function form_close($extra = ''): string
{
    return '</form>' . $extra;
}

function csrf_field(): string
{
    return form_hidden(get_instance()->security->get_csrf_token_name(), get_instance()->security->get_csrf_hash());
}
