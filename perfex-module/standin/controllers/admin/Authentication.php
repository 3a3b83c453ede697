<?php

defined('BASEPATH') or exit('No direct script access allowed');

/** admin/authentication: staff login/logout (no AdminController: it must work without a session). */
class Authentication extends App_Controller
{
    public function index()
    {
        $this->admin();
    }

    public function admin()
    {
        if (is_staff_logged_in()) {
            redirect(admin_url());
        }
        if ($this->input->post() !== []) {
            $email = trim((string) $this->input->post('email'));
            $password = (string) $this->input->post('password');
            $staff = $this->db->where(['email' => $email, 'active' => 1])->get(db_prefix() . 'staff')->row();
            if ($staff && password_verify($password, $staff->password)) {
                $this->session->sess_regenerate(true);
                $this->session->set_userdata(['staff_user_id' => (int) $staff->staffid, 'staff_logged_in' => true]);
                $this->db->where('staffid', $staff->staffid)->update(db_prefix() . 'staff', ['last_login' => date('Y-m-d H:i:s')]);
                hooks()->do_action('after_staff_login');
                $red = $this->session->userdata('red_url');
                $this->session->unset_userdata('red_url');
                redirect($red && str_starts_with($red, site_url()) ? $red : admin_url());
            }
            set_alert('danger', _l('admin_auth_invalid_email_or_password'));
            redirect(admin_url('authentication'));
        }
        $this->load->view('admin/login', ['title' => _l('admin_auth_login_heading')]);
    }

    public function logout()
    {
        $this->session->sess_destroy();
        redirect(admin_url('authentication'));
    }
}
