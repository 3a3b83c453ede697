<?php

defined('BASEPATH') or exit('No direct script access allowed');

/**
 * Money conversions between Perfex and the paybridge extension, on strings and ints only.
 *
 * Perfex stores every amount as decimal(15,2) and get_decimal_places() is 2 even for JPY or KWD
 * (perfex.md "Money in Perfex"). The extension wants major-unit decimal strings with at most the
 * currency's ISO 4217 exponent of fraction digits (providers.md §0). So:
 *  - Perfex -> provider: "1200.00" JPY becomes "1200"; "1200.50" JPY is refused (not representable);
 *    "12.50" KWD becomes "12.500".
 *  - provider -> Perfex: only amounts equal to what was requested are ever recorded, and the recorded
 *    amount is the requested Perfex string itself, so no provider amount is ever rounded into Perfex.
 * No float is ever used: Perfex's own gateways do `$amount * 100`, a known pitfall.
 */
final class Paybridge_money
{
    /**
     * The currency's ISO 4217 exponent, from the extension's own table (PayBridge\currency_exponent), the
     * one it checks every amount against (providers.md §0): a second copy here could disagree with it.
     * A code the table does not know is `unsupported_currency`. The module requires the extension; without
     * it this is a LogicException that says so, never a guessed exponent.
     */
    public static function exponent(string $currency): int
    {
        $currency = strtoupper(trim($currency));
        if (!preg_match('/^[A-Z]{3}$/', $currency)) {
            throw new InvalidArgumentException('unsupported_currency');
        }
        if (!function_exists('PayBridge\\currency_exponent')) {
            throw new LogicException('paybridge: the paybridge PHP extension is not loaded, and currency exponents'
                . ' come from it; install it for this PHP (see the System section of the PayBridge settings)');
        }
        try {
            return \PayBridge\currency_exponent($currency);
        } catch (\PayBridge\Exception\InvalidPayloadException $e) {
            throw new InvalidArgumentException('unsupported_currency');
        }
    }

    /**
     * Perfex amount (string like "12.50", "12.5", "12" or an int) -> canonical 2-decimal string.
     * A float is accepted only because some Perfex paths hand one over; it is formatted once with
     * two decimals (the value Perfex itself would store), never used in arithmetic.
     */
    public static function perfexAmount($amount): string
    {
        if (is_int($amount)) {
            $amount = (string) $amount;
        } elseif (is_float($amount)) {
            $amount = self::fromFloat($amount, 2);
        }
        if (!is_string($amount) || !preg_match('/^(\d{1,13})(?:\.(\d{1,2}))?$/', trim($amount), $m)) {
            throw new InvalidArgumentException('invalid_amount');
        }
        $int  = ltrim($m[1], '0');
        $frac = str_pad($m[2] ?? '', 2, '0');
        $out  = ($int === '' ? '0' : $int) . '.' . $frac;
        if ($out === '0.00') {
            throw new InvalidArgumentException('invalid_amount');
        }

        return $out;
    }

    /**
     * The one place a Perfex float becomes a decimal string: Perfex's process_payment() hands the
     * gateway `$amount += $gateway_fee`, a float. Rounding rule: the float is printed with exactly $places
     * fraction digits (printf's correctly rounded conversion of the binary value) and accepted ONLY if that
     * string reads back as the very same float, i.e. the customer's amount had at most $places decimals.
     * "10.005" (float 10.00499999…) prints "10.00", which is not the same float: refused, never rounded
     * to 10.00 or 10.01. Finite, non-negative, below 10^13 (Perfex's decimal(15,2)) only.
     */
    public static function fromFloat(float $amount, int $places): string
    {
        if (!is_finite($amount) || $amount < 0 || $amount >= 1e13 || $places < 0 || $places > 4) {
            throw new InvalidArgumentException('invalid_amount');
        }
        $s = sprintf('%.' . $places . 'F', $amount);
        if ((float) $s !== $amount) {
            throw new InvalidArgumentException('invalid_amount');
        }

        return $s;
    }

    /**
     * The amount Perfex passes to process_payment() (float, numeric string or int) -> canonical 2-decimal
     * string, refused when it has more decimals than the currency has (JPY: none; never more than Perfex's
     * 2 decimal places, which is what Perfex will record). Converted exactly once, here.
     */
    public static function payAmount($amount, string $currency): string
    {
        $places = min(2, self::exponent($currency));
        if (is_float($amount)) {
            $amount = self::fromFloat($amount, $places);
        }
        $out = self::perfexAmount(is_string($amount) ? trim($amount) : $amount);
        self::toMinor($out, $currency); // refuses "1200.50" JPY

        return $out;
    }

    /** A Perfex decimal string (sign allowed, at most 2 decimals, as decimal(15,2) and bcsub(…, 2) give) -> cents. */
    public static function cents(string $decimal): int
    {
        if (!preg_match('/^([-+]?)(\d{1,13})(?:\.(\d{1,2}))?$/', trim($decimal), $m)) {
            throw new InvalidArgumentException('invalid_amount');
        }
        $cents = (int) $m[2] * 100 + (int) str_pad($m[3] ?? '', 2, '0');

        return $m[1] === '-' ? -$cents : $cents;
    }

    /** Decimal string in major units -> integer minor units in the currency's exponent; exact or refused. */
    public static function toMinor(string $decimal, string $currency): int
    {
        $exp = self::exponent($currency);
        if (!preg_match('/^(\d{1,15})(?:\.(\d{1,6}))?$/', $decimal, $m)) {
            throw new InvalidArgumentException('invalid_amount');
        }
        $frac = $m[2] ?? '';
        if (strlen($frac) > $exp) {
            if (trim(substr($frac, $exp), '0') !== '') {
                throw new InvalidArgumentException('invalid_amount'); // e.g. "1200.50" JPY
            }
            $frac = substr($frac, 0, $exp);
        }
        $digits = ltrim($m[1] . str_pad($frac, $exp, '0'), '0');
        if (strlen($digits) > 18) {
            throw new InvalidArgumentException('invalid_amount');
        }

        return (int) ($digits === '' ? '0' : $digits);
    }

    /** Integer minor units -> decimal string with exactly the currency's exponent of fraction digits. */
    public static function fromMinor(int $minor, string $currency): string
    {
        $exp = self::exponent($currency);
        if ($minor < 0) {
            throw new InvalidArgumentException('invalid_amount');
        }
        if ($exp === 0) {
            return (string) $minor;
        }
        $s = str_pad((string) $minor, $exp + 1, '0', STR_PAD_LEFT);

        return substr($s, 0, -$exp) . '.' . substr($s, -$exp);
    }
}
