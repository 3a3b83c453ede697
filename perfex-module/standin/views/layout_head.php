<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title><?= e($title ?? 'Perfex stand-in') ?></title>
<style>
 body{font-family:system-ui,sans-serif;margin:0;background:#f5f6f8;color:#222}
 header{background:#1f2937;color:#fff;padding:10px 24px} header a{color:#cbd5e1;margin-right:16px;text-decoration:none}
 main{max-width:960px;margin:24px auto;background:#fff;padding:24px;border-radius:6px;box-shadow:0 1px 3px #0002}
 table{border-collapse:collapse;width:100%} th,td{border-bottom:1px solid #e5e7eb;padding:6px 8px;text-align:left}
 .alert{padding:10px;border-radius:4px;margin-bottom:12px} .alert-success{background:#dcfce7} .alert-danger{background:#fee2e2}
 .alert-warning{background:#fef3c7} .alert-info{background:#dbeafe}
 .label{padding:2px 8px;border-radius:3px;color:#fff;font-size:13px} .label-success{background:#16a34a} .label-danger{background:#dc2626}
 .label-warning{background:#d97706} .label-default{background:#6b7280}
 .form-group{margin:10px 0} .form-group label{display:block;font-weight:600;margin-bottom:4px}
 input[type=text],input[type=password],input[type=number],input[type=email],textarea{width:100%;max-width:520px;padding:6px;box-sizing:border-box}
 button,.btn{background:#2563eb;color:#fff;border:0;padding:8px 16px;border-radius:4px;cursor:pointer}
 fieldset{border:1px solid #e5e7eb;margin:16px 0;padding:12px}
</style>
</head>
<body>
<?php if (!empty($admin_menu)) { ?>
<header><a href="<?= e(admin_url('invoices')) ?>">Invoices</a><a href="<?= e(admin_url('credit_notes')) ?>" id="menu-credit-notes">Credit Notes</a><a href="<?= e(admin_url('settings?group=payment_gateways')) ?>">Settings</a><a href="<?= e(admin_url('modules')) ?>">Modules</a><?php if (isset(get_instance()->app_menu)) {
    foreach (get_instance()->app_menu->get_sidebar_menu_items() as $__item) {
        foreach ($__item['children'] as $__child) { ?><a href="<?= e($__child['href'] ?? '#') ?>" id="menu-<?= e($__child['slug'] ?? '') ?>"><?= e($__child['name'] ?? '') ?></a><?php }
    }
} ?><a href="<?= e(admin_url('authentication/logout')) ?>" id="logout">Logout</a></header>
<?php } else { ?>
<header><strong><?= e(get_option('companyname')) ?></strong></header>
<?php } ?>
<main>
<?php foreach (['success', 'danger', 'warning', 'info'] as $__t) {
    $__m = get_instance()->session->flashdata('message-' . $__t);
    if ($__m) { ?>
<div class="alert alert-<?= $__t ?>" id="alert-<?= $__t ?>" role="alert"><?= e($__m) ?></div>
<?php }
} ?>
