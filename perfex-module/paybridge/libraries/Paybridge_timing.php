<?php

defined('BASEPATH') or exit('No direct script access allowed');

/**
 * Where a webhook's time goes (issue 14 item 5): the webhook controller opens a span around each
 * step (`verify` = parseWebhook, `api` = confirmWebhook's authenticated re-read, `db` = lookups and
 * recording) and every answer, success or error, carries
 * `Server-Timing: verify;dur=…, api;dur=…, db;dur=…, total;dur=…` (W3C Server Timing, milliseconds).
 * A span still open when the answer goes (an exception jumped out of it) ends there. Durations
 * only: no names, ids or reasons, so the header tells an observer nothing the status does not.
 */
final class Paybridge_timing
{
    private const STEPS = ['verify', 'api', 'db'];

    private static float $start = 0.0;
    /** @var array<string, float> seconds per step */
    private static array $spent = [];
    private static ?string $open = null;
    private static float $openedAt = 0.0;

    public static function start(): void
    {
        self::$start = hrtime(true) / 1e9;
        self::$spent = array_fill_keys(self::STEPS, 0.0);
        self::$open  = null;
    }

    public static function begin(string $step): void
    {
        self::end();
        self::$open     = $step;
        self::$openedAt = hrtime(true) / 1e9;
    }

    public static function end(): void
    {
        if (self::$open !== null) {
            self::$spent[self::$open] = (self::$spent[self::$open] ?? 0.0) + hrtime(true) / 1e9 - self::$openedAt;
            self::$open = null;
        }
    }

    /** The header line; '' before start() (nothing measured, nothing sent). */
    public static function header(): string
    {
        if (self::$start === 0.0) {
            return '';
        }
        self::end();
        $parts = [];
        foreach (self::$spent as $step => $seconds) {
            $parts[] = sprintf('%s;dur=%.1f', $step, $seconds * 1000);
        }
        $parts[] = sprintf('total;dur=%.1f', (hrtime(true) / 1e9 - self::$start) * 1000);

        return 'Server-Timing: ' . implode(', ', $parts);
    }
}
