<?php

defined('BASEPATH') or exit('No direct script access allowed');

/*
 * Perfex's datetime_helper: date conversion and display.
 */

function to_sql_date($date, $datetime = false)
{
    if ($date === '' || $date === null) {
        return null;
    }
    $ts = strtotime((string) $date);
    return $ts === false ? null : date($datetime ? 'Y-m-d H:i:s' : 'Y-m-d', $ts);
}

function _d($date)
{
    return $date ? date('Y-m-d', strtotime((string) $date)) : '';
}

function _dt($date)
{
    return $date ? date('Y-m-d H:i:s', strtotime((string) $date)) : '';
}
