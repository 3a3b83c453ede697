<?php

defined('BASEPATH') or exit('No direct script access allowed');

/*
 * Perfex's sales_helper: decimal places and money formatting.
 */

function get_decimal_places(): int
{
    return (int) hooks()->apply_filters('app_decimal_places', 2);
}

/**
 * Formats a decimal amount with the currency's separators and symbol placement, without floats.
 * $currency: currency object, id or ISO name.
 */
function app_format_money($amount, $currency, $excludeSymbol = false): string
{
    if (!is_object($currency)) {
        $CI = &get_instance();
        $CI->load->model('currencies_model');
        $currency = is_numeric($currency) ? $CI->currencies_model->get($currency) : $CI->currencies_model->get_by_name((string) $currency);
    }
    $dec = $currency->decimal_separator ?? '.';
    $thousand = $currency->thousand_separator ?? ',';
    $amount = is_float($amount) ? number_format($amount, 2, '.', '') : (string) $amount;
    $amount = standin_is_decimal($amount) ? standin_decimal($amount) : '0.00';
    $neg = $amount[0] === '-';
    [$int, $frac] = explode('.', ltrim($amount, '-'));
    $int = strrev(implode($thousand, str_split(strrev($int), 3)));
    $formatted = ($neg ? '-' : '') . $int . (get_decimal_places() > 0 ? $dec . $frac : '');
    if ($excludeSymbol || !$currency) {
        return $formatted;
    }
    $symbol = $currency->symbol ?? ($currency->name ?? '');
    return ($currency->placement ?? 'before') === 'after' ? $formatted . $symbol : $symbol . $formatted;
}

function get_base_currency()
{
    $CI = &get_instance();
    $CI->load->model('currencies_model');
    return $CI->currencies_model->get_base_currency();
}
