<?php

defined('BASEPATH') or exit('No direct script access allowed');

/**
 * Payment attempts, events, and THE recording path shared by every provider's webhook, the return URL
 * and the admin re-check. In ONE database transaction: insert the event (UNIQUE provider + event id) and
 * the payment (UNIQUE provider + provider payment id), and only then addPayment(). Perfex itself has no
 * duplicate guard (perfex.md "Recording").
 */
class Paybridge_model extends App_Model
{
    private const DEADLOCK = 1213;

    private function table(string $name): string
    {
        return db_prefix() . 'paybridge_' . $name;
    }

    private function now(): string
    {
        return date('Y-m-d H:i:s');
    }

    // ------------------------------------------------------------------ attempts

    /**
     * @param string|null $account the gateway's accountKey() at creation: re-reads refuse another account's attempt
     * @throws Throwable when the database refuses the row (the caller shows the customer an alert)
     */
    public function create_attempt(string $provider, int $invoiceId, string $amount, int $amountMinor, string $currency, ?string $account = null): object
    {
        $row = [
            'provider'        => $provider,
            'invoice_id'      => $invoiceId,
            'token'           => bin2hex(random_bytes(16)), // webhook URL
            'return_token'    => bin2hex(random_bytes(16)), // return URL: never the same as the webhook's
            'account'         => $account,
            'idempotency_key' => bin2hex(random_bytes(16)),
            'amount'          => $amount,
            'amount_minor'    => $amountMinor,
            'currency'        => $currency,
            'status'          => 'creating',
            'created_at'      => $this->now(),
            'updated_at'      => $this->now(),
        ];
        if (!$this->db->insert($this->table('payments'), $row)) {
            throw new RuntimeException('db_error');
        }
        $row['id'] = (int) $this->db->insert_id();
        // Unique per attempt: NeroPay requires a unique identifier per payment link (providers.md §N3).
        $row['reference'] = 'PERFEX_CRM-' . $invoiceId . '-' . $row['id'];
        if ($this->db->where('id', $row['id'])->update($this->table('payments'), ['reference' => $row['reference']]) === false) {
            throw new RuntimeException('db_error');
        }

        return (object) $row;
    }

    public function attempt_created(object $row, string $providerPaymentId, string $checkoutUrl, string $status): void
    {
        $this->db->where('id', $row->id)->update($this->table('payments'), [
            'provider_payment_id' => $providerPaymentId,
            'checkout_url'        => $checkoutUrl,
            'status'              => $status,
            'updated_at'          => $this->now(),
        ]);
    }

    public function attempt_failed(object $row, string $errorCode): void
    {
        $this->db->where('id', $row->id)->update($this->table('payments'), [
            'status'     => 'create_failed',
            'error_code' => substr($errorCode, 0, 60),
            'updated_at' => $this->now(),
        ]);
    }

    public function find_by_token(string $provider, string $token): ?object
    {
        if (!preg_match('/^[a-f0-9]{32}$/', $token)) {
            return null;
        }
        $row = $this->db->where('provider', $provider)->where('token', $token)->get($this->table('payments'))->row();

        return $row ?: null;
    }

    /** The attempt a provider's payment id belongs to (global webhook URLs carry no token). */
    public function find_by_provider_payment_id(string $provider, string $providerPaymentId): ?object
    {
        if ($providerPaymentId === '') {
            return null;
        }
        $row = $this->db->where('provider', $provider)->where('provider_payment_id', $providerPaymentId)
            ->order_by('id', 'DESC')->limit(1)->get($this->table('payments'))->row();

        return $row ?: null;
    }

    public function find(int $id): ?object
    {
        $row = $this->db->where('id', $id)->get($this->table('payments'))->row();

        return $row ?: null;
    }

    /** The attempt a return URL names (its own token; never the webhook URL's, issue 9 item 10). */
    public function find_by_return_token(string $provider, string $token): ?object
    {
        if (!preg_match('/^[a-f0-9]{32}$/', $token)) {
            return null;
        }
        $row = $this->db->where('provider', $provider)->where('return_token', $token)->get($this->table('payments'))->row();

        return $row ?: null;
    }

