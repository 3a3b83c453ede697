<?php

defined('BASEPATH') or exit('No direct script access allowed');

// admin/paybridge/refund/{id} (contract 6): the confirmation form inside Perfex's admin layout. Variables:
// $payment, $gateway, $refundable (decimal string in the currency's exponent), $canRefund, $key (one-time
// idempotency key of this form), $refunds (the payment's refund rows), $recordId (Perfex payment record).
$e = static function ($value) {
    return htmlspecialchars((string) $value, ENT_QUOTES, 'UTF-8');
};
$CI = &get_instance();
$currency = strtoupper((string) $payment->currency);
init_head();
?><div id="wrapper"><div class="content"><div id="paybridge-refund">
<h1><?= $e(_l('paybridge_refund_title')) ?></h1>
<p><?= $e(_l('paybridge_refund_intro', [(string) $recordId, format_invoice_number((int) $payment->invoice_id), $gateway->getName(),
    (string) $payment->provider_payment_id, $payment->amount . ' ' . $currency])) ?></p>
<p><?= $e(_l('paybridge_refund_refundable')) ?>: <strong id="paybridge-refundable" data-amount="<?= $e($refundable) ?>" data-currency="<?= $e($currency) ?>"><?= $e($refundable . ' ' . $currency) ?></strong></p>
<?php if ($canRefund) { ?>
<form method="post" id="paybridge-refund-form" action="<?= $e(admin_url('paybridge/refund/' . (int) $payment->id)) ?>">
<?php if (isset($CI->security) && method_exists($CI->security, 'get_csrf_token_name')) { ?>
<input type="hidden" name="<?= $e($CI->security->get_csrf_token_name()) ?>" value="<?= $e($CI->security->get_csrf_hash()) ?>">
<?php } ?>
<input type="hidden" name="refund_key" value="<?= $e($key) ?>">
<div class="form-group"><label for="paybridge-refund-amount"><?= $e(_l('paybridge_refund_amount', $currency)) ?></label>
<input type="text" name="amount" id="paybridge-refund-amount" value="<?= $e($refundable) ?>" inputmode="decimal" autocomplete="off"></div>
<div class="form-group"><label for="paybridge-refund-reason"><?= $e(_l('paybridge_refund_reason')) ?></label>
<input type="text" name="reason" id="paybridge-refund-reason" maxlength="255" value=""></div>
<p class="text-warning"><?= $e(_l('paybridge_refund_confirm_help')) ?></p>
<button type="submit" id="paybridge-refund-confirm" class="btn btn-danger"><?= $e(_l('paybridge_refund_confirm')) ?></button>
<a href="<?= $e(admin_url('paybridge')) ?>"><?= $e(_l('paybridge_refund_cancel')) ?></a>
</form>
<?php } else { ?>
<p class="alert alert-info" id="paybridge-refund-nothing"><?= $e(_l('paybridge_refund_nothing_left')) ?></p>
<?php } ?>
<?php if ($refunds) { ?>
<h2><?= $e(_l('paybridge_refund_history')) ?></h2>
<table id="paybridge-refunds">
<tr><th>#</th><th><?= $e(_l('paybridge_col_kind')) ?></th><th><?= $e(_l('paybridge_col_amount')) ?></th><th><?= $e(_l('paybridge_col_status')) ?></th><th><?= $e(_l('paybridge_col_source')) ?></th><th><?= $e(_l('paybridge_col_provider_refund_id')) ?></th><th><?= $e(_l('paybridge_col_credit_note')) ?></th><th><?= $e(_l('paybridge_col_created')) ?></th><th><?= $e(_l('paybridge_col_actions')) ?></th></tr>
<?php foreach ($refunds as $r) { ?>
<tr data-refund-row="<?= (int) $r['id'] ?>" data-status="<?= $e($r['status']) ?>"><td><?= (int) $r['id'] ?></td><td><?= $e($r['kind']) ?></td>
<td><?= $e(Paybridge_money::fromMinor((int) $r['amount_minor'], (string) $r['currency']) . ' ' . $r['currency']) ?></td>
<td><?= $e($r['status']) ?><?= $r['error_code'] ? ' (' . $e($r['error_code']) . ')' : '' ?></td><td><?= $e($r['source']) ?></td><td><?= $e($r['provider_refund_id']) ?></td>
<td><?= $r['credit_note_id'] ? $e(format_credit_note_number((int) $r['credit_note_id'])) : '' ?></td><td><?= $e($r['created_at']) ?></td><td>
<?php if (Paybridge_refund_model::is_stuck((object) $r)) {
    // A pending admin refund without an answer for over 60 s (its request may never have reached the
    // provider): Retry re-sends it with its stored key, Cancel frees its amount (controllers/Paybridge.php).
    foreach (['retry' => 'paybridge_refund_retry', 'cancel' => 'paybridge_refund_cancel_stuck'] as $action => $label) { ?>
<form method="post" id="paybridge-refund-<?= $action ?>-<?= (int) $r['id'] ?>" class="paybridge-refund-<?= $action ?>" style="display:inline" action="<?= $e(admin_url('paybridge/refund_' . $action . '/' . (int) $r['id'])) ?>">
<?php if (isset($CI->security) && method_exists($CI->security, 'get_csrf_token_name')) { ?>
<input type="hidden" name="<?= $e($CI->security->get_csrf_token_name()) ?>" value="<?= $e($CI->security->get_csrf_hash()) ?>">
<?php } ?>
<button type="submit" class="btn btn-default btn-xs" title="<?= $e(_l('paybridge_refund_stuck_help')) ?>"><?= $e(_l($label)) ?></button>
</form>
<?php }
} ?></td></tr>
<?php } ?>
</table>
<?php } ?>
</div></div></div>
<?php init_tail(); ?>
