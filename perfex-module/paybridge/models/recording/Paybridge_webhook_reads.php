<?php

defined('BASEPATH') or exit('No direct script access allowed');

/**
 * The budget of API reads that unverified webhooks may cause, and the per-provider webhook health the
 * settings page and the admin page show. Part of Paybridge_model (its callers load that model only).
 */
trait Paybridge_webhook_reads
{
    /**
     * Budget of API reads caused by unverified webhooks (issue 9 item 8): at most one per attempt and
     * claimed status per $seconds. Keyed by the claimed status too, so a real sequence (Payrexx "waiting",
     * "confirmed", then "refunded" within seconds) is never held back, while a burst of one forged claim
     * costs one read; a forger cycling through every normalized status gets at most one read per status.
     * INSERT IGNORE (first read) or one conditional UPDATE decides atomically: of concurrent deliveries
     * exactly one gets the read. @return int 0 when the read may go ahead, else seconds for Retry-After
     */
    public function claim_webhook_read(object $payment, string $claim, int $seconds = 10): int
    {
        $table = db_prefix() . 'paybridge_webhook_reads';
        $claim = preg_match('/^[a-z_]{1,30}$/', $claim) ? $claim : 'other';
        $now   = microtime(true);
        $stamp = static function (float $t): string {
            return date('Y-m-d H:i:s', (int) floor($t)) . sprintf('.%03d', (int) (($t - floor($t)) * 1000));
        };
        $where = ' WHERE payment_row_id = ' . (int) $payment->id . ' AND claim = ' . $this->db->escape($claim);
        $this->db->query('INSERT IGNORE INTO ' . $table . ' (payment_row_id, claim, last_read_at) VALUES ('
            . (int) $payment->id . ', ' . $this->db->escape($claim) . ', ' . $this->db->escape($stamp($now)) . ')');
        if ($this->db->affected_rows() > 0) {
            return 0;
        }
        $this->db->query('UPDATE ' . $table . ' SET last_read_at = ' . $this->db->escape($stamp($now)) . $where
            . ' AND last_read_at <= ' . $this->db->escape($stamp($now - $seconds)));
        if ($this->db->affected_rows() > 0) {
            return 0;
        }
        $row  = $this->db->query('SELECT last_read_at FROM ' . $table . $where)->row();
        $last = $row ? (int) strtotime(substr((string) $row->last_read_at, 0, 19)) : 0;

        return max(1, min($seconds, (int) ceil($last + $seconds - $now)));
    }

    /** Gives the read slot back when the read was done but nothing could be stored (best effort). */
    public function release_webhook_read(object $payment, string $claim): void
    {
        $claim = preg_match('/^[a-z_]{1,30}$/', $claim) ? $claim : 'other';
        try {
            $this->db->query('DELETE FROM ' . db_prefix() . 'paybridge_webhook_reads WHERE payment_row_id = ' . (int) $payment->id
                . ' AND claim = ' . $this->db->escape($claim));
        } catch (Throwable $e) {
            // The database is what failed; the slot then simply expires after 10 s.
        }
    }


    // ------------------------------------------------------------------ webhook health

    public function webhook_health(string $provider, bool $ok, string $reason = ''): void
    {
        try {
            if ($ok) {
                update_option('paybridge_' . $provider . '_webhook_last_success', $this->now());
            } else {
                update_option('paybridge_' . $provider . '_webhook_last_failure', $this->now());
                update_option('paybridge_' . $provider . '_webhook_last_failure_reason', $reason);
            }
        } catch (Throwable $e) {
            // The database may be the thing that failed; health is best effort.
        }
    }
}
