<?php

defined('BASEPATH') or exit('No direct script access allowed');

/** admin/credit_notes: every credit note with its lines and refunds (what staff see in Perfex's Sales → Credit Notes). */
class Credit_notes extends AdminController
{
    public function index()
    {
        $this->load->model('credit_notes_model');
        $notes = [];
        foreach ($this->credit_notes_model->get() as $row) {
            $notes[] = $this->credit_notes_model->get($row['id']);
        }
        $this->load->view('admin/credit_notes', ['title' => _l('credit_notes'), 'admin_menu' => true, 'notes' => $notes]);
    }
}
