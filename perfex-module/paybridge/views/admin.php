<?php

defined('BASEPATH') or exit('No direct script access allowed');

$e = static function ($value) {
    return htmlspecialchars((string) $value, ENT_QUOTES, 'UTF-8');
};
$CI = &get_instance();
$csrfField = '';
if (isset($CI->security) && method_exists($CI->security, 'get_csrf_token_name')) {
    $csrfField = '<input type="hidden" name="' . $e($CI->security->get_csrf_token_name()) . '" value="' . $e($CI->security->get_csrf_hash()) . '">';
}
$alerts = '';
foreach (['success', 'warning', 'danger'] as $type) {
    $message = isset($CI->session) && method_exists($CI->session, 'flashdata') ? $CI->session->flashdata('message-' . $type) : null;
    if ($message) {
        $alerts .= '<div class="alert alert-' . $type . '">' . $e($message) . '</div>';
    }
}
?><!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title><?= $e(_l('paybridge_admin_title')) ?></title>
<style>
body { font-family: sans-serif; margin: 1.5em; } table { border-collapse: collapse; margin-bottom: 2em; }
td, th { border: 1px solid #ccc; padding: 4px 8px; font-size: 13px; text-align: left; }
.alert { padding: 8px; margin-bottom: 1em; border: 1px solid #999; }
.alert-danger { background: #fdd; } .alert-success { background: #dfd; } .alert-warning { background: #ffd; }
</style>
</head>
<body>
<h1><?= $e(_l('paybridge_admin_title')) ?></h1>
<?= $alerts ?>
<?php if (!paybridge_extension_loaded()) { ?>
<div class="alert alert-danger"><?= $e(_l('paybridge_extension_missing')) ?></div>
<?php } ?>
<h2><?= $e(_l('paybridge_admin_attempts')) ?></h2>
<table id="paybridge-attempts">
<tr><th>#</th><th><?= $e(_l('paybridge_col_provider')) ?></th><th><?= $e(_l('paybridge_col_invoice')) ?></th><th><?= $e(_l('paybridge_col_reference')) ?></th><th><?= $e(_l('paybridge_col_provider_payment_id')) ?></th><th><?= $e(_l('paybridge_col_amount')) ?></th><th><?= $e(_l('paybridge_col_status')) ?></th><th><?= $e(_l('paybridge_col_created')) ?></th><th></th></tr>
<?php foreach ($attempts as $a) { ?>
<tr data-payment-id="<?= (int) $a['id'] ?>">
<td><?= (int) $a['id'] ?></td><td><?= $e($a['provider']) ?></td><td><?= (int) $a['invoice_id'] ?></td><td><?= $e($a['reference']) ?></td>
<td><?= $e($a['provider_payment_id']) ?></td><td><?= $e($a['amount'] . ' ' . $a['currency']) ?></td>
<td class="status"><?= $e($a['status']) ?><?= $a['error_code'] ? ' (' . $e($a['error_code']) . ')' : '' ?></td><td><?= $e($a['created_at']) ?></td>
<td><?php if (in_array($a['status'], ['pending', 'open', 'authorized', 'waiting'], true) && (string) $a['provider_payment_id'] !== '' && isset($gateways[$a['provider']])) { ?>
<form method="post" action="<?= $e(site_url('paybridge/admin/recheck/' . (int) $a['id'])) ?>"><?= $csrfField ?><button type="submit"><?= $e(_l('paybridge_recheck')) ?></button></form>
<?php } ?></td>
</tr>
<?php } ?>
</table>
<?php
// Issue 9: refused payments (rejected: amount / currency / mode / invoice; other_mode) and overpayments,
// from the attempts listed above; nothing refused was recorded.
$attention = array_filter($attempts, static function ($a) {
    return in_array($a['status'], ['rejected', 'overpaid'], true) || in_array((string) $a['error_code'], ['other_mode', 'already_recorded_manually'], true);
});
if ($attention) { ?>
<h2><?= $e(_l('paybridge_admin_attention')) ?></h2>
<p><?= $e(_l('paybridge_admin_attention_help')) ?></p>
<table id="paybridge-attention">
<tr><th>#</th><th><?= $e(_l('paybridge_col_provider')) ?></th><th><?= $e(_l('paybridge_col_invoice')) ?></th><th><?= $e(_l('paybridge_col_provider_payment_id')) ?></th><th><?= $e(_l('paybridge_col_amount')) ?></th><th><?= $e(_l('paybridge_col_status')) ?></th><th><?= $e(_l('paybridge_col_reason')) ?></th></tr>
<?php foreach ($attention as $a) { ?>
<tr data-attention-payment-id="<?= (int) $a['id'] ?>" class="paybridge-<?= $e($a['status']) ?>">
<td><?= (int) $a['id'] ?></td><td><?= $e($a['provider']) ?></td><td><?= (int) $a['invoice_id'] ?></td><td><?= $e($a['provider_payment_id']) ?></td>
<td><?= $e($a['amount'] . ' ' . $a['currency']) ?></td><td class="status"><?= $e($a['status']) ?></td><td class="reason"><?= $e($a['error_code']) ?></td>
</tr>
<?php } ?>
</table>
<?php } ?>
<h2><?= $e(_l('paybridge_admin_events')) ?></h2>
<table id="paybridge-events">
<tr><th>#</th><th><?= $e(_l('paybridge_col_provider')) ?></th><th><?= $e(_l('paybridge_col_event')) ?></th><th><?= $e(_l('paybridge_col_source')) ?></th><th><?= $e(_l('paybridge_col_invoice')) ?></th><th><?= $e(_l('paybridge_col_provider_payment_id')) ?></th><th><?= $e(_l('paybridge_col_status')) ?></th><th><?= $e(_l('paybridge_col_outcome')) ?></th><th><?= $e(_l('paybridge_col_reason')) ?></th><th><?= $e(_l('paybridge_col_amount')) ?></th><th><?= $e(_l('paybridge_col_created')) ?></th></tr>
<?php foreach ($events as $ev) { ?>
<tr data-event-row="<?= (int) $ev['id'] ?>">
<td><?= (int) $ev['id'] ?></td><td><?= $e($ev['provider']) ?></td><td><?= $e($ev['event_id']) ?></td><td><?= $e($ev['source']) ?></td><td><?= (int) $ev['invoice_id'] ?></td>
<td><?= $e($ev['provider_payment_id']) ?></td><td><?= $e($ev['status']) ?></td><td class="outcome"><?= $e($ev['outcome']) ?></td><td class="reason"><?= $e($ev['reason_code']) ?></td>
<td><?= $e(trim($ev['amount'] . ' ' . $ev['currency'])) ?></td><td><?= $e($ev['created_at']) ?></td>
</tr>
<?php } ?>
</table>
</body>
</html>
