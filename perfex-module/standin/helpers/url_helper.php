<?php

defined('BASEPATH') or exit('No direct script access allowed');

/*
 * CodeIgniter's url_helper (always loaded in Perfex).
 */

function standin_base(): string
{
    return rtrim(APP_BASE_URL, '/') . '/';
}

function site_url($uri = ''): string
{
    if (is_array($uri)) {
        $uri = implode('/', $uri);
    }
    return standin_base() . ltrim((string) $uri, '/');
}

function base_url($uri = ''): string
{
    return site_url($uri);
}

function current_url(): string
{
    $q = $_SERVER['QUERY_STRING'] ?? '';
    return site_url(standin_core('uri')->uri_string()) . ($q !== '' ? '?' . $q : '');
}

function uri_string(): string
{
    return standin_core('uri')->uri_string();
}

/** CI url_helper redirect(): relative URIs go through site_url(); 303 after a POST, 302 otherwise. */
function redirect($uri = '', $method = 'auto', $code = null): never
{
    if (!preg_match('#^(\w+:)?//#i', (string) $uri)) {
        $uri = site_url($uri);
    }
    if ($method === 'refresh') {
        header('Refresh:0;url=' . $uri);
    } else {
        if ($code === null || !is_numeric($code)) {
            $code = (($_SERVER['REQUEST_METHOD'] ?? 'GET') !== 'GET') ? 303 : 302;
        }
        header('Location: ' . $uri, true, (int) $code);
    }
    standin_exit();
}
