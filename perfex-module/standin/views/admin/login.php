<?php include VIEWPATH . 'layout_head.php'; ?>
<h1><?= e(_l('admin_auth_login_heading')) ?></h1>
<?= form_open(admin_url('authentication'), ['id' => 'login-form']) ?>
  <div class="form-group"><label for="email"><?= e(_l('admin_auth_login_email')) ?></label><input type="email" name="email" id="email"></div>
  <div class="form-group"><label for="password"><?= e(_l('admin_auth_login_password')) ?></label><input type="password" name="password" id="password"></div>
  <button type="submit" id="login"><?= e(_l('admin_auth_login_button')) ?></button>
<?= form_close() ?>
<?php include VIEWPATH . 'layout_foot.php'; ?>