    /** True once this provider payment became a Perfex payment (paybridge_recorded holds it). */
    public function is_recorded(object $payment): bool
    {
        return (bool) $this->db->query('SELECT id FROM ' . $this->table('recorded') . ' WHERE provider = ' . $this->db->escape($payment->provider)
            . ' AND provider_payment_id = ' . $this->db->escape((string) $payment->provider_payment_id) . ' LIMIT 1')->row();
    }

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

    /** Shows staff that a provider message or a re-read was refused because the attempt belongs to another account. */
    public function mark_other_account(object $payment): void
    {
        $this->db->query('UPDATE ' . $this->table('payments') . " SET error_code = 'other_account', updated_at = "
            . $this->db->escape($this->now()) . ' WHERE id = ' . (int) $payment->id . " AND (error_code IS NULL OR error_code = '')");
    }

    public function invoice_url(int $invoiceId): string
    {
        $invoice = $this->db->where('id', $invoiceId)->get(db_prefix() . 'invoices')->row();

        return $invoice ? site_url('invoice/' . $invoice->id . '/' . $invoice->hash) : site_url();
    }

    public function latest_attempts(int $limit = 100): array
    {
        return $this->db->query('SELECT * FROM ' . $this->table('payments') . ' ORDER BY id DESC LIMIT ' . (int) $limit)->result_array();
    }

