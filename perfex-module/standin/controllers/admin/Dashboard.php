<?php

defined('BASEPATH') or exit('No direct script access allowed');

class Dashboard extends AdminController
{
    public function index()
    {
        redirect(admin_url('invoices'));
    }
}
