<?php

defined('BASEPATH') or exit('No direct script access allowed');

// Payment records are accounting data: the paybridge_* tables are kept on uninstall (perfex.md
// "Activation"). The options this module created are removed, including every gateway setting
// paymentmethod_<id>_* (they hold the encrypted API secrets: nothing secret stays behind).
require_once __DIR__ . '/libraries/Paybridge_providers.php';
$CI = &get_instance();
foreach (PAYBRIDGE_PROVIDERS as $provider) {
    $prefix = 'paymentmethod_' . $provider . '_';
    // LIKE's "_" matches any character, so the exact prefix is checked again before deleting.
    foreach ($CI->db->select('name')->like('name', $prefix, 'after')->get(db_prefix() . 'options')->result_array() as $row) {
        if (strpos((string) $row['name'], $prefix) === 0) {
            delete_option($row['name']);
        }
    }
}
foreach (PAYBRIDGE_PROVIDERS as $provider) {
    foreach (['last_success', 'last_failure', 'last_failure_reason'] as $key) {
        delete_option('paybridge_' . $provider . '_webhook_' . $key);
    }
}
// Cron reconciliation status and settings; the per-attempt columns stay with the attempts.
foreach (['paybridge_cron_last_run', 'paybridge_cron_last_summary', 'paybridge_reconcile_min_age_seconds', 'paybridge_reconcile_batch',
    'paybridge_refund_watch_days', 'paybridge_refund_watch_batch'] as $option) {
    delete_option($option);
}
