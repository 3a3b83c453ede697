<?php

defined('BASEPATH') or exit('No direct script access allowed');

/*
 * Two-decimal money arithmetic on strings (what Perfex does with bcadd/bcsub at scale 2), through integer
 * hundredths so no float is ever involved. Extra decimals are truncated, as bcmath does.
 */

/** "12.5" -> 1250, "-0.01" -> -1, "7" -> 700. Throws on anything that is not a plain decimal. */
function standin_to_cents($amount): int
{
    if (is_int($amount)) {
        return $amount * 100;
    }
    $s = trim((string) $amount);
    if (!preg_match('/^([+-]?)(\d*)(?:\.(\d*))?$/', $s, $m) || ($m[2] === '' && ($m[3] ?? '') === '')) {
        throw new InvalidArgumentException('Not a decimal amount: ' . $s);
    }
    $frac = substr(str_pad($m[3] ?? '', 2, '0'), 0, 2);
    $cents = (int) ($m[2] === '' ? '0' : $m[2]) * 100 + (int) $frac;
    return $m[1] === '-' ? -$cents : $cents;
}

function standin_from_cents(int $cents): string
{
    $sign = $cents < 0 ? '-' : '';
    $abs = abs($cents);
    return $sign . intdiv($abs, 100) . '.' . str_pad((string) ($abs % 100), 2, '0', STR_PAD_LEFT);
}

function standin_is_decimal($amount): bool
{
    return is_int($amount) || (is_string($amount) && preg_match('/^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$/', $amount));
}

/** Normalises to "N.NN". */
function standin_decimal($amount): string
{
    return standin_from_cents(standin_to_cents($amount));
}

function standin_decimal_add($a, $b): string
{
    return standin_from_cents(standin_to_cents($a) + standin_to_cents($b));
}

function standin_decimal_sub($a, $b): string
{
    return standin_from_cents(standin_to_cents($a) - standin_to_cents($b));
}

function standin_decimal_cmp($a, $b): int
{
    return standin_to_cents($a) <=> standin_to_cents($b);
}
