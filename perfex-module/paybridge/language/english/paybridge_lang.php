<?php

defined('BASEPATH') or exit('No direct script access allowed');

// No double quote in any line: Perfex's _l() HTML-escapes a line without HTML that contains one, and
// these lines also go to the activity log as plain text (issue 10 item 3).

$lang['paybridge'] = 'PayBridge';
$lang['paybridge_extension_missing'] = 'The paybridge PHP extension is not loaded on this server, so PayBridge gateways cannot take payments. Ask your host to enable it.';
$lang['paybridge_payment_failed'] = 'The payment could not be started. Please try again later or choose another payment method.';
$lang['paybridge_payment_invalid_amount'] = 'This amount cannot be paid with this payment method: enter an amount above zero with no more decimals than the invoice currency has.';
$lang['paybridge_payment_invalid_currency'] = 'This payment method does not accept the invoice currency.';
$lang['paybridge_payment_paid'] = 'Thank you, your payment was received.';
$lang['paybridge_payment_pending'] = 'Your payment is being confirmed. This page will show it as paid once the provider confirms it.';
$lang['paybridge_payment_not_completed'] = 'The payment was not completed.';
$lang['paybridge_payment_review'] = 'Your payment needs review by our staff. We will contact you if anything is needed.';
$lang['paybridge_payment_note'] = 'Paid with %s, payment %s';
$lang['paybridge_activity_refund_logged'] = '%s reported the status %s for payment %s on invoice %s. The Perfex payment was kept; review it and record a refund if needed.';
$lang['paybridge_activity_chargeback_logged'] = '%s reported the status %s (chargeback) for payment %s on invoice %s. The Perfex payment was kept; review it.';
$lang['paybridge_setting_secret_key'] = 'API secret key';
$lang['paybridge_setting_webhook_secret'] = 'Webhook secret';
$lang['paybridge_setting_webhook_secret_optional'] = 'Webhook secret (optional; several separated by commas during rotation)';
$lang['paybridge_setting_webhook_secret_required'] = 'Webhook secret (required; several separated by commas during rotation)';
$lang['paybridge_setting_payrexx_instance'] = 'Instance (the name before .payrexx.com)';
$lang['paybridge_setting_neropay_account'] = 'Connected account (NeroPay-Account, optional)';
$lang['paybridge_setting_base_url'] = 'API base URL';
$lang['paybridge_setting_currencies'] = 'Currencies (comma separated)';
$lang['paybridge_setting_description'] = 'Payment description ({invoice_number} is replaced)';
$lang['paybridge_setting_test_mode'] = 'Test mode (marks recorded payments as test)';
$lang['paybridge_webhook_url_help'] = 'Webhooks need no setup: each payment gets its own notification URL of this form:';
$lang['paybridge_webhook_url_global_help'] = 'Set this webhook URL in the provider\'s backend (payments are found by the provider\'s payment id):';
$lang['paybridge_webhook_last_success'] = 'Last webhook processed';
$lang['paybridge_webhook_last_failure'] = 'Last webhook failure';
$lang['paybridge_never'] = 'never';
$lang['paybridge_admin_title'] = 'PayBridge payments';
$lang['paybridge_admin_attempts'] = 'Checkout attempts';
$lang['paybridge_admin_events'] = 'Events';
$lang['paybridge_col_provider'] = 'Provider';
$lang['paybridge_col_invoice'] = 'Invoice';
$lang['paybridge_col_reference'] = 'Reference';
$lang['paybridge_col_provider_payment_id'] = 'Provider payment';
$lang['paybridge_col_amount'] = 'Amount';
$lang['paybridge_col_status'] = 'Status';
$lang['paybridge_col_created'] = 'Created';
$lang['paybridge_col_event'] = 'Event';
$lang['paybridge_col_source'] = 'Source';
$lang['paybridge_col_outcome'] = 'Outcome';
$lang['paybridge_col_reason'] = 'Reason';
$lang['paybridge_recheck'] = 'Re-check with provider';
$lang['paybridge_recheck_done'] = 'Provider status: %s; result: %s %s';
$lang['paybridge_recheck_failed'] = 'The payment could not be re-checked with the provider. Try again later.';
$lang['paybridge_webhook_unsigned_warning'] = 'No webhook signing key is set: anyone can post webhooks to this URL. They can never mark an invoice paid by themselves (each is checked with the provider\'s API, at most once per payment every 10 seconds), but set a signing key here and in the provider\'s backend to refuse them outright.';
$lang['paybridge_recheck_other_account'] = 'This payment was created with another provider account than the one configured now; it is not re-checked with the current credentials.';
$lang['paybridge_cron_title'] = 'Reconciliation (cron)';
$lang['paybridge_cron_never'] = 'The cron has not re-checked any payment yet. Make sure Perfex\'s cron job runs.';
$lang['paybridge_cron_last_run'] = 'Last cron run';
$lang['paybridge_cron_counts'] = '%d due, %d re-checked, %d recorded, %d expired, %d errors';
$lang['paybridge_cron_next'] = 'next %s';
$lang['paybridge_col_result'] = 'Result';
$lang['paybridge_col_cron'] = 'Cron checks';
// Issue 9: refused payments, overpayments and manual duplicates (activity log, staff notifications, admin page).
$lang['paybridge_activity_rejected'] = '%s payment %s for invoice %s was NOT recorded (reason: %s). Review it with the provider.';
$lang['paybridge_activity_overpaid'] = '%s payment %s was recorded on invoice %s, which was already paid (%s): the customer paid twice; refund or credit the difference.';
$lang['paybridge_activity_already_recorded_manually'] = '%s payment %s on invoice %s was already entered by hand with the same transaction id; it was not recorded again.';
$lang['paybridge_notification_rejected'] = '%s payment %s for invoice %s was not recorded: %s';
$lang['paybridge_notification_overpaid'] = '%s payment %s overpaid invoice %s: it was already paid';
$lang['paybridge_admin_attention'] = 'Needs attention';
$lang['paybridge_admin_attention_help'] = 'Payments that were refused (rejected: amount, currency, mode or invoice mismatch; other_mode: a test payment on a live gateway or the reverse) or that paid an invoice twice (overpaid). Nothing refused was recorded.';
$lang['paybridge_payment_invoice_not_payable'] = 'This invoice cannot be paid online now: it is already paid, cancelled or not yet issued.';
$lang['paybridge_payment_mode_not_allowed'] = 'This payment method is not available for this invoice. Please choose another one.';
$lang['paybridge_payment_amount_over_left'] = 'The amount is more than what is left to pay on this invoice. Please enter a smaller amount.';
$lang['paybridge_secret_refused_filtered'] = 'Not saved, the stored value was kept: %s. Perfex filters these characters out of settings (for example a percent sign followed by two hex digits, or an HTML tag), which would store a different secret. Create a key without them at the provider.';
