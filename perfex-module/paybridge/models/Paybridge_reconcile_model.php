<?php

defined('BASEPATH') or exit('No direct script access allowed');

/**
 * Reconciliation on Perfex's cron (README "Reconciliation on Perfex's cron"; perfex.md "Added in turn 2 — Cron"): each run of
 * `after_cron_run` re-reads open attempts whose webhook may have been lost and sends what the provider says
 * through the one recording path, Paybridge_model::record(..., 'cron'), which records a payment at most once
 * whatever races it (webhook, return URL, re-check, another cron run).
 *
 * - Open: a provider payment id and a status that is not final (FINAL_STATUSES).
 * - Due: older than option paybridge_reconcile_min_age_seconds (120), and its back-off has passed:
 *   after the 1st, 2nd, 3rd, 4th, 5th+ check the next is 2 min, 10 min, 1 h, 6 h, 24 h later (never later
 *   than the attempt's 72nd hour).
 * - Oldest first, at most option paybridge_reconcile_batch (20) per run, and no new claim after
 *   RUN_BUDGET_SECONDS so a slow provider cannot keep a web cron request running for many minutes.
 * - Claimed with one compare-and-swap UPDATE (seen check count + due) before reading: two overlapping runs
 *   (two hosts, a CLI cron and a web cron) never read the same attempt twice.
 * - An attempt open for 72 h gets a last read; unless that records it, it becomes `expired`.
 * - A transport or API error is noted on the attempt and the batch goes on.
 * - An attempt of another account than the configured one is not read (`other_account`).
 * The run's time, what it re-checked and what it found are kept in options for the admin page.
 */
class Paybridge_reconcile_model extends App_Model
{
    /** Statuses the cron never re-checks (the provider said so finally, or staff must look). */
    public const FINAL_STATUSES = ['paid', 'failed', 'cancelled', 'expired', 'refunded', 'partially_refunded', 'chargeback',
        'rejected', 'overpaid', 'create_failed', 'creating'];

    /** Back-off after the n-th check (n = 1…5+), seconds. */
    public const BACKOFF = [120, 600, 3600, 21600, 86400];

    public const EXPIRE_AFTER_SECONDS = 259200; // 72 h

    private const RUN_BUDGET_SECONDS = 90;

    private function table(): string
    {
        return db_prefix() . 'paybridge_payments';
    }

    private static function at(int $time): string
    {
        return date('Y-m-d H:i:s', $time);
    }

    /**
     * One cron run. @param array<string, Paybridge_gateway_base> $gateways loaded gateways by provider
     * @return array the summary stored in option paybridge_cron_last_summary
     */
    public function run(array $gateways): array
    {
        $this->load->model('paybridge/paybridge_model');
        $started = time();
        $minAge  = $this->intOption('paybridge_reconcile_min_age_seconds', 120, 0);
        $batch   = min(500, $this->intOption('paybridge_reconcile_batch', 20, 1)); // a typo must not read thousands at once
        $summary = ['started_at' => self::at($started), 'finished_at' => '', 'due' => 0, 'checked' => [], 'recorded' => 0,
            'expired' => 0, 'errors' => 0, 'skipped' => 0];

        $final = implode(', ', array_map([$this->db, 'escape'], self::FINAL_STATUSES));
        $due   = $this->db->query('SELECT * FROM ' . $this->table()
            . " WHERE provider_payment_id IS NOT NULL AND provider_payment_id <> '' AND status NOT IN (" . $final . ')'
            . ' AND created_at <= ' . $this->db->escape(self::at($started - $minAge))
            . ' AND (reconcile_next_at IS NULL OR reconcile_next_at <= ' . $this->db->escape(self::at($started)) . ')'
            . ' ORDER BY created_at ASC, id ASC LIMIT ' . (int) $batch)->result();
        $summary['due'] = count($due);

        foreach ($due as $attempt) {
            if (time() - $started > self::RUN_BUDGET_SECONDS) {
                $summary['skipped']++;
                continue;
            }
            $now = time();
            if (!$this->claim($attempt, $now)) {
                $summary['skipped']++; // another run has it
                continue;
            }
            $summary['checked'][] = $this->check($attempt, $gateways[$attempt->provider] ?? null, $now, $summary);
        }

        $this->refund_watch($gateways, $started, $summary);

        $summary['finished_at'] = self::at(time());
        update_option('paybridge_cron_last_run', $summary['finished_at']);
        update_option('paybridge_cron_last_summary', json_encode($summary, JSON_UNESCAPED_SLASHES));

        return $summary;
    }

