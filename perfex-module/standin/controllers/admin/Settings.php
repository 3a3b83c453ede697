<?php

defined('BASEPATH') or exit('No direct script access allowed');

/**
 * admin/settings?group=payment_gateways: every registered gateway's getSettings() as a form. Encrypted
 * settings are never echoed (not even as ciphertext): the field stays empty with a "value stored" hint,
 * and an empty submission keeps the stored value. Values are trimmed and go through the XSS filter
 * (see index()). Saving goes through update_option(), encrypting
 * `encrypted` settings with $CI->encryption->encrypt().
 */
class Settings extends AdminController
{
    public function index()
    {
        $group = (string) ($this->input->get('group') ?: 'payment_gateways');
        $gateways = $this->payment_modes_model->get_payment_gateways(true);

        if ($this->input->post(null, false) !== []) {
            // Like Perfex: the posted settings come through the global XSS filter; only
            // smtp_password and email_* are taken raw. before_settings_updated gets the whole post data
            // (['settings' => [...], ...]) and may return false to stop the save.
            $data = (array) $this->input->post();
            $raw  = (array) $this->input->post(null, false);
            foreach ((array) ($raw['settings'] ?? []) as $k => $v) {
                if ($k === 'smtp_password' || strpos((string) $k, 'email_') === 0) {
                    $data['settings'][$k] = $v;
                }
            }
            $data = hooks()->apply_filters('before_settings_updated', $data);
            if (!is_array($data)) {
                redirect(admin_url('settings?group=' . rawurlencode($group)));
            }
            $posted = (array) ($data['settings'] ?? []);
            $updated = 0;
            foreach ($gateways as $g) {
                foreach ($g['instance']->getSettings() as $s) {
                    if (!array_key_exists($s['name'], $posted)) {
                        continue;
                    }
                    $value = is_array($posted[$s['name']]) ? implode(',', $posted[$s['name']]) : trim((string) $posted[$s['name']]);
                    if (!empty($s['encrypted'])) {
                        if (trim($value) === '') {
                            continue; // keep what is stored
                        }
                        $value = $this->encryption->encrypt($value);
                    }
                    if (update_option($s['name'], $value)) {
                        $updated++;
                    }
                }
            }
            if ($updated > 0) {
                set_alert('success', _l('settings_updated'));
            }
            redirect(admin_url('settings?group=' . rawurlencode($group)));
        }

        $this->load->view('admin/settings', ['title' => _l('settings'), 'admin_menu' => true, 'group' => $group, 'gateways' => $gateways]);
    }
}
