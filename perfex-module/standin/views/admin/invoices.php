<?php include VIEWPATH . 'layout_head.php'; ?>
<h1><?= e(_l('invoices')) ?></h1>
<table id="invoices-table">
  <tr><th>#</th><th>Status</th><th>Currency</th><th>Total</th><th>Left to pay</th><th>Customer link</th></tr>
  <?php foreach ($invoices as $inv) { $left = get_invoice_total_left_to_pay($inv['id'], $inv['total']); ?>
  <tr data-invoice-id="<?= (int) $inv['id'] ?>">
    <td><?= e(format_invoice_number($inv['id'])) ?></td><td><?= format_invoice_status($inv['status']) ?></td>
    <td><?= e($inv['currency_name']) ?></td><td><?= e(app_format_money($inv['total'], (object) $inv)) ?></td>
    <td><?= e(app_format_money($left, (object) $inv)) ?></td>
    <td><a href="<?= e(site_url('invoice/' . $inv['id'] . '/' . $inv['hash'])) ?>">view</a></td></tr>
  <?php } ?>
</table>
<?php include VIEWPATH . 'layout_foot.php'; ?>
