<?php

defined('BASEPATH') or exit('No direct script access allowed');

/**
 * GET cron/index[/<key>] as in Perfex 3.x (perfex.md "Added in turn 2 — Cron"): refused with 401 when
 * APP_CRON_KEY is defined and the key differs; otherwise Cron_model::run() at most once per
 * `cron_functions_execute_seconds` (300 by default) since the option `last_cron_run` (a Unix time).
 * The answer is an empty 200 either way, like Perfex.
 */
class Cron extends App_Controller
{
    public function index($key = '')
    {
        if (defined('APP_CRON_KEY') && !hash_equals((string) APP_CRON_KEY, (string) $key)) {
            http_response_code(401);
            echo 'Passed cron job key is not correct.';
            return;
        }
        $last    = get_option('last_cron_run');
        $seconds = (int) hooks()->apply_filters('cron_functions_execute_seconds', 300);
        if ($last === '' || time() > ((int) $last + $seconds)) {
            $this->load->model('cron_model');
            $this->cron_model->run();
        }
    }
}
