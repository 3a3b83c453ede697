<?php

defined('BASEPATH') or exit('No direct script access allowed');

/*
 * CodeIgniter's system/core/Common.php (and get_instance() from CodeIgniter.php): the global
 * functions every request has before any helper loads.
 */

function &get_instance(): CI_Controller
{
    return CI_Controller::get_instance();
}

function show_404($page = '', $log_error = true): never
{
    http_response_code(404);
    echo standin_render_file(APPPATH . 'views/errors/404.php', ['page' => $page]);
    standin_exit();
}

function show_error($message, $status_code = 500, $heading = 'An Error Was Encountered'): never
{
    http_response_code((int) $status_code);
    echo '<!DOCTYPE html><html><head><title>' . e($heading) . '</title></head><body><h1>' . e($heading) . '</h1><p>'
        . (is_array($message) ? implode('<br>', array_map('e', $message)) : e((string) $message)) . '</p></body></html>';
    standin_exit();
}

/** exit(), except under the CLI test harness where it becomes an exception. */
function standin_exit(): never
{
    if (defined('STANDIN_NO_EXIT')) {
        throw new Standin_exit_exception();
    }
    exit;
}

class Standin_exit_exception extends RuntimeException
{
}

function html_escape($var, $double_encode = true)
{
    if (is_array($var)) {
        return array_map('html_escape', $var);
    }
    return htmlspecialchars((string) $var, ENT_QUOTES, 'UTF-8', $double_encode);
}

/** CI log_message(): appends to <stack>/log/standin.log. */
function log_message($level, $message): void
{
    $dir = STANDIN_STACK_DIR . '/log';
    if (!is_dir($dir)) {
        return;
    }
    @file_put_contents($dir . '/standin.log', strtoupper((string) $level) . ' - ' . date('Y-m-d H:i:s') . ' --> ' . $message . "\n", FILE_APPEND);
}
