<?php

defined('BASEPATH') or exit('No direct script access allowed');

// One payment's timeline (issue 13 item 6), rendered by Paybridge::payment() through $this->load->view()
// between init_head() and init_tail(). Every value goes through Paybridge_html::text().
$e   = [Paybridge_html::class, 'text'];
$p   = $payment;
$fee = (int) ($p['fee_minor'] ?? 0);
$recordedPaid = $recorded !== null && !empty($recorded['record']);
?><style>
#paybridge-payment table { border-collapse: collapse; margin-bottom: 2em; display: block; max-width: 100%; overflow-x: auto; }
#paybridge-payment td, #paybridge-payment th { border: 1px solid #ccc; padding: 4px 8px; font-size: 13px; text-align: left; vertical-align: top; }
#paybridge-payment code { word-break: break-all; }
</style>
<div id="wrapper"><div class="content"><div id="paybridge-payment" data-payment-id="<?= (int) $p['id'] ?>">
<p><a href="<?= $e(admin_url('paybridge')) ?>">&larr; <?= $e(_l('paybridge_payment_back')) ?></a></p>
<h1><?= $e(_l('paybridge_payment_title', (int) $p['id'])) ?></h1>

<h2><?= $e(_l('paybridge_payment_attempt')) ?></h2>
<table id="paybridge-payment-facts">
<tr><th><?= $e(_l('paybridge_col_provider')) ?></th><td class="provider"><?= $e($p['provider']) ?></td></tr>
<tr><th><?= $e(_l('paybridge_col_invoice')) ?></th><td><a href="<?= $e(Paybridge_html::invoiceUrl((int) $p['invoice_id'])) ?>" class="paybridge-invoice-link"><?= $e(format_invoice_number((int) $p['invoice_id'])) ?></a></td></tr>
<tr><th><?= $e(_l('paybridge_col_status')) ?></th><td class="status"><?= $e($p['status']) ?></td></tr>
<tr><th><?= $e(_l('paybridge_field_error')) ?></th><td class="error-code"><?= $e($p['error_code'] ?? '') ?></td></tr>
<tr><th><?= $e(_l('paybridge_field_amount_paid')) ?></th><td class="amount-paid" data-minor="<?= (int) $p['amount_minor'] ?>"><?= Paybridge_html::money($p['amount_minor'], $p['currency']) ?></td></tr>
<tr><th><?= $e(_l('paybridge_col_fee')) ?></th><td class="fee" data-minor="<?= $fee ?>"><?= Paybridge_html::money($fee, $p['currency']) ?></td></tr>
<tr><th><?= $e(_l('paybridge_field_invoice_part')) ?></th><td class="invoice-part"><?= Paybridge_html::money((int) $p['amount_minor'] - $fee, $p['currency']) ?></td></tr>
<tr><th><?= $e(_l('paybridge_col_reference')) ?></th><td><?= $e($p['reference']) ?></td></tr>
<tr><th><?= $e(_l('paybridge_col_provider_payment_id')) ?></th><td class="provider-payment-id"><?= $e($p['provider_payment_id'] ?? '') ?></td></tr>
<tr><th><?= $e(_l('paybridge_field_checkout')) ?></th><td><code><?= $e($p['checkout_url'] ?? '') ?></code></td></tr>
<tr><th><?= $e(_l('paybridge_field_account')) ?></th><td><code><?= $e($p['account'] ?? '') ?></code></td></tr>
<tr><th><?= $e(_l('paybridge_col_cron')) ?></th><td><?= (int) ($p['reconcile_count'] ?? 0) ?><?= !empty($p['reconcile_result']) ? ' &middot; ' . $e($p['reconcile_result']) : '' ?></td></tr>
<tr><th><?= $e(_l('paybridge_col_created')) ?></th><td><?= $e($p['created_at']) ?></td></tr>
<tr><th><?= $e(_l('paybridge_field_updated')) ?></th><td><?= $e($p['updated_at']) ?></td></tr>
</table>

