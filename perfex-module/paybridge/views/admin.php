<?php

defined('BASEPATH') or exit('No direct script access allowed');

// Rendered by Paybridge::index() through $this->load->view() between Perfex's init_head() and init_tail()
// (the admin layout shows the alerts). Every value goes through Paybridge_html::text() (issue 13 item 6).
$e = [Paybridge_html::class, 'text'];
$CI = &get_instance();
$csrfField = '';
if (isset($CI->security) && method_exists($CI->security, 'get_csrf_token_name')) {
    $csrfField = '<input type="hidden" name="' . $e($CI->security->get_csrf_token_name()) . '" value="' . $e($CI->security->get_csrf_hash()) . '">';
}
// The list's own address with the current filters (only validated values), for pages and summary links.
$listUrl = static function (array $override = []) use ($filters): string {
    $q = array_filter(array_merge(['provider' => $filters['provider'], 'status' => $filters['status'], 'from' => $filters['from'],
        'to' => $filters['to']], $override), static function ($v) {
            return $v !== '' && $v !== null && $v !== 1;
        });

    return admin_url('paybridge') . ($q ? '?' . http_build_query($q) : '');
};
$refundable = ['paid', 'overpaid', 'partially_refunded'];
$first = $total === 0 ? 0 : ($page - 1) * Paybridge_admin_model::PER_PAGE + 1;
$last  = min($total, $page * Paybridge_admin_model::PER_PAGE);
?><style>
#paybridge-admin table { border-collapse: collapse; margin-bottom: 2em; display: block; max-width: 100%; overflow-x: auto; }
#paybridge-admin td, #paybridge-admin th { border: 1px solid #ccc; padding: 4px 8px; font-size: 13px; text-align: left; vertical-align: top; }
#paybridge-admin .paybridge-counts { display: flex; gap: 12px; list-style: none; padding: 0; flex-wrap: wrap; }
#paybridge-admin .paybridge-counts li { border: 1px solid #ccc; border-radius: 4px; padding: 8px 12px; }
#paybridge-admin .paybridge-counts strong { font-size: 18px; display: block; }
#paybridge-admin #paybridge-filters { display: flex; gap: 8px; align-items: flex-end; flex-wrap: wrap; margin-bottom: 1em; }
#paybridge-admin #paybridge-filters label { display: block; font-size: 12px; }
#paybridge-admin .paybridge-pages a, #paybridge-admin .paybridge-pages span { margin-right: 6px; }
#paybridge-admin code { word-break: break-all; }
</style>
<div id="wrapper"><div class="content"><div id="paybridge-admin">
<h1><?= $e(_l('paybridge_admin_title')) ?></h1>

