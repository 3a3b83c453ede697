<?php

defined('BASEPATH') or exit('No direct script access allowed');

require_once __DIR__ . '/Paybridge_money.php';

/**
 * Escaping for the admin views (issue 13 item 6). Provider fields (payment ids, event ids, types, reason
 * codes) come from outside: they are shown as inert text. Besides HTML escaping, invalid UTF-8 becomes
 * U+FFFD and every control or invisible formatting character (C0, DEL, C1, zero-width and bidirectional
 * overrides, BOM) is shown as a visible \u{XXXX} so it can neither reorder the page's text nor hide.
 */
final class Paybridge_html
{
    private const INVISIBLE = '/[\x{0000}-\x{001F}\x{007F}-\x{009F}\x{00AD}\x{061C}\x{180E}\x{200B}-\x{200F}\x{2028}-\x{202E}\x{2060}-\x{2069}\x{FEFF}\x{FFF9}-\x{FFFB}]/u';

    public static function text($value): string
    {
        $s = is_scalar($value) ? (string) $value : '';
        if (!mb_check_encoding($s, 'UTF-8')) {
            $s = mb_convert_encoding($s, 'UTF-8', 'UTF-8'); // invalid sequences -> '?'
        }
        $s = (string) preg_replace_callback(self::INVISIBLE, static function (array $m): string {
            return sprintf('\\u{%04X}', mb_ord($m[0], 'UTF-8'));
        }, $s);

        return htmlspecialchars($s, ENT_QUOTES | ENT_SUBSTITUTE, 'UTF-8');
    }

    /** Minor units in the currency's exponent, as "123.78 EUR"; an unreadable value is shown as it is stored. */
    public static function money($minor, $currency): string
    {
        return self::text(self::decimal($minor, $currency) . ' ' . $currency);
    }

    /**
     * The decimal string of an amount in minor units, unescaped. Falls back to the minor units when the
     * currency's exponent is unknown (or the extension is missing), so a page can still render.
     */
    public static function decimal($minor, $currency): string
    {
        try {
            return Paybridge_money::fromMinor((int) $minor, (string) $currency);
        } catch (Throwable $e) {
            return (string) (int) $minor;
        }
    }

    /** Perfex's staff view of an invoice. */
    public static function invoiceUrl(int $invoiceId): string
    {
        return admin_url('invoices/list_invoices/' . $invoiceId);
    }
}
