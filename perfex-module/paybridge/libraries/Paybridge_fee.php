<?php

defined('BASEPATH') or exit('No direct script access allowed');

require_once __DIR__ . '/Paybridge_money.php';

/**
 * Perfex gateway fees (Perfex 3.0.5+, perfex.md "process_payment flow"; issue 13 item 5), on strings and
 * ints only.
 *
 * Perfex computes `gateway_fee = getFee(amount)` (a float rounded to get_decimal_places() = 2), stores it in
 * its tblpayment_attempts row next to the amount before the fee, and hands the gateway `amount + fee` as a
 * float. addPayment() later takes the attempt's fee off again when given `payment_attempt_reference`.
 *
 * Which fee is charged, and how it is rounded (issue 13 item 7):
 *  - The fee charged is PERFEX'S fee, because Perfex's own books (its attempt row, the subtraction in
 *    addPayment) use that value; charging anything else would make the two disagree.
 *  - The float becomes a decimal exactly once, here: its shortest round-trip decimal representation
 *    (shortestDecimal), rounded half up to 2 places (what Perfex stores), then half up to the currency's
 *    ISO 4217 exponent. Only currencies with fewer than 2 decimals ever round at that second step
 *    (JPY: a 35.10 fee is charged as 35 yen, 35.50 as 36); KWD (3) is exact (0.66 -> 660 fils).
 *  - It is checked against the fee the module computes itself from the fee_fixed / fee_percent settings as
 *    decimal strings in integer arithmetic (ownFeeCents): they must agree to the cent, except at an exact
 *    half cent, where Perfex's float round() may go either way. A fee the module cannot explain is refused
 *    (fee_mismatch), never charged: the same rule as amounts with too many decimals (issue 10).
 *  - The base (what the invoice is paid with) is Perfex's own amount before the fee, the attempt row's
 *    `amount`, converted with the strict issue 10 rule (more decimals than the currency has: refused);
 *    Perfex's `amount + fee` float must equal base + fee to the cent.
 */
final class Paybridge_fee
{
    /**
     * The shortest decimal string (fraction digits 0..17) that reads back as the same float: 35.1 -> "35.1",
     * 0.1 + 0.2 -> "0.30000000000000004". Non-negative finite floats below 1e13 only.
     */
    public static function shortestDecimal(float $value): string
    {
        if (!is_finite($value) || $value < 0 || $value >= 1e13) {
            throw new InvalidArgumentException('invalid_amount');
        }
        for ($places = 0; $places <= 17; $places++) {
            $s = sprintf('%.' . $places . 'F', $value);
            if ((float) $s === $value) {
                return $s;
            }
        }

        return sprintf('%.17F', $value);
    }

    /** A Perfex number (float, int or numeric string, e.g. a DOUBLE column) -> a plain decimal string. */
    public static function decimalOf($value): string
    {
        if (is_int($value)) {
            return (string) max(0, $value);
        }
        if (is_string($value) && preg_match('/^\s*(\d{1,13}(?:\.\d{1,17})?)\s*$/', $value, $m)) {
            return $m[1];
        }
        if (is_string($value) && is_numeric(trim($value))) {
            $value = (float) trim($value); // e.g. "1.0E-5" from a DOUBLE column
        }
        if (!is_float($value)) {
            throw new InvalidArgumentException('invalid_amount');
        }

        return self::shortestDecimal($value);
    }

    /** Rounds a non-negative plain decimal string half up to $places fraction digits (pads when shorter). */
    public static function roundHalfUp(string $decimal, int $places): string
    {
        if (!preg_match('/^(\d+)(?:\.(\d*))?$/', $decimal, $m) || $places < 0 || $places > 6) {
            throw new InvalidArgumentException('invalid_amount');
        }
        $int  = $m[1];
        $frac = $m[2] ?? '';
        if (strlen($frac) <= $places) {
            $frac = str_pad($frac, $places, '0');
        } else {
            $up   = (int) $frac[$places] >= 5;
            $frac = substr($frac, 0, $places);
            if ($up) {
                // Increment the digit string int.frac by one unit in the last place.
                $digits = $int . $frac;
                $i = strlen($digits) - 1;
                while ($i >= 0 && $digits[$i] === '9') {
                    $digits[$i] = '0';
                    $i--;
                }
                $digits = $i < 0 ? '1' . $digits : substr($digits, 0, $i) . ((int) $digits[$i] + 1) . substr($digits, $i + 1);
                $int  = substr($digits, 0, strlen($digits) - $places);
                $frac = $places > 0 ? substr($digits, -$places) : '';
            }
        }
        $int = ltrim($int, '0');

        return ($int === '' ? '0' : $int) . ($places > 0 ? '.' . $frac : '');
    }