    /** Refund watch back-off after the n-th re-read of a recorded payment (n = 1…5+), seconds. */
    public const REFUND_BACKOFF = [3600, 21600, 86400, 259200, 604800];

    /** While one of the payment's refunds is pending, it is re-read this often instead. */
    public const REFUND_PENDING_RECHECK = 120;

    /**
     * Issue 13 item 4: refunds and chargebacks made at the provider (its dashboard, a dispute) whose webhook
     * was lost are found by re-reading recorded payments: each one paid within option
     * paybridge_refund_watch_days (60; 0 switches this off), first 10 min after it was recorded, then on the
     * REFUND_BACKOFF schedule, every REFUND_PENDING_RECHECK s while a refund of it is pending; at most option
     * paybridge_refund_watch_batch (20) per run, oldest due first, claimed by compare-and-swap like the
     * open attempts. The read goes through Paybridge_model::record(..., 'cron'), which hands its refunds to
     * Paybridge_refund_model::sync() (exactly once per provider refund).
     */
    private function refund_watch(array $gateways, int $started, array &$summary): void
    {
        // Counted apart from the open attempts' figures (due / checked / errors) the admin page shows.
        $summary['refund_checked'] = 0;
        $summary['refund_errors'] = 0;
        $days = $this->intOption('paybridge_refund_watch_days', 60, 0);
        if ($days === 0 || !paybridge_extension_loaded()) {
            return;
        }
        $batch = min(500, $this->intOption('paybridge_refund_watch_batch', 20, 1));
        $now = time();
        $rows = $this->db->query('SELECT p.* FROM ' . $this->table() . ' p JOIN ' . db_prefix() . 'paybridge_recorded r ON r.payment_row_id = p.id'
            . " WHERE p.status IN ('paid', 'overpaid', 'partially_refunded', 'refunded', 'chargeback')"
            . ' AND p.created_at >= ' . $this->db->escape(self::at($now - $days * 86400))
            . ' AND ((p.refund_check_next_at IS NULL AND p.updated_at <= ' . $this->db->escape(self::at($now - 600)) . ')'
            . ' OR p.refund_check_next_at <= ' . $this->db->escape(self::at($now)) . ')'
            . ' ORDER BY COALESCE(p.refund_check_next_at, p.updated_at) ASC, p.id ASC LIMIT ' . (int) $batch)->result();
        foreach ($rows as $payment) {
            if (time() - $started > self::RUN_BUDGET_SECONDS || !$this->claim_refund_check($payment, time())) {
                continue;
            }
            $gateway = $gateways[$payment->provider] ?? null;
            if ($gateway === null || $gateway->isOtherAccount($payment)) {
                continue;
            }
            try {
                $read = $gateway->readPayment($payment);
                $result = $this->paybridge_model->record($read, $payment, $gateway, 'cron');
                $summary['refund_checked']++;
                if ($result['http'] >= 300) {
                    $summary['refund_errors']++;
                }
            } catch (Throwable $e) {
                $summary['refund_errors']++;
                log_message('error', 'paybridge: refund watch of attempt ' . (int) $payment->id . ' failed: ' . get_class($e));
            }
        }
    }

    /** Compare-and-swap on the refund check count: one run re-reads a payment per due time. */
    private function claim_refund_check(object $payment, int $now): bool
    {
        $count = (int) $payment->refund_check_count;
        $pending = $this->db->query('SELECT id FROM ' . db_prefix() . "paybridge_refunds WHERE status = 'pending' AND payment_row_id = "
            . (int) $payment->id . ' LIMIT 1')->row();
        $next = $now + ($pending ? self::REFUND_PENDING_RECHECK : self::REFUND_BACKOFF[min($count, count(self::REFUND_BACKOFF) - 1)]);
        $this->db->query('UPDATE ' . $this->table() . ' SET refund_check_count = refund_check_count + 1, refund_check_next_at = '
            . $this->db->escape(self::at($next)) . ' WHERE id = ' . (int) $payment->id . ' AND refund_check_count = ' . $count);

        return $this->db->affected_rows() === 1;
    }

