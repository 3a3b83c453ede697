<?php include VIEWPATH . 'layout_head.php'; ?>
<h1><?= e(_l('invoice')) ?> <span id="invoice-number"><?= e(format_invoice_number($invoice->id)) ?></span>
  <span id="invoice-status" data-status="<?= (int) $invoice->status ?>"><?= format_invoice_status($invoice->status) ?></span></h1>
<p><?= e($invoice->client->company ?? '') ?></p>
<table id="invoice-items">
  <tr><th>Item</th><th>Qty</th><th>Rate</th></tr>
  <?php foreach ($invoice->items as $item) { ?>
  <tr><td><?= e($item['description']) ?></td><td><?= e($item['qty']) ?></td><td><?= e(app_format_money($item['rate'], $invoice)) ?></td></tr>
  <?php } ?>
</table>
<p><?= e(_l('invoice_total')) ?>: <strong id="invoice-total" data-amount="<?= e($invoice->total) ?>" data-currency="<?= e($invoice->currency_name) ?>"><?= e(app_format_money($invoice->total, $invoice)) ?></strong></p>
<p><?= e(_l('invoice_amount_due')) ?>: <strong id="invoice-left-to-pay" data-amount="<?= e($invoice->total_left_to_pay) ?>"><?= e(app_format_money($invoice->total_left_to_pay, $invoice)) ?></strong></p>

<h2><?= e(_l('invoice_received_payments')) ?></h2>
<?php if ($invoice->payments === []) { ?>
<p id="no-payments"><?= e(_l('invoice_no_payments_found')) ?></p>
<?php } ?>
<table id="payments-table">
  <tr><th><?= e(_l('payment_table_invoice_number')) ?></th><th><?= e(_l('payment_table_mode')) ?></th><th><?= e(_l('payment_transaction_id')) ?></th><th><?= e(_l('payment_table_date')) ?></th><th><?= e(_l('payment_table_amount')) ?></th></tr>
  <?php foreach ($invoice->payments as $p) { ?>
  <tr class="payment" data-payment-id="<?= (int) $p['paymentid'] ?>" data-amount="<?= e($p['amount']) ?>" data-paymentmode="<?= e($p['paymentmode']) ?>">
    <td><?= (int) $p['paymentid'] ?></td><td><?= e($p['name']) ?><?= $p['paymentmethod'] ? ' - ' . e($p['paymentmethod']) : '' ?></td>
    <td class="transactionid"><?= e($p['transactionid']) ?></td><td><?= e($p['date']) ?></td><td><?= e(app_format_money($p['amount'], $invoice)) ?></td></tr>
  <?php } ?>
</table>

<?php if ($payable && $gateways !== []) { ?>
<h2><?= e(_l('invoice_html_online_payment')) ?></h2>
<?= form_open('invoice/' . $invoice->id . '/' . $invoice->hash, ['id' => 'pay-form', 'novalidate' => true]) ?>
  <input type="hidden" name="hash" value="<?= e($invoice->hash) ?>">
  <?php foreach ($gateways as $i => $g) { ?>
  <div class="form-group radio">
    <input type="radio" name="paymentmode" id="pm_<?= e($g['id']) ?>" value="<?= e($g['id']) ?>"<?= ($g['selected_by_default'] == '1' || count($gateways) === 1) && $i === 0 ? ' checked' : '' ?>>
    <label for="pm_<?= e($g['id']) ?>" style="display:inline"><?= e($g['name']) ?></label>
  </div>
  <?php } ?>
  <?php if ($amount_editable) { ?>
  <div class="form-group"><label for="amount"><?= e(_l('invoice_html_amount')) ?></label>
    <input type="number" name="amount" id="amount" step="0.01" min="0.01" max="<?= e($invoice->total_left_to_pay) ?>" value="<?= e($invoice->total_left_to_pay) ?>"></div>
  <?php } ?>
  <button type="submit" name="make_payment" value="1" id="pay"><?= e(_l('invoice_html_online_payment_button_text')) ?></button>
<?= form_close() ?>
<?php } ?>
<?php include VIEWPATH . 'layout_foot.php'; ?>
