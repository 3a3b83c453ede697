<?php

defined('BASEPATH') or exit('No direct script access allowed');

class Home extends ClientsController
{
    public function index()
    {
        $this->load->view('home', ['title' => 'Perfex stand-in']);
    }
}