    /** Compare-and-swap on the check count: exactly one run wins an attempt for this check. */
    private function claim(object $attempt, int $now): bool
    {
        $count   = (int) $attempt->reconcile_count;
        $created = (int) strtotime((string) $attempt->created_at);
        $next    = min($now + self::BACKOFF[min($count, count(self::BACKOFF) - 1)], max($now, $created + self::EXPIRE_AFTER_SECONDS));
        $this->db->query('UPDATE ' . $this->table() . ' SET reconcile_count = reconcile_count + 1'
            . ', reconcile_next_at = ' . $this->db->escape(self::at($next))
            . ', reconcile_last_at = ' . $this->db->escape(self::at($now))
            . ' WHERE id = ' . (int) $attempt->id . ' AND reconcile_count = ' . $count
            . ' AND (reconcile_next_at IS NULL OR reconcile_next_at <= ' . $this->db->escape(self::at($now)) . ')');

        return $this->db->affected_rows() === 1;
    }

    /** Reads, records, expires one claimed attempt. @return array what the admin page shows for it */
    private function check(object $attempt, ?Paybridge_gateway_base $gateway, int $now, array &$summary): array
    {
        $expiring = (int) strtotime((string) $attempt->created_at) <= $now - self::EXPIRE_AFTER_SECONDS;
        $line     = ['id' => (int) $attempt->id, 'provider' => (string) $attempt->provider, 'invoice_id' => (int) $attempt->invoice_id,
            'status' => '', 'result' => ''];

        if ($gateway === null || !paybridge_extension_loaded()) {
            $line['result'] = 'gateway_unavailable';
        } elseif ($gateway->isOtherAccount($attempt)) {
            $this->paybridge_model->mark_other_account($attempt);
            $line['result'] = 'other_account';
        } else {
            try {
                $read = $gateway->readPayment($attempt);
                $line['status'] = substr((string) ($read['status'] ?? ''), 0, 30);
                $result = $this->paybridge_model->record($read, $attempt, $gateway, 'cron');
                $line['result'] = trim($result['result'] . ' ' . $result['reason']);
                if ($result['result'] === 'recorded') {
                    $summary['recorded']++;
                }
                if ($result['http'] >= 300) {
                    $summary['errors']++;
                }
            } catch (\PayBridge\Exception\PayBridgeException $e) {
                $line['result'] = 'error ' . $e->getErrorCode();
                $summary['errors']++;
            } catch (Throwable $e) {
                $line['result'] = 'error internal_error';
                $summary['errors']++;
                log_message('error', 'paybridge: cron check of attempt ' . (int) $attempt->id . ' failed: ' . get_class($e));
            }
        }

        if ($expiring && $this->expire($attempt)) {
            $summary['expired']++;
            $line['result'] = trim($line['result'] . ' expired');
        }
        $this->db->query('UPDATE ' . $this->table() . ' SET reconcile_result = ' . $this->db->escape(substr($line['result'], 0, 60))
            . ' WHERE id = ' . (int) $attempt->id);

        return $line;
    }

    /** Open for 72 h and the last read did not settle it: `expired`, unless something moved it meanwhile. */
    private function expire(object $attempt): bool
    {
        $final = implode(', ', array_map([$this->db, 'escape'], self::FINAL_STATUSES));
        $this->db->query('UPDATE ' . $this->table() . " SET status = 'expired', updated_at = " . $this->db->escape(self::at(time()))
            . ' WHERE id = ' . (int) $attempt->id . ' AND status NOT IN (' . $final . ')');

        return $this->db->affected_rows() === 1;
    }

    private function intOption(string $name, int $default, int $min): int
    {
        $value = trim(get_option($name));

        return preg_match('/^\d{1,9}$/', $value) ? max($min, (int) $value) : $default;
    }

    /** @return array|null the last run's summary for the admin page */
    public function last_summary(): ?array
    {
        $raw = get_option('paybridge_cron_last_summary');
        $data = $raw !== '' ? json_decode($raw, true) : null;

        return is_array($data) ? $data : null;
    }
}