<h2><?= $e(_l('paybridge_payment_events')) ?></h2>
<?php if (!$events) { ?>
<p id="paybridge-timeline-empty"><?= $e(_l('paybridge_payment_no_events')) ?></p>
<?php } else { ?>
<table id="paybridge-timeline">
<tr><th>#</th><th><?= $e(_l('paybridge_col_created')) ?></th><th><?= $e(_l('paybridge_col_source')) ?></th><th><?= $e(_l('paybridge_col_event')) ?></th><th><?= $e(_l('paybridge_col_status')) ?></th><th><?= $e(_l('paybridge_col_outcome')) ?></th><th><?= $e(_l('paybridge_col_reason')) ?></th><th><?= $e(_l('paybridge_col_verified')) ?></th><th><?= $e(_l('paybridge_col_amount')) ?></th><th><?= $e(_l('paybridge_col_repeats')) ?></th></tr>
<?php foreach ($events as $ev) { ?>
<tr data-timeline-event="<?= (int) $ev['id'] ?>">
<td><?= (int) $ev['id'] ?></td><td><?= $e($ev['created_at']) ?></td><td class="source"><?= $e($ev['source']) ?></td>
<td><?= $e($ev['event_id']) ?><?= (string) $ev['type'] !== '' ? '<br><small>' . $e($ev['type']) . '</small>' : '' ?></td>
<td class="status"><?= $e($ev['status']) ?></td><td class="outcome"><?= $e($ev['outcome']) ?></td><td class="reason"><?= $e($ev['reason_code']) ?></td>
<td><?= $e($ev['verified']) ?></td><td><?= $e(trim($ev['amount'] . ' ' . $ev['currency'])) ?></td>
<td><?= (int) $ev['repeats'] ?><?= !empty($ev['last_seen_at']) ? ' &middot; ' . $e($ev['last_seen_at']) : '' ?></td>
</tr>
<?php } ?>
</table>
<?php } ?>

<h2><?= $e(_l('paybridge_payment_recorded')) ?></h2>
<div id="paybridge-recorded">
<?php if (!$recordedPaid) { ?>
<p class="not-recorded"><?= $e(_l('paybridge_payment_not_recorded')) ?></p>
<?php } else {
    $r = $recorded['record']; ?>
<p class="recorded" data-paymentrecord-id="<?= (int) $r['id'] ?>"><?= $e(_l('paybridge_payment_record', [(int) $r['id'], $r['amount'] . ' ' . $p['currency'], $r['date']])) ?></p>
<?php if ($canRefund && in_array($p['status'], ['paid', 'overpaid', 'partially_refunded'], true)) { ?>
<?php // Contract 6: the refund action (confirmation form on GET) belongs to the refund feature. ?>
<p><a href="<?= $e(admin_url('paybridge/refund/' . (int) $p['id'])) ?>" class="paybridge-refund-link"><?= $e(_l('paybridge_refund')) ?></a></p>
<?php } ?>
<?php } ?>
</div>

<?php if ($refunds !== null) { ?>
<h2><?= $e(_l('paybridge_payment_refunds')) ?></h2>
<?php if (!$refunds) { ?>
<p id="paybridge-refunds-empty"><?= $e(_l('paybridge_payment_no_refunds')) ?></p>
<?php } else {
    // The refund feature owns this table's columns: every column is shown, escaped, as stored.
    $columns = array_keys($refunds[0]); ?>
<table id="paybridge-refunds">
<tr><?php foreach ($columns as $c) { ?><th><?= $e($c) ?></th><?php } ?></tr>
<?php foreach ($refunds as $rf) { ?>
<tr data-refund-id="<?= (int) ($rf['id'] ?? 0) ?>"><?php foreach ($columns as $c) { ?><td><?= $e($rf[$c] ?? '') ?></td><?php } ?></tr>
<?php } ?>
</table>
<?php if ($canRefund && array_filter($refunds, static fn ($rf) => class_exists('Paybridge_refund_model', false)
    && isset($rf['source'], $rf['kind'], $rf['status'], $rf['created_at']) && Paybridge_refund_model::is_stuck((object) ($rf + ['provider_refund_id' => null, 'api_attempt_at' => null])))) {
    // A stuck admin refund: Retry and Cancel live on the refund page (controllers/Paybridge.php refund_retry/refund_cancel). ?>
<p id="paybridge-refund-stuck"><a href="<?= $e(admin_url('paybridge/refund/' . (int) $p['id'])) ?>"><?= $e(_l('paybridge_refund_stuck_link')) ?></a></p>
<?php } ?>
<?php } ?>
<?php } ?>
</div></div></div>
