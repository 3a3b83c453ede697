<?php

defined('BASEPATH') or exit('No direct script access allowed');

/** admin/modules: list, activate/deactivate (POST), upload a module zip (extract; then Activate). */
class Modules extends AdminController
{
    public function index()
    {
        $this->load->view('admin/modules', ['title' => _l('modules'), 'admin_menu' => true, 'modules' => standin_core('modules')->get()]);
    }

    public function activate($name = '')
    {
        $this->change('activate', (string) $name);
    }

    public function deactivate($name = '')
    {
        $this->change('deactivate', (string) $name);
    }

    private function change(string $action, string $name): void
    {
        if ($this->input->method() !== 'post') {
            show_404();
        }
        if (standin_core('modules')->$action($name)) {
            set_alert('success', ucfirst($action) . 'd: ' . $name);
        }
        redirect(admin_url('modules'));
    }

    public function upload()
    {
        if ($this->input->method() !== 'post' || empty($_FILES['module']['tmp_name'])) {
            set_alert('danger', 'No file uploaded.');
            redirect(admin_url('modules'));
        }
        try {
            $name = standin_core('modules')->upload_zip($_FILES['module']['tmp_name']);
            set_alert('success', _l('module_uploaded_successfully') . ': ' . $name);
        } catch (RuntimeException $e) {
            set_alert('danger', $e->getMessage());
        }
        redirect(admin_url('modules'));
    }
}