<section id="paybridge-summary">
<h2><?= $e(_l('paybridge_summary_title')) ?></h2>
<ul class="paybridge-counts">
<li><a href="<?= $e(admin_url('paybridge')) ?>"><?= $e(_l('paybridge_summary_open')) ?></a><strong id="paybridge-count-open"><?= (int) $counts['open'] ?></strong></li>
<li><a href="<?= $e($listUrl(['status' => 'rejected', 'provider' => '', 'from' => '', 'to' => ''])) ?>"><?= $e(_l('paybridge_summary_rejected')) ?></a><strong id="paybridge-count-rejected"><?= (int) $counts['rejected'] ?></strong></li>
<li><a href="<?= $e($listUrl(['status' => 'overpaid', 'provider' => '', 'from' => '', 'to' => ''])) ?>"><?= $e(_l('paybridge_summary_overpaid')) ?></a><strong id="paybridge-count-overpaid"><?= (int) $counts['overpaid'] ?></strong></li>
<li><?= $e(_l('paybridge_summary_pending_refunds')) ?><strong id="paybridge-count-pending-refunds"><?= $counts['pending_refunds'] === null ? $e(_l('paybridge_not_available')) : (int) $counts['pending_refunds'] ?></strong></li>
<li><?= $e(_l('paybridge_summary_cron')) ?><strong id="paybridge-summary-cron"><?= $e($cronRun !== '' ? $cronRun : _l('paybridge_never')) ?></strong></li>
</ul>
<table id="paybridge-webhook-health">
<tr><th><?= $e(_l('paybridge_col_provider')) ?></th><th><?= $e(_l('paybridge_summary_last_success')) ?></th><th><?= $e(_l('paybridge_summary_last_failure')) ?></th></tr>
<?php foreach ($health as $provider => $h) { ?>
<tr data-webhook-health="<?= $e($provider) ?>"><td><?= $e($provider) ?></td>
<td class="last-success"><?= $e($h['success'] !== '' ? $h['success'] : _l('paybridge_never')) ?></td>
<td class="last-failure"><?= $h['failure'] !== '' ? $e($h['failure']) . ' (<span class="reason">' . $e($h['reason']) . '</span>)' : $e(_l('paybridge_never')) ?></td></tr>
<?php } ?>
</table>
</section>

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
<form method="get" id="paybridge-filters" action="<?= $e(admin_url('paybridge')) ?>">
<div><label for="pb-provider"><?= $e(_l('paybridge_filter_provider')) ?></label><select name="provider" id="pb-provider">
<option value=""><?= $e(_l('paybridge_filter_any')) ?></option>
<?php foreach (Paybridge_admin_model::PROVIDERS as $p) { ?><option value="<?= $e($p) ?>"<?= $filters['provider'] === $p ? ' selected' : '' ?>><?= $e($p) ?></option><?php } ?>
</select></div>
<div><label for="pb-status"><?= $e(_l('paybridge_filter_status')) ?></label><select name="status" id="pb-status">
<option value=""><?= $e(_l('paybridge_filter_any')) ?></option>
<?php foreach (Paybridge_admin_model::STATUSES as $s) { ?><option value="<?= $e($s) ?>"<?= $filters['status'] === $s ? ' selected' : '' ?>><?= $e($s) ?></option><?php } ?>
</select></div>
<div><label for="pb-from"><?= $e(_l('paybridge_filter_from')) ?></label><input type="date" name="from" id="pb-from" value="<?= $e($filters['from']) ?>"></div>
<div><label for="pb-to"><?= $e(_l('paybridge_filter_to')) ?></label><input type="date" name="to" id="pb-to" value="<?= $e($filters['to']) ?>"></div>
<div><button type="submit"><?= $e(_l('paybridge_filter_apply')) ?></button> <a href="<?= $e(admin_url('paybridge')) ?>"><?= $e(_l('paybridge_filter_reset')) ?></a></div>
</form>
<?php if ($filters['invalid']) { ?>
<div class="alert alert-warning" id="paybridge-filter-invalid"><?= $e(_l('paybridge_filter_invalid', implode(', ', array_unique($filters['invalid'])))) ?></div>
<?php } ?>
<p id="paybridge-page-info" data-total="<?= (int) $total ?>" data-page="<?= (int) $page ?>" data-pages="<?= (int) $pages ?>"><?= $total === 0
    ? $e(_l('paybridge_page_empty'))
    : $e(_l('paybridge_page_info', [$first, $last, (int) $total, (int) $page, (int) $pages])) ?></p>
