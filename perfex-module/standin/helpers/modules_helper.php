<?php

defined('BASEPATH') or exit('No direct script access allowed');

function register_activation_hook($module, $function): void
{
    hooks()->add_action("activate_{$module}_module", $function);
}

function register_deactivation_hook($module, $function): void
{
    hooks()->add_action("deactivate_{$module}_module", $function);
}

/** Only used when the module ships no uninstall.php. */
function register_uninstall_hook($module, $function): void
{
    hooks()->add_action("uninstall_{$module}_module", $function);
}

/**
 * Like Perfex: loads nothing now. Hooks after_load_admin_language and after_load_client_language with a
 * loader for modules/<m>/language/<language>/<file>_lang.php (english when the module lacks that
 * language), so the lines exist only once the controller has loaded a language.
 */
function register_language_files($module, $languages = []): void
{
    $languages = $languages === [] || $languages === null ? [$module] : (array) $languages;
    $loader = static function ($language) use ($module, $languages) {
        $CI = &get_instance();
        foreach ($languages as $file) {
            $idiom = is_file(APP_MODULES_PATH . "$module/language/$language/{$file}_lang.php") ? $language : 'english';
            $CI->lang->load("$module/$file", $idiom);
        }
    };
    hooks()->add_action('after_load_admin_language', $loader);
    hooks()->add_action('after_load_client_language', $loader);
}

/**
 * $id: 'x_gateway' (loads modules/<m>/libraries/X_gateway.php as $CI->x_gateway) or an App_gateway
 * instance; the instance's initMode is added once to the app_payment_gateways filter.
 */
function register_payment_gateway($id, $module): void
{
    $CI = &get_instance();
    $CI->load->model('payment_modes_model');
    $CI->payment_modes_model->add_payment_gateway($id, $module);
}

function register_cron_task($function): void
{
    hooks()->add_action('after_cron_run', $function);
}

function register_merge_fields($for): void
{
}

function register_staff_capabilities($feature_id, $config, $name = null): void
{
}

function module_dir_path($module, $concat = ''): string
{
    return APP_MODULES_PATH . $module . '/' . ltrim((string) $concat, '/');
}

function module_dir_url($module, $segment = ''): string
{
    return site_url('modules/' . $module . '/' . ltrim((string) $segment, '/'));
}

function module_libs_path($module, $concat = ''): string
{
    return module_dir_path($module, 'libraries/' . ltrim((string) $concat, '/'));
}

function module_views_path($module, $concat = ''): string
{
    return module_dir_path($module, 'views/' . ltrim((string) $concat, '/'));
}
