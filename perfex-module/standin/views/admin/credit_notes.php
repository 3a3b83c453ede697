<?php include VIEWPATH . 'layout_head.php'; ?>
<h1><?= e(_l('credit_notes')) ?></h1>
<?php if ($notes === []) { ?><p id="no-credit-notes"><?= e(_l('credit_notes_none')) ?></p><?php } ?>
<table id="credit-notes-table">
  <tr><th>#</th><th><?= e(_l('credit_note_status')) ?></th><th><?= e(_l('credit_note_date')) ?></th><th><?= e(_l('credit_note_reference')) ?></th><th><?= e(_l('credit_note_lines')) ?></th><th><?= e(_l('credit_note_total')) ?></th><th><?= e(_l('credit_note_refunds')) ?></th><th><?= e(_l('credit_note_remaining')) ?></th></tr>
  <?php foreach ($notes as $n) { $cur = (object) ['name' => $n->currency_name, 'symbol' => $n->symbol, 'placement' => $n->placement, 'decimal_separator' => $n->decimal_separator, 'thousand_separator' => $n->thousand_separator]; ?>
  <tr class="credit-note" data-credit-note-id="<?= (int) $n->id ?>" data-status="<?= (int) $n->status ?>" data-total="<?= e($n->total) ?>" data-currency="<?= e($n->currency_name) ?>">
    <td class="number"><?= e(format_credit_note_number($n->id)) ?></td>
    <td class="status"><span class="label label-<?= (int) $n->status === 2 ? 'success' : ((int) $n->status === 1 ? 'warning' : 'default') ?>"><?= e(_l('credit_note_status_' . ([1 => 'open', 2 => 'closed', 3 => 'void'][(int) $n->status] ?? 'open'))) ?></span></td>
    <td><?= e($n->date) ?></td><td><?= e($n->reference_no) ?></td>
    <td class="lines"><?php foreach ($n->items as $it) { ?><div class="line"><?= e($it['description']) ?></div><?php } ?></td>
    <td><?= e(app_format_money($n->total, $cur)) ?></td>
    <td><table class="refunds"><?php foreach ($n->refunds as $r) { ?><tr class="credit-note-refund" data-amount="<?= e($r['amount']) ?>" data-payment-mode="<?= e($r['payment_mode']) ?>"><td><?= e($r['refunded_on']) ?></td><td><?= e($r['payment_mode']) ?></td><td><?= e(app_format_money($r['amount'], $cur)) ?></td><td class="note"><?= e(strip_tags((string) $r['note'])) ?></td></tr><?php } ?></table></td>
    <td class="remaining"><?= e(app_format_money($n->remaining_credits, $cur)) ?></td>
  </tr>
  <?php } ?>
</table>
<?php include VIEWPATH . 'layout_foot.php'; ?>
