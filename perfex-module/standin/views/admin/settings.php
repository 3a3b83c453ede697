<?php include VIEWPATH . 'layout_head.php'; ?>
<h1><?= e(_l('settings_group_payment_gateways')) ?></h1>
<?= form_open(admin_url('settings?group=' . rawurlencode($group)), ['id' => 'settings-form']) ?>
<?php foreach ($gateways as $g) { $gw = $g['instance']; ?>
<fieldset id="gateway-<?= e($gw->getId()) ?>">
  <legend><?= e($gw->getName()) ?></legend>
  <?php hooks()->do_action('before_render_payment_gateway_settings', $g); ?>
  <?php foreach ($gw->getSettings() as $s) {
      $name = $s['name'];
      $type = $s['type'] ?? 'input';
      $label = _l($s['label'] ?? $name);
      $value = get_option($name);
      $attrs = '';
      foreach ((array) ($s['field_attributes'] ?? []) as $ak => $av) {
          $attrs .= ' ' . e($ak) . '="' . e($av) . '"';
      }
      $fid = 'y_opt_' . e($name);
  ?>
  <div class="form-group" data-setting="<?= e($name) ?>">
    <?php if ($type === 'yes_no') { ?>
      <label><?= e($label) ?></label>
      <input type="radio" name="settings[<?= e($name) ?>]" id="<?= $fid ?>_1" value="1"<?= $value === '1' ? ' checked' : '' ?>> <label for="<?= $fid ?>_1" style="display:inline"><?= e(_l('settings_yes')) ?></label>
      <input type="radio" name="settings[<?= e($name) ?>]" id="<?= $fid ?>_0" value="0"<?= $value !== '1' ? ' checked' : '' ?>> <label for="<?= $fid ?>_0" style="display:inline"><?= e(_l('settings_no')) ?></label>
    <?php } elseif (!empty($s['encrypted'])) { ?>
      <label for="<?= $fid ?>"><?= e($label) ?></label>
      <input type="password" autocomplete="new-password" name="settings[<?= e($name) ?>]" id="<?= $fid ?>" value=""
        placeholder="<?= $value !== '' ? '••••••••' : '' ?>" data-encrypted="1" data-stored="<?= $value !== '' ? '1' : '0' ?>"<?= $attrs ?>>
      <?php if ($value !== '') { ?><small class="encrypted-hint"><?= e(_l('settings_encrypted_value_set')) ?></small><?php } ?>
    <?php } elseif ($type === 'textarea') { ?>
      <label for="<?= $fid ?>"><?= e($label) ?></label>
      <textarea name="settings[<?= e($name) ?>]" id="<?= $fid ?>" rows="3"<?= $attrs ?>><?= e($value) ?></textarea>
    <?php } else { ?>
      <label for="<?= $fid ?>"><?= e($label) ?></label>
      <input type="<?= e($s['input_type'] ?? 'text') ?>" name="settings[<?= e($name) ?>]" id="<?= $fid ?>" value="<?= e($value) ?>"<?= $attrs ?>>
    <?php } ?>
    <?= $s['after'] ?? '' ?>
  </div>
  <?php } ?>
</fieldset>
<?php } ?>
<button type="submit" id="save-settings"><?= e(_l('settings_save')) ?></button>
<?= form_close() ?>
<?php include VIEWPATH . 'layout_foot.php'; ?>