    /**
     * The fee the settings ask for on $baseCents, computed exactly: fee_fixed + base * fee_percent / 100,
     * rounded half up to cents (Perfex's precision). Settings: plain decimals with at most 4 fraction digits,
     * fee_percent at most 100; empty means 0. @return array{0:int,1:bool} cents, and whether the exact value
     * was a half cent (then Perfex's float round() may have gone down instead)
     */
    public static function ownFeeCents(int $baseCents, string $fixed, string $percent): array
    {
        $fx = self::scaled4($fixed);   // fixed, in 1/10000 of the major unit = 1/100 cent
        $p  = self::scaled4($percent); // percent * 10^4
        if ($baseCents < 0 || $p > 100 * 10000) {
            throw new InvalidArgumentException('fee_mismatch');
        }
        // base * percent / 100 in 1/100 cent = baseCents * p / 10^4; split so no product overflows 64 bits.
        $q     = intdiv($baseCents, 10000);
        $r     = $baseCents % 10000;
        $whole = $q * $p + intdiv($r * $p, 10000);
        $rest  = ($r * $p) % 10000; // a fraction of 1/100 cent left over
        $total = $fx + $whole;      // in 1/100 cent
        $cents = intdiv($total, 100);
        $sub   = $total % 100;
        $half  = $sub === 50 && $rest === 0;
        if ($sub >= 50) {
            $cents++;
        }

        return [$cents, $half];
    }

    private static function scaled4(string $setting): int
    {
        $setting = trim($setting);
        if ($setting === '') {
            return 0;
        }
        if (!preg_match('/^(\d{1,12})(?:\.(\d{1,4}))?$/', $setting, $m)) {
            throw new InvalidArgumentException('fee_mismatch'); // e.g. "2,9": not what Perfex's (float) cast reads
        }

        return (int) $m[1] * 10000 + (int) str_pad($m[2] ?? '', 4, '0');
    }

    /**
     * Splits what Perfex hands process_payment() into the invoice part and the fee, in the currency's minor
     * units. $amount: Perfex's amount incl. fee (float, or string/int); $fee: $data['gateway_fee'];
     * $attemptAmount: $data['payment_attempt']->amount (the amount before the fee), null before 3.0.5;
     * $settings: [fee_fixed, fee_percent] when the gateway has processingFees, else null.
     * @return array{base:string, base_minor:int, fee_minor:int, charged:string, charged_minor:int}
     *         base / charged as Perfex 2-decimal strings
     * @throws InvalidArgumentException invalid_amount | fee_mismatch | unsupported_currency
     */
    public static function split($amount, $fee, $attemptAmount, string $currency, ?array $settings): array
    {
        $exp     = Paybridge_money::exponent($currency);
        $feeText = $fee === null || $fee === '' ? '0' : self::decimalOf(is_string($fee) ? $fee : (float) $fee);
        $feeCents = Paybridge_money::cents(self::roundHalfUp($feeText, 2));

        if ($feeCents === 0) {
            // No fee: Perfex's amount is the invoice part, converted by the strict issue 10 rule.
            $base     = Paybridge_money::payAmount($amount, $currency);
            $baseMinor = Paybridge_money::toMinor($base, $currency);

            return ['base' => $base, 'base_minor' => $baseMinor, 'fee_minor' => 0, 'charged' => $base, 'charged_minor' => $baseMinor];
        }
        if ($attemptAmount === null || $attemptAmount === '') {
            // Perfex adds fees only from 3.0.5 on, where it always hands over the attempt; without it the
            // invoice part cannot be told from the fee without float arithmetic.
            throw new InvalidArgumentException('invalid_amount');
        }
        $base      = Paybridge_money::payAmount(is_string($attemptAmount) ? trim($attemptAmount) : $attemptAmount, $currency);
        $baseCents = Paybridge_money::cents($base);
        $given     = Paybridge_money::cents(self::roundHalfUp(self::decimalOf(is_string($amount) ? trim($amount) : $amount), 2));
        if ($given !== $baseCents + $feeCents) {
            throw new InvalidArgumentException('invalid_amount');
        }
        if ($settings !== null) {
            [$own, $half] = self::ownFeeCents($baseCents, (string) ($settings[0] ?? ''), (string) ($settings[1] ?? ''));
            if ($own !== $feeCents && !($half && $own - 1 === $feeCents)) {
                throw new InvalidArgumentException('fee_mismatch');
            }
        }
        $feeMinor  = Paybridge_money::toMinor(self::roundHalfUp(self::centsText($feeCents), min($exp, 6)), $currency);
        $baseMinor = Paybridge_money::toMinor($base, $currency);
        $charged   = $baseMinor + $feeMinor;

        return [
            'base'          => $base,
            'base_minor'    => $baseMinor,
            'fee_minor'     => $feeMinor,
            'charged'       => self::perfexAmountOf($charged, $currency),
            'charged_minor' => $charged,
        ];
    }

    /** Non-negative cents -> "12.34". */
    public static function centsText(int $cents): string
    {
        if ($cents < 0) {
            throw new InvalidArgumentException('invalid_amount');
        }
        $s = str_pad((string) $cents, 3, '0', STR_PAD_LEFT);

        return substr($s, 0, -2) . '.' . substr($s, -2);
    }

    /** Minor units -> Perfex's 2-decimal string, exact or refused (Perfex stores decimal(15,2)). */
    public static function perfexAmountOf(int $minor, string $currency): string
    {
        $decimal = Paybridge_money::fromMinor($minor, $currency);
        $rounded = self::roundHalfUp($decimal, 2);
        if (Paybridge_money::toMinor($rounded, $currency) !== $minor) {
            throw new InvalidArgumentException('invalid_amount');
        }

        return $rounded;
    }
}
