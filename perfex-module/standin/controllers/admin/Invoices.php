<?php

defined('BASEPATH') or exit('No direct script access allowed');

class Invoices extends AdminController
{
    public function index()
    {
        $this->load->model('invoices_model');
        $this->load->view('admin/invoices', ['title' => _l('invoices'), 'admin_menu' => true,
            'invoices' => $this->invoices_model->get()]);
    }

    /** Perfex's staff address of one invoice (admin/invoices/list_invoices/<id>): the list, as Perfex opens it there. */
    public function list_invoices($id = '')
    {
        $this->index();
    }
}
