<?php

defined('BASEPATH') or exit('No direct script access allowed');

/**
 * The old address of the staff page (paybridge/admin…): every request is redirected to admin_url('paybridge'),
 * where the page lives now (issue 10), so bookmarks keep working; nothing is done here (a POST re-check to
 * the old address only redirects).
 */
class Admin extends AdminController
{
    public function __construct()
    {
        parent::__construct();
        if (!defined('PAYBRIDGE_MODULE_NAME')) {
            show_404();
        }
    }

    public function _remap($method, $params = []): never
    {
        redirect(admin_url('paybridge'));
    }
}
