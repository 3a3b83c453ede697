<?php

defined('BASEPATH') or exit('No direct script access allowed');

/**
 * paybridge/admin… is an address staff may have bookmarked; the staff page is admin_url('paybridge'), inside
 * the admin area so an IP restriction on it covers the page. Every request here is only redirected there;
 * nothing is done (a POST re-check sent here only redirects).
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
