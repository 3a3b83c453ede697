<?php

defined('BASEPATH') or exit('No direct script access allowed');

/*
Module Name: PayBridge
Description: NeroPay, Payrexx and Noxipay payment gateways for invoices, backed by the paybridge PHP extension (webhooks verified and re-read, each payment recorded at most once).
Version: 1.0.0
Requires at least: 3.0.*
Author: paybridge
*/

define('PAYBRIDGE_MODULE_NAME', 'paybridge');
define('PAYBRIDGE_VERSION', '1.0.0');

// The extension release this module goes with (Cargo.toml's version; ModuleSystemTest checks they agree):
// the System section names its .deb / .tgz.
define('PAYBRIDGE_EXTENSION_VERSION', '0.1.0');

require_once __DIR__ . '/libraries/Paybridge_providers.php';
require_once __DIR__ . '/libraries/Paybridge_money.php';
require_once __DIR__ . '/libraries/Paybridge_system.php';
require_once __DIR__ . '/libraries/Paybridge_timing.php';

/** The module never fatals without the extension: gateways warn the admin and refuse to start payments. */
function paybridge_extension_loaded(): bool
{
    return class_exists('PayBridge\\Gateway');
}

register_activation_hook(PAYBRIDGE_MODULE_NAME, 'paybridge_activation_hook');

function paybridge_activation_hook()
{
    $CI = &get_instance();
    require_once __DIR__ . '/install.php';
}

register_language_files(PAYBRIDGE_MODULE_NAME, [PAYBRIDGE_MODULE_NAME]);

// Gateways load from libraries/<Id>_gateway.php; the shared base is Paybridge_gateway_base.php, so it is
// never mistaken for a gateway (perfex.md "Gateways").
foreach (PAYBRIDGE_PROVIDERS as $provider) {
    register_payment_gateway($provider . '_gateway', PAYBRIDGE_MODULE_NAME);
}
unset($provider);

hooks()->add_filter('before_settings_updated', 'paybridge_refuse_filtered_secrets');

/**
 * Perfex saves gateway settings through CodeIgniter's global XSS filter (only smtp_password and email_*
 * are exempt), which rewrites values such as "%41" or "<script". A secret changed that way
 * would be stored broken and fail every API call later; it is refused here instead: the stored value
 * stays, and the admin is told which setting was not saved. The raw post is read with xss_clean FALSE.
 */
function paybridge_refuse_filtered_secrets($data)
{
    if (!is_array($data) || !isset($data['settings']) || !is_array($data['settings'])) {
        return $data;
    }
    $CI  = &get_instance();
    $raw = $CI->input->post('settings', false);
    if (!is_array($raw)) {
        return $data;
    }
    $refused = [];
    foreach (PAYBRIDGE_PROVIDERS as $provider) {
        $gateway = $CI->{$provider . '_gateway'} ?? null;
        if (!$gateway instanceof Paybridge_gateway_base) {
            continue;
        }
        foreach ($gateway->getSettings() as $setting) {
            $name = $setting['name'];
            if (empty($setting['encrypted']) || !array_key_exists($name, $data['settings'])
                || !isset($raw[$name]) || !is_string($raw[$name])) {
                continue;
            }
            if ((string) $data['settings'][$name] !== $raw[$name]) {
                unset($data['settings'][$name]);
                $refused[] = $gateway->getName() . ': ' . _l($setting['label'] ?? $name);
            }
        }
    }
    if ($refused) {
        set_alert('danger', _l('paybridge_secret_refused_filtered', implode(', ', $refused)));
    }

    return $data;
}

hooks()->add_action('admin_init', 'paybridge_admin_menu');

/** Sidebar entry to the payments/events page, only for staff who may view payments (perfex.md "Permissions"). */
function paybridge_admin_menu()
{
    $CI = &get_instance();
    // is_admin() without an id answers from the current user (no query); staff_can() would query on every
    // admin page, and no request that is not ours should pay for the module.
    if (!isset($CI->app_menu) || !is_staff_logged_in() || (!is_admin() && !staff_can('view', 'payments'))) {
        return;
    }
    $CI->app_menu->add_sidebar_children_item('utilities', [
        'slug'     => 'paybridge',
        'name'     => _l('paybridge_admin_title'),
        'href'     => admin_url('paybridge'),
        'position' => 60,
    ]);
}

// Reconciliation of attempts whose webhook never came: Perfex fires after_cron_run from
// Cron_model::run(), reached by GET cron/index (perfex.md "Added in turn 2 — Cron").
register_cron_task('paybridge_cron_reconcile');

function paybridge_cron_reconcile($manually = false)
{
    if (!paybridge_extension_loaded()) {
        return;
    }
    $CI = &get_instance();
    $gateways = [];
    foreach (PAYBRIDGE_PROVIDERS as $provider) {
        $property = $provider . '_gateway';
        if (isset($CI->{$property}) && $CI->{$property} instanceof Paybridge_gateway_base) {
            $gateways[$provider] = $CI->{$property};
        }
    }
    try {
        $CI->load->model('paybridge/paybridge_reconcile_model');
        $CI->paybridge_reconcile_model->run($gateways);
    } catch (Throwable $e) {
        // Never break Perfex's other cron tasks; the next run tries again.
        log_message('error', 'paybridge: cron reconciliation stopped: ' . get_class($e));
    }
}
