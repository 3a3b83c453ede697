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
// Rendered between Perfex's init_head() and init_tail() (the admin layout shows the alerts).
$canRefundRows = staff_can('delete', 'payments'); // issue 13: one permission check for every row's Refund link
?><style>
#paybridge-admin table { border-collapse: collapse; margin-bottom: 2em; }
#paybridge-admin td, #paybridge-admin th { border: 1px solid #ccc; padding: 4px 8px; font-size: 13px; text-align: left; }
</style>
<div id="wrapper"><div class="content"><div id="paybridge-admin">
<h1><?= $e(_l('paybridge_admin_title')) ?></h1>
<?php // Issue 11 item 6: the System section says what is missing and what to install (it replaced a bare alert). ?>
<div id="paybridge-system"><?= $systemHtml ?></div>
<h2><?= $e(_l('paybridge_cron_title')) ?></h2>
<div id="paybridge-cron">
<?php if ($cron === null) { ?>
<p class="cron-never"><?= $e(_l('paybridge_cron_never')) ?></p>
<?php } else { ?>
<p><?= $e(_l('paybridge_cron_last_run')) ?>: <span class="cron-last-run"><?= $e($cronRun !== '' ? $cronRun : $cron['finished_at']) ?></span>
&mdash; <?= $e(_l('paybridge_cron_counts', [(int) $cron['due'], count($cron['checked']), (int) $cron['recorded'], (int) $cron['expired'], (int) $cron['errors']])) ?></p>
<?php if ($cron['checked']) { ?>
<table id="paybridge-cron-checked">
<tr><th>#</th><th><?= $e(_l('paybridge_col_provider')) ?></th><th><?= $e(_l('paybridge_col_invoice')) ?></th><th><?= $e(_l('paybridge_col_status')) ?></th><th><?= $e(_l('paybridge_col_result')) ?></th></tr>
<?php foreach ($cron['checked'] as $c) { ?>
<tr data-cron-attempt="<?= (int) ($c['id'] ?? 0) ?>"><td><?= (int) ($c['id'] ?? 0) ?></td><td><?= $e($c['provider'] ?? '') ?></td><td><?= (int) ($c['invoice_id'] ?? 0) ?></td>
<td><?= $e($c['status'] ?? '') ?></td><td class="cron-result"><?= $e($c['result'] ?? '') ?></td></tr>
<?php } ?>
</table>
<?php } ?>
<?php } ?>
</div>
<h2><?= $e(_l('paybridge_admin_attempts')) ?></h2>
<table id="paybridge-attempts">
<tr><th>#</th><th><?= $e(_l('paybridge_col_provider')) ?></th><th><?= $e(_l('paybridge_col_invoice')) ?></th><th><?= $e(_l('paybridge_col_reference')) ?></th><th><?= $e(_l('paybridge_col_provider_payment_id')) ?></th><th><?= $e(_l('paybridge_col_amount')) ?></th><th><?= $e(_l('paybridge_col_status')) ?></th><th><?= $e(_l('paybridge_col_created')) ?></th><th><?= $e(_l('paybridge_col_cron')) ?></th><th></th></tr>
<?php foreach ($attempts as $a) { ?>
<tr data-payment-id="<?= (int) $a['id'] ?>">
<td><?= (int) $a['id'] ?></td><td><?= $e($a['provider']) ?></td><td><?= (int) $a['invoice_id'] ?></td><td><?= $e($a['reference']) ?></td>
<td><?= $e($a['provider_payment_id']) ?></td><td><?= $e($a['amount'] . ' ' . $a['currency']) ?></td>
<td class="status"><?= $e($a['status']) ?><?= $a['error_code'] ? ' (' . $e($a['error_code']) . ')' : '' ?></td><td><?= $e($a['created_at']) ?></td>
<td class="cron"><?= (int) ($a['reconcile_count'] ?? 0) ?><?= !empty($a['reconcile_result']) ? ' &middot; ' . $e($a['reconcile_result']) : '' ?><?= !empty($a['reconcile_next_at']) && !in_array($a['status'], ['paid', 'expired'], true) ? ' &middot; ' . $e(_l('paybridge_cron_next', $a['reconcile_next_at'])) : '' ?></td>
<td><?php if ($canCreate && in_array($a['status'], ['pending', 'open', 'authorized', 'waiting', 'expired'], true) && (string) $a['provider_payment_id'] !== '' && isset($gateways[$a['provider']])) { ?>
<form method="post" action="<?= $e(admin_url('paybridge/recheck/' . (int) $a['id'])) ?>"><?= $csrfField ?><button type="submit"><?= $e(_l('paybridge_recheck')) ?></button></form>
<?php } ?><?php // Issue 13 item 3: recorded payments can be refunded (contract 6; needs staff_can('delete', 'payments')).
if (in_array($a['status'], ['paid', 'overpaid', 'partially_refunded'], true) && isset($gateways[$a['provider']]) && $canRefundRows) { ?>
<a class="paybridge-refund-link" href="<?= $e(admin_url('paybridge/refund/' . (int) $a['id'])) ?>"><?= $e(_l('paybridge_refund')) ?></a>
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
</div></div></div>
