<?php

defined('BASEPATH') or exit('No direct script access allowed');

/** Where access_denied() sends staff without a referring page: the layout shows the danger alert. */
class Access_denied extends AdminController
{
    public function index()
    {
        init_head();
        echo '<h1 id="access-denied">' . e(_l('access_denied')) . '</h1>';
        init_tail();
    }
}
