<?php

defined('BASEPATH') or exit('No direct script access allowed');

/*
 * Perfex's admin helpers: admin URLs and the admin layout.
 */

function admin_url($url = ''): string
{
    if ($url === '' || $url === '/') {
        return site_url(ADMIN_URI) . '/';
    }
    return site_url(ADMIN_URI . '/' . ltrim((string) $url, '/'));
}

function get_admin_uri(): string
{
    return ADMIN_URI;
}

/** Perfex's admin layout, head part: the module's page body goes between init_head() and init_tail(). */
function init_head($aside = true): void
{
    $admin_menu = true;
    $title = get_option('companyname');
    include VIEWPATH . 'layout_head.php';
}

function init_tail(): void
{
    include VIEWPATH . 'layout_foot.php';
}
