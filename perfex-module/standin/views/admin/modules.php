<?php include VIEWPATH . 'layout_head.php'; ?>
<h1><?= e(_l('modules')) ?></h1>
<table id="modules-table">
  <tr><th>Module</th><th>Description</th><th>Version</th><th></th></tr>
  <?php foreach ($modules as $m) { ?>
  <tr data-module="<?= e($m['system_name']) ?>" data-active="<?= (int) $m['activated'] ?>">
    <td><?= e($m['headers']['name'] ?: $m['system_name']) ?></td><td><?= e($m['headers']['description']) ?></td>
    <td><?= e($m['headers']['version']) ?></td>
    <td><?= form_open(admin_url('modules/' . ($m['activated'] ? 'deactivate' : 'activate') . '/' . $m['system_name'])) ?>
      <button type="submit" class="module-<?= $m['activated'] ? 'deactivate' : 'activate' ?>"><?= e(_l($m['activated'] ? 'module_deactivate' : 'module_activate')) ?></button>
    <?= form_close() ?></td></tr>
  <?php } ?>
</table>
<h2><?= e(_l('module_upload')) ?></h2>
<?= form_open_multipart(admin_url('modules/upload'), ['id' => 'module-upload-form']) ?>
  <input type="file" name="module" id="module-zip" accept=".zip">
  <button type="submit" id="upload-module"><?= e(_l('module_upload')) ?></button>
<?= form_close() ?>
<?php include VIEWPATH . 'layout_foot.php'; ?>