    public function latest_events(int $limit = 200): array
    {
        return $this->db->query('SELECT * FROM ' . $this->table('events') . ' ORDER BY id DESC LIMIT ' . (int) $limit)->result_array();
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

    // ------------------------------------------------------------------ recording

    /**
     * Records one normalized, API-verified event for a payment row.
     *
     * @param array  $event   normalized event/payment from the extension (status, amount, currency, id, …)
     * @param object $payment paybridge_payments row the event was resolved to (via token or admin id)
     * @param string $source  webhook | return | recheck
     * @return array{http:int, result:string, reason:string}
     */
    public function record(array $event, object $payment, Paybridge_gateway_base $gateway, string $source): array
    {
        [$outcome, $reason] = $this->decide($event, $payment);

        for ($try = 1; ; $try++) {
            if ($source === 'webhook' && $try === 1) {
                // A webhook must be answered within ~2 s: rather than wait on a stuck lock holder (Perfex's
                // default is 50 s), give up after 1 s with 503 and let the provider retry.
                try {
                    $this->db->query('SET SESSION innodb_lock_wait_timeout = 1');
                } catch (Throwable $e) {
                    // The failure will show up again on the first INSERT, inside the try below.
                }
            }
            try {
                return $this->record_once($event, $payment, $gateway, $source, $outcome, $reason);
            } catch (Throwable $e) {
                $this->rollback_quietly();
                $code = $this->error_code($e);
                // InnoDB may pick a duplicate-key waiter as deadlock victim; one retry is enough.
                // A lock wait timeout (1205) is not retried here: the provider retries instead.
                if ($try < 2 && $code === self::DEADLOCK) {
                    continue;
                }
                log_message('error', 'paybridge: record failed (' . get_class($e) . ' ' . $code . ')');

                return ['http' => 503, 'result' => 'error', 'reason' => 'database_unavailable'];
            }
        }
    }

    /** What the verified facts allow, before touching the database. @return array{0:string,1:string} */
    private function decide(array $event, object $payment): array
    {
        $status = (string) ($event['status'] ?? 'unknown');
        switch ($status) {
            case 'paid':
                $eventPaymentId = (string) ($event['payment_id'] ?? '');
                $eventReference = (string) ($event['reference'] ?? '');
                if ($eventPaymentId !== '' && $eventPaymentId !== (string) $payment->provider_payment_id
                    && $eventReference !== (string) $payment->reference) {
                    return ['rejected', 'payment_mismatch'];
                }
                if (strtoupper((string) ($event['currency'] ?? '')) !== strtoupper($payment->currency)) {
                    return ['rejected', 'currency_mismatch'];
                }
                try {
                    $minor = isset($event['amount_minor']) && is_int($event['amount_minor'])
                        ? $event['amount_minor']
                        : Paybridge_money::toMinor((string) ($event['amount'] ?? ''), $payment->currency);
                } catch (InvalidArgumentException $e) {
                    return ['rejected', 'amount_mismatch'];
                }
                if ($minor !== (int) $payment->amount_minor) {
                    return ['rejected', 'amount_mismatch'];
                }

                return ['record', ''];
            case 'pending':
            case 'authorized':
                return ['logged', 'not_paid'];
            case 'failed':
                return ['logged', 'payment_failed'];
            case 'cancelled':
                return ['logged', 'payment_cancelled'];
            case 'refunded':
            case 'partially_refunded':
                return ['logged', 'refund_logged'];
            case 'chargeback':
                return ['logged', 'chargeback_logged'];
            default:
                return ['ignored', 'unknown_status'];
        }
    }

    private function record_once(array $event, object $payment, Paybridge_gateway_base $gateway, string $source, string $outcome, string $reason): array
    {
        $db     = $this->db;
        $status = (string) ($event['status'] ?? 'unknown');
        $pid    = (string) $payment->provider_payment_id;
        $eventId = (string) ($event['id'] ?? '');
        if ($eventId === '' || $source !== 'webhook') {
            // Return URL and re-check reads have no provider event id: a derived one per payment.
            $eventId = $source . ':' . $pid;
        }
        $eventId = substr($eventId, 0, 191);
        $stored  = $outcome === 'record' ? 'recorded' : $outcome;

        $db->trans_begin();
        $this->must($db->query('INSERT IGNORE INTO ' . $this->table('events')
            . ' (provider, event_id, source, payment_row_id, invoice_id, provider_payment_id, type, status, outcome, reason_code, verified, amount, currency, created_at) VALUES ('
            . implode(', ', array_map([$db, 'escape'], [
                $payment->provider, $eventId, $source, (int) $payment->id, (int) $payment->invoice_id, $pid,
                substr((string) ($event['type'] ?? ''), 0, 100), substr($status, 0, 30),
                $stored, $reason, substr((string) ($event['verified'] ?? ''), 0, 20),
                isset($event['amount']) ? substr((string) $event['amount'], 0, 32) : null,
                isset($event['currency']) ? substr((string) $event['currency'], 0, 3) : null,
                $this->now(),
            ])) . ')'));
        if ($db->affected_rows() < 1) {
            $eventRowId = $outcome === 'record' ? $this->promote_event($payment, $eventId, $event) : 0;
            if ($eventRowId === 0) {
                $db->trans_rollback();

                return ['http' => 200, 'result' => 'duplicate', 'reason' => 'duplicate_event'];
            }
        } else {
            $eventRowId = (int) $db->insert_id();
        }

        $result = $outcome;
        if ($outcome === 'record') {
            $this->must($db->query('INSERT IGNORE INTO ' . $this->table('recorded')
                . ' (provider, provider_payment_id, payment_row_id, invoice_id, amount, currency, event_row_id, created_at) VALUES ('
                . implode(', ', array_map([$db, 'escape'], [
                    $payment->provider, $pid, (int) $payment->id, (int) $payment->invoice_id, $payment->amount,
                    $payment->currency, $eventRowId, $this->now(),
                ])) . ')'));
            if ($db->affected_rows() < 1) {
                $result = 'duplicate';
                $reason = 'already_recorded';
                $this->must($db->where('id', $eventRowId)->update($this->table('events'), ['outcome' => 'duplicate', 'reason_code' => $reason]));
            } else {
                $recordedId = (int) $db->insert_id();
                $ok = $gateway->addPayment([
                    'amount'        => $payment->amount, // the requested Perfex amount, equal to what was paid
                    'invoiceid'     => (int) $payment->invoice_id,
                    'transactionid' => $pid,
                    'paymentmethod' => '', // Perfex shows "<mode> - <method>"; the mode already says NeroPay
                    'note'          => _l('paybridge_payment_note', [$gateway->getName(), $pid])
                        . ($gateway->getSetting('test_mode_enabled') === '1' ? ' [test]' : ''),
                ]);
                if (!$ok) {
                    throw new RuntimeException('add_payment_failed');
                }
                $record = $db->query('SELECT id FROM ' . db_prefix() . 'invoicepaymentrecords WHERE invoiceid = '
                    . (int) $payment->invoice_id . ' AND transactionid = ' . $db->escape($pid) . ' ORDER BY id DESC LIMIT 1')->row();
                $this->must($db->where('id', $recordedId)->update($this->table('recorded'), ['paymentrecord_id' => $record ? (int) $record->id : null]));
                $result = 'recorded';
            }
        } elseif ($reason === 'refund_logged' || $reason === 'chargeback_logged') {
            // Never delete a payment; tell the admin (activity log on the invoice).
            log_activity(_l('paybridge_activity_' . $reason, [$gateway->getName(), $status, $pid, format_invoice_number((int) $payment->invoice_id)]));
        }

        $this->must($db->where('id', (int) $payment->id)->update($this->table('payments'), [
            'status'     => substr($status, 0, 30),
            'updated_at' => $this->now(),
        ]));

        if ($db->trans_status() === false) {
            throw new RuntimeException('transaction_failed');
        }
        $db->trans_commit();

        return ['http' => 200, 'result' => $result === 'rejected' ? 'rejected' : $result, 'reason' => $reason];
    }

    /**
     * The event id is already stored, but it was processed while the API still said "not paid" (e.g. the
     * customer came back before the provider settled, or NeroPay's IPN raced its own API). Now that the API
     * says paid, that row is taken over (a current-read UPDATE, so exactly one concurrent caller wins) and
     * recording continues under the payment guard. @return int the event row id, 0 for a plain duplicate
     */
    private function promote_event(object $payment, string $eventId, array $event): int
    {
        $db = $this->db;
        // Plain (non-locking) read first: the common duplicate is already "recorded", and asking for an
        // exclusive lock there would deadlock concurrent deliveries that all hold the shared one.
        $where = ' WHERE provider = ' . $db->escape($payment->provider) . ' AND event_id = ' . $db->escape($eventId);
        $seen  = $db->query('SELECT id, outcome, reason_code FROM ' . $this->table('events') . $where)->row();
        if (!$seen || $seen->outcome !== 'logged' || $seen->reason_code !== 'not_paid') {
            return 0;
        }
        $this->must($db->query('UPDATE ' . $this->table('events') . " SET outcome = 'recorded', reason_code = '', status = 'paid', "
            . 'verified = ' . $db->escape(substr((string) ($event['verified'] ?? ''), 0, 20))
            . ', amount = ' . $db->escape(isset($event['amount']) ? substr((string) $event['amount'], 0, 32) : null)
            . ', currency = ' . $db->escape(isset($event['currency']) ? substr((string) $event['currency'], 0, 3) : null)
            . $where . " AND outcome = 'logged' AND reason_code = 'not_paid'"));

        return $db->affected_rows() < 1 ? 0 : (int) $seen->id;
    }

    private function must($ok): void
    {
        if ($ok === false) {
            throw new RuntimeException('query_failed');
        }
    }

    private function rollback_quietly(): void
    {
        try {
            $this->db->trans_rollback();
        } catch (Throwable $e) {
            // Connection gone: the server rolls the transaction back itself.
        }
    }

    private function error_code(Throwable $e): int
    {
        if ($e instanceof mysqli_sql_exception) {
            return (int) $e->getCode();
        }
        try {
            $err = $this->db->error();

            return (int) ($err['code'] ?? 0);
        } catch (Throwable $ignored) {
            return 0;
        }
    }
}
