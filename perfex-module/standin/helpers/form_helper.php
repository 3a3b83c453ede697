<?php

defined('BASEPATH') or exit('No direct script access allowed');

/*
 * CodeIgniter's form_helper subset (always loaded in Perfex).
 */

function form_open($action = '', $attributes = [], $hidden = []): string
{
    if ($action === '') {
        $action = current_url();
    } elseif (!preg_match('#^(\w+:)?//#', $action)) {
        $action = site_url($action);
    }
    $attrs = is_array($attributes) ? $attributes : [];
    $attrs['method'] = $attrs['method'] ?? 'post';
    $html = '<form action="' . e($action) . '"';
    foreach ($attrs as $k => $v) {
        $html .= ' ' . $k . '="' . e($v) . '"';
    }
    if (is_string($attributes) && $attributes !== '') {
        $html .= ' ' . $attributes;
    }
    $html .= ' accept-charset="utf-8">' . "\n";
    if (strtolower($attrs['method']) === 'post') {
        $hidden = array_merge([get_instance()->security->get_csrf_token_name() => get_instance()->security->get_csrf_hash()], $hidden);
    }
    return $html . form_hidden($hidden);
}

function form_open_multipart($action = '', $attributes = [], $hidden = []): string
{
    $attributes = is_array($attributes) ? $attributes : [];
    $attributes['enctype'] = 'multipart/form-data';
    return form_open($action, $attributes, $hidden);
}

function form_hidden($name, $value = ''): string
{
    $out = '';
    foreach (is_array($name) ? $name : [$name => $value] as $k => $v) {
        $out .= '<input type="hidden" name="' . e($k) . '" value="' . e($v) . '">' . "\n";
    }
    return $out;
}

function form_close($extra = ''): string
{
    return '</form>' . $extra;
}

function csrf_field(): string
{
    return form_hidden(get_instance()->security->get_csrf_token_name(), get_instance()->security->get_csrf_hash());
}
