<?php $this_title = 'Perfex stand-in'; include VIEWPATH . 'layout_head.php'; ?>
<h1>Perfex stand-in</h1>
<p>A minimal Perfex 3.x host for payment-gateway modules. Customer invoices live at <code>invoice/&lt;id&gt;/&lt;hash&gt;</code>;
the admin area is at <a href="<?= e(admin_url()) ?>"><?= e(admin_url()) ?></a>.</p>
<?php include VIEWPATH . 'layout_foot.php'; ?>
