<?php

defined('BASEPATH') or exit('No direct script access allowed');

// Payment records are accounting data: the paybridge_* tables are kept on uninstall (perfex.md
// "Activation"). Only the webhook health options this module created are removed.
foreach (['neropay', 'payrexx', 'noxipay'] as $provider) {
    foreach (['last_success', 'last_failure', 'last_failure_reason'] as $key) {
        delete_option('paybridge_' . $provider . '_webhook_' . $key);
    }
}
// Cron reconciliation status and settings (issue 9 item 4); the per-attempt columns stay with the attempts.
foreach (['paybridge_cron_last_run', 'paybridge_cron_last_summary', 'paybridge_reconcile_min_age_seconds', 'paybridge_reconcile_batch'] as $option) {
    delete_option($option);
}