<table id="paybridge-attempts">
<tr><th>#</th><th><?= $e(_l('paybridge_col_provider')) ?></th><th><?= $e(_l('paybridge_col_invoice')) ?></th><th><?= $e(_l('paybridge_col_reference')) ?></th><th><?= $e(_l('paybridge_col_provider_payment_id')) ?></th><th><?= $e(_l('paybridge_col_amount')) ?></th><th><?= $e(_l('paybridge_col_status')) ?></th><th><?= $e(_l('paybridge_col_created')) ?></th><th><?= $e(_l('paybridge_col_cron')) ?></th><th><?= $e(_l('paybridge_col_actions')) ?></th></tr>
<?php foreach ($attempts as $a) {
    $fee = (int) ($a['fee_minor'] ?? 0); ?>
<tr data-payment-id="<?= (int) $a['id'] ?>">
<td><a href="<?= $e(admin_url('paybridge/payment/' . (int) $a['id'])) ?>" class="paybridge-timeline-link"><?= (int) $a['id'] ?></a></td><td><?= $e($a['provider']) ?></td>
<td><a href="<?= $e(Paybridge_html::invoiceUrl((int) $a['invoice_id'])) ?>" class="paybridge-invoice-link"><?= $e(format_invoice_number((int) $a['invoice_id'])) ?></a></td><td><?= $e($a['reference']) ?></td>
<td><?= $e($a['provider_payment_id']) ?></td><td class="amount"><?= Paybridge_html::money($a['amount_minor'], $a['currency']) ?><?= $fee > 0 ? ' <small class="fee">(' . $e(_l('paybridge_fee_included', Paybridge_html::decimal($fee, (string) $a['currency']))) . ')</small>' : '' ?></td>
<td class="status"><?= $e($a['status']) ?><?= $a['error_code'] ? ' (' . $e($a['error_code']) . ')' : '' ?></td><td><?= $e($a['created_at']) ?></td>
<td class="cron"><?= (int) ($a['reconcile_count'] ?? 0) ?><?= !empty($a['reconcile_result']) ? ' &middot; ' . $e($a['reconcile_result']) : '' ?><?= !empty($a['reconcile_next_at']) && !in_array($a['status'], ['paid', 'expired'], true) ? ' &middot; ' . $e(_l('paybridge_cron_next', $a['reconcile_next_at'])) : '' ?></td>
<td class="actions"><a href="<?= $e(admin_url('paybridge/payment/' . (int) $a['id'])) ?>"><?= $e(_l('paybridge_timeline')) ?></a>
<?php if ($canRefund && !empty($a['recorded_id']) && (int) ($a['paymentrecord_id'] ?? 0) > 0 && in_array($a['status'], $refundable, true)) { ?>
<?php // Contract 6: the refund action (confirmation form on GET) belongs to the refund feature. ?>
<a href="<?= $e(admin_url('paybridge/refund/' . (int) $a['id'])) ?>" class="paybridge-refund-link"><?= $e(_l('paybridge_refund')) ?></a>
<?php } ?>
<?php if ($canCreate && in_array($a['status'], ['pending', 'open', 'authorized', 'waiting', 'expired'], true) && (string) $a['provider_payment_id'] !== '' && isset($gateways[$a['provider']])) { ?>
<form method="post" action="<?= $e(admin_url('paybridge/recheck/' . (int) $a['id'])) ?>"><?= $csrfField ?><button type="submit"><?= $e(_l('paybridge_recheck')) ?></button></form>
<?php } ?></td>
</tr>
<?php } ?>
</table>
<?php if ($pages > 1) { ?>
<nav class="paybridge-pages" id="paybridge-pages">
<?php if ($page > 1) { ?><a href="<?= $e($listUrl(['page' => $page - 1])) ?>" rel="prev"><?= $e(_l('paybridge_page_previous')) ?></a><?php } ?>
<?php for ($i = 1; $i <= $pages; $i++) {
    if ($i !== 1 && $i !== $pages && abs($i - $page) > 3) {
        continue;
    }
    if ($i === $page) { ?><span class="current" data-page="<?= $i ?>"><?= $i ?></span><?php } else { ?><a href="<?= $e($listUrl(['page' => $i])) ?>" data-page="<?= $i ?>"><?= $i ?></a><?php }
} ?>
<?php if ($page < $pages) { ?><a href="<?= $e($listUrl(['page' => $page + 1])) ?>" rel="next"><?= $e(_l('paybridge_page_next')) ?></a><?php } ?>
</nav>
<?php } ?>
<?php
// Issue 9: refused payments (rejected: amount / currency / mode / invoice; other_mode) and overpayments
// among the attempts of this page; nothing refused was recorded. The summary counts all of them.
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
<td><a href="<?= $e(admin_url('paybridge/payment/' . (int) $a['id'])) ?>"><?= (int) $a['id'] ?></a></td><td><?= $e($a['provider']) ?></td><td><?= (int) $a['invoice_id'] ?></td><td><?= $e($a['provider_payment_id']) ?></td>
<td><?= Paybridge_html::money($a['amount_minor'], $a['currency']) ?></td><td class="status"><?= $e($a['status']) ?></td><td class="reason"><?= $e($a['error_code']) ?></td>
</tr>
<?php } ?>
</table>
<?php } ?>
<h2><?= $e(_l('paybridge_admin_latest_events')) ?></h2>
<table id="paybridge-events">
<tr><th>#</th><th><?= $e(_l('paybridge_col_provider')) ?></th><th><?= $e(_l('paybridge_col_event')) ?></th><th><?= $e(_l('paybridge_col_source')) ?></th><th><?= $e(_l('paybridge_col_invoice')) ?></th><th><?= $e(_l('paybridge_col_provider_payment_id')) ?></th><th><?= $e(_l('paybridge_col_status')) ?></th><th><?= $e(_l('paybridge_col_outcome')) ?></th><th><?= $e(_l('paybridge_col_reason')) ?></th><th><?= $e(_l('paybridge_col_amount')) ?></th><th><?= $e(_l('paybridge_col_created')) ?></th></tr>
<?php foreach ($events as $ev) { ?>
<tr data-event-row="<?= (int) $ev['id'] ?>">
<td><?= (int) $ev['id'] ?></td><td><?= $e($ev['provider']) ?></td><td><?= $e($ev['event_id']) ?></td><td><?= $e($ev['source']) ?></td><td><?= (int) $ev['invoice_id'] ?></td>
<td><?php if ((int) $ev['payment_row_id'] > 0) { ?><a href="<?= $e(admin_url('paybridge/payment/' . (int) $ev['payment_row_id'])) ?>"><?= $e($ev['provider_payment_id']) ?></a><?php } else { ?><?= $e($ev['provider_payment_id']) ?><?php } ?></td>
<td><?= $e($ev['status']) ?></td><td class="outcome"><?= $e($ev['outcome']) ?></td><td class="reason"><?= $e($ev['reason_code']) ?></td>
<td><?= $e(trim($ev['amount'] . ' ' . $ev['currency'])) ?></td><td><?= $e($ev['created_at']) ?></td>
</tr>
<?php } ?>
</table>
</div></div></div>
