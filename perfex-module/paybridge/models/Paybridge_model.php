<?php

defined('BASEPATH') or exit('No direct script access allowed');

/**
 * Payment attempts, events, and THE recording path shared by every provider's webhook, the return URL,
 * the admin re-check and the cron. Perfex itself has no duplicate guard (perfex.md "Recording").
 *
 * Recording a payment is three steps (issue 15: several web nodes over a Galera cluster, where a duplicate
 * INSERT on another node fails only at COMMIT, as a certification conflict reported as deadlock 1213):
 *  1. claim: one short transaction inserts the event (UNIQUE payment row + event key, see event_key()),
 *     checks the invoice as it is now and inserts the guard row (UNIQUE provider + provider payment id) in
 *     state `claimed` with a random claim token. Only a committed claim owns the payment: a conflict on
 *     commit retries the whole transaction, which then sees the other node's guard (duplicate).
 *  2. the claim's owner calls addPayment() exactly once, outside any transaction (its receipt e-mail
 *     cannot be rolled back, so it runs only once the claim is known to be ours);
 *  3. one short transaction marks the guard `done` (only while it still holds our token) and moves the
 *     attempt and the event forward.
 * A guard left `claimed` (the owner died between the steps) is taken over by the next webhook, return,
 * re-check or cron once its claim is older than option paybridge_claim_stale_seconds (longer than any
 * request may live); the new owner first looks for the payment the old one may already have added, so a
 * payment is never added twice. A caller meeting a live claim waits up to WAIT_FOR_OWNER_MS for it to
 * finish (then answers duplicate), else answers 503 recording_in_progress (the provider retries).
 */
class Paybridge_model extends App_Model
{
    /**
     * Errors after which the whole transaction is run again (in_retried_transaction): deadlock or Galera
     * certification conflict (1213), lock wait timeout (1205), Galera node not ready / not in the primary
     * component (1047).
     */
    public const RETRYABLE_ERRORS = [1213, 1205, 1047];

    /** Tries in all (first run + retries) of a recording transaction. */
    private const TRIES = 3;

    /** How long a caller waits for a live claim's owner to finish before answering 503 (a webhook is answered in ~2 s). */
    private const WAIT_FOR_OWNER_MS = 1500;

    /** Default age after which a `claimed` guard row is taken over (seconds; php-fpm kills requests at 120 s). */
    private const CLAIM_STALE_SECONDS = 300;

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
    public function create_attempt(string $provider, int $invoiceId, string $amount, int $amountMinor, string $currency, ?string $account = null, ?int $perfexAttemptId = null, int $feeMinor = 0): object
    {
        $row = [
            'perfex_attempt_id' => $perfexAttemptId,
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
        if ($feeMinor > 0) {
            $row['fee_minor'] = $feeMinor; // the Perfex gateway fee included in amount_minor (issue 13 item 5)
        }
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
        $this->release_perfex_attempt($row);
    }

    /**
     * Deletes Perfex's tblpayment_attempts row of this Pay click once the attempt is recorded or has ended
     * (issue 10), as Perfex's addPayment() does when given the attempt's reference. The fee it holds is
     * already on our row (fee_minor); a payment recorded later passes the invoice part without the reference.
     */
    private function release_perfex_attempt(object $payment): void
    {
        $id = (int) ($payment->perfex_attempt_id ?? 0);
        if ($id <= 0) {
            return;
        }
        $this->load->model('payment_attempts_model');
        $this->payment_attempts_model->delete($id);
        $this->db->where('id', (int) $payment->id)->update($this->table('payments'), ['perfex_attempt_id' => null]);
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

    /** True once this provider payment became a Perfex payment (a `done` paybridge_recorded row holds it). */
    public function is_recorded(object $payment): bool
    {
        return (bool) $this->db->query('SELECT id FROM ' . $this->table('recorded') . ' WHERE provider = ' . $this->db->escape($payment->provider)
            . ' AND provider_payment_id = ' . $this->db->escape((string) $payment->provider_payment_id) . " AND state = 'done' LIMIT 1")->row();
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
     * Records one normalized, API-verified event for a payment row. Every recording path (webhook, return
     * URL, admin re-check, cron reconciliation) goes through here (contract 6).
     *
     * @param array  $event   normalized event/payment from the extension (status, amount, currency, id, mode,
     *                        …); the webhook controller adds `body_event_id` / `body_verified` (what
     *                        parseWebhook said of the raw body) and `body_hash` (sha256 of the raw body)
     * @param object $payment paybridge_payments row the event was resolved to (via token, provider id or admin id)
     * @param string $source  webhook | return | recheck | cron
     * @return array{http:int, result:string, reason:string}
     */
    public function record(array $event, object $payment, Paybridge_gateway_base $gateway, string $source): array
    {
        try {
            [$outcome, $reason] = $this->decide($event, $payment, $gateway);
        } catch (Throwable $e) {
            log_message('error', 'paybridge: decide failed (' . get_class($e) . ')');

            return ['http' => 503, 'result' => 'error', 'reason' => 'internal_error'];
        }

        if ($source === 'webhook') {
            // A webhook must be answered within ~2 s: rather than wait on a stuck lock holder (Perfex's
            // default is 50 s), give up after 1 s (1205, retried as a whole, then 503: the provider retries).
            try {
                $this->db->query('SET SESSION innodb_lock_wait_timeout = 1');
            } catch (Throwable $e) {
                // The failure will show up again on the first INSERT, inside the transaction below.
            }
        }

        // Step 1: the event and, when the payment is to be recorded, the claim (one retried transaction).
        $this->claim = null;
        $this->repeat_of = null;
        try {
            $result = $this->in_retried_transaction(function () use ($event, $payment, $gateway, $source, $outcome, $reason) {
                $this->notified  = [];
                $this->claim     = null;
                $this->repeat_of = null;

                return $this->record_once($event, $payment, $gateway, $source, $outcome, $reason);
            });
        } catch (Throwable $e) {
            log_message('error', 'paybridge: record failed (' . get_class($e) . ' ' . $this->error_code($e) . ')');

            return ['http' => 503, 'result' => 'error', 'reason' => 'database_unavailable'];
        }
        if ($this->repeat_of !== null) {
            $this->count_repeat($payment, $this->repeat_of);
        }
        $this->push_notified();
        if ($this->claim !== null) {
            // Steps 2 and 3: the owner of the committed claim adds the payment, once, and finishes the claim.
            $result = $this->finish_claim($this->claim, $payment, $gateway);
            $this->push_notified();
        } elseif (($result['reason'] ?? '') === 'recording_in_progress') {
            $result = $this->wait_for_owner($payment, $source, $result);
        }

        // The payment's event is handled here, whatever the outcome (contract 5: later bookkeeping goes here).
        return $this->sync_refunds($result, $event, $payment, $gateway, $source); // contract 5 (issue 13)
    }

    /**
     * Another request (maybe on another web node) holds the live claim and is adding the payment. Its
     * addPayment() takes a moment (Perfex builds a PDF and mails): wait up to WAIT_FOR_OWNER_MS for its
     * guard row to become `done` and answer like a duplicate, as a duplicate waiting on a row lock did on
     * one server; otherwise 503 (the provider retries, the customer sees "being confirmed").
     */
    private function wait_for_owner(object $payment, string $source, array $busy): array
    {
        $until = microtime(true) + self::WAIT_FOR_OWNER_MS / 1000;
        do {
            usleep(100000);
            try {
                $guard = $this->guard_row($payment);
            } catch (Throwable $e) {
                return $busy;
            }
            if ($guard !== null && $guard->state === 'done') {
                return ['http' => 200, 'result' => 'duplicate', 'reason' => $source === 'webhook' ? 'duplicate_event' : 'already_recorded'];
            }
        } while (microtime(true) < $until);

        return $busy;
    }

    /** Real-time push of the staff notifications the last committed transaction wrote (a courtesy). */
    private function push_notified(): void
    {
        if ($this->notified && function_exists('pusher_trigger_notification')) {
            try {
                pusher_trigger_notification($this->notified);
            } catch (Throwable $e) {
                // The notification rows are committed.
            }
        }
        $this->notified = [];
    }

    /**
     * Runs $fn inside one database transaction and commits it. When the database answers a deadlock or a
     * Galera certification conflict (1213), a lock wait timeout (1205) or "node not ready" (1047), at any
     * statement or at COMMIT, the whole transaction is rolled back and $fn runs again from the start, at
     * most $tries times in all (with a short random pause), so a retry sees what the winner committed.
     *
     * Reusable by any bookkeeping that must be exactly once across web nodes (e.g. refunds): $fn must do
     * all its work through $this->db (the model's connection) and must have no effect outside the database,
     * since it may run several times. $fn receives the try number (1..$tries). To end without committing,
     * $fn returns `new Paybridge_txn_rollback($value)`: the transaction is rolled back and $value returned.
     * A query that returns FALSE (CI3 with db_debug off) must be turned into an exception by $fn (see q()),
     * or its error number is lost.
     *
     * @return mixed what $fn returned
     * @throws Throwable the last failure when it is not retryable or the tries are used up; for database
     *                   errors a Paybridge_db_failure / mysqli_sql_exception whose getCode() is the MySQL error
     */
    public function in_retried_transaction(callable $fn, int $tries = self::TRIES)
    {
        for ($try = 1; ; $try++) {
            try {
                $this->begin();
                $result = $fn($try);
                if ($result instanceof Paybridge_txn_rollback) {
                    $this->rollback_quietly();

                    return $result->value;
                }
                if ($this->db->trans_status() === false) {
                    throw new Paybridge_db_failure('transaction_failed', $this->last_error_code());
                }
                if (!$this->db->trans_commit()) {
                    // CI3 returns FALSE from a failed COMMIT (db_debug off); a Galera conflict is 1213 here.
                    throw new Paybridge_db_failure('commit_failed', $this->last_error_code());
                }

                return $result;
            } catch (Throwable $e) {
                // The number is read before the ROLLBACK (which would reset what error() reports).
                $code = $this->error_code($e);
                $this->rollback_quietly();
                if ($try < max(1, $tries) && in_array($code, self::RETRYABLE_ERRORS, true)) {
                    usleep(random_int(5000, 25000) * $try);
                    continue;
                }
                if ($code !== 0 && !$e instanceof Paybridge_db_failure && !$e instanceof mysqli_sql_exception) {
                    throw new Paybridge_db_failure('transaction_failed', $code, $e);
                }
                throw $e;
            }
        }
    }

    /** The claim step 1 committed for this call: guard row id, token, event row id. @var array|null */
    private ?array $claim = null;

    /** Event key of a plain repeat, counted after the transaction (autocommit). */
    private ?string $repeat_of = null;

    /** Staff ids notified by the current recording (pushed after the commit). @var int[] */
    private array $notified = [];

    /**
     * Attempt statuses by progress, so a payment never moves backwards (a late "pending" read after "paid"
     * is logged, not applied). 1: not paid yet, 2: paid (or paid but refused), 3: after payment.
     */
    private const STATUS_RANK = [
        'creating' => 0, 'create_failed' => 0,
        'pending' => 1, 'open' => 1, 'waiting' => 1, 'authorized' => 1, 'failed' => 1, 'cancelled' => 1,
        'expired' => 1, 'unknown' => 1,
        'paid' => 2, 'overpaid' => 2, 'rejected' => 2,
        'refunded' => 3, 'partially_refunded' => 3, 'chargeback' => 3,
    ];

    /** The gateway's configured mode (contract 1): test_mode_enabled '1' → test, else live. */
    private function gateway_mode(Paybridge_gateway_base $gateway): string
    {
        return $gateway->getSetting('test_mode_enabled') === '1' ? 'test' : 'live';
    }

    /** What the verified facts allow, before touching the database. @return array{0:string,1:string} */
    private function decide(array $event, object $payment, Paybridge_gateway_base $gateway): array
    {
        $status = (string) ($event['status'] ?? 'unknown');
        // Contract 1 / issue 9 item 2: a payment of the other mode (a Payrexx TEST transaction on a live
        // instance) is never money for this shop, on every path. Refused when it claims paid (staff are
        // told), ignored otherwise. A null mode means the provider does not report one.
        $mode = $event['mode'] ?? null;
        if ($mode !== null && $mode !== '' && strtolower((string) $mode) !== $this->gateway_mode($gateway)) {
            return [$status === 'paid' ? 'rejected' : 'ignored', 'other_mode'];
        }
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

    /**
     * The dedup key of an event, unique per payment row (issue 9 item 5), in namespaces no caller can cross:
     *  - "evt:<provider event id>" only for a body whose signature the extension verified;
     *  - "api:<status>:<hash>" for an unverified webhook: the body is only a wake-up call, so its id is
     *    worthless; the key is derived from what the API returned (provider, payment id, status, amount,
     *    currency, mode, refund id when reported). Any number of junk bodies make one row per API state;
     *  - "read:<source>:<status>:<hash>" for the module's own return / re-check / cron reads, same facts.
     */
    private function event_key(array $event, object $payment, string $source): string
    {
        $status = substr((string) ($event['status'] ?? 'unknown'), 0, 30);
        $bodyId = (string) ($event['body_event_id'] ?? '');
        if ($source === 'webhook' && ($event['body_verified'] ?? '') === 'signature' && $bodyId !== '') {
            return substr('evt:' . $bodyId, 0, 191);
        }
        $facts = [
            (string) $payment->provider,
            (string) (($event['payment_id'] ?? '') !== '' ? $event['payment_id'] : $payment->provider_payment_id),
            $status,
            isset($event['amount_minor']) && is_int($event['amount_minor']) ? (string) $event['amount_minor'] : (string) ($event['amount'] ?? ''),
            strtoupper((string) ($event['currency'] ?? '')),
            strtolower((string) ($event['mode'] ?? '')),
            (string) ($event['refund_id'] ?? ''),
        ];
        $namespace = $source === 'webhook' ? 'api' : 'read:' . preg_replace('/[^a-z]/', '', $source);

        return $namespace . ':' . $status . ':' . substr(hash('sha256', implode("\n", $facts)), 0, 32);
    }

    /** Step 1 (inside in_retried_transaction). @return array|Paybridge_txn_rollback */
    private function record_once(array $event, object $payment, Paybridge_gateway_base $gateway, string $source, string $outcome, string $reason)
    {
        $db      = $this->db;
        $status  = substr((string) ($event['status'] ?? 'unknown'), 0, 30);
        $pid     = (string) $payment->provider_payment_id;
        $eventId = $this->event_key($event, $payment, $source);
        $stored  = $outcome === 'record' ? 'recorded' : $outcome;
        $bodyHash = (string) ($event['body_hash'] ?? '');

        $this->q('INSERT IGNORE INTO ' . $this->table('events')
            . ' (provider, event_id, source, payment_row_id, invoice_id, provider_payment_id, type, status, outcome, reason_code, verified, amount, currency, body_hash, created_at, last_seen_at) VALUES ('
            . implode(', ', array_map([$db, 'escape'], [
                $payment->provider, $eventId, $source, (int) $payment->id, (int) $payment->invoice_id, $pid,
                substr((string) ($event['type'] ?? ''), 0, 100), $status,
                $stored, $reason, substr((string) ($event['verified'] ?? ''), 0, 20),
                isset($event['amount']) ? substr((string) $event['amount'], 0, 32) : null,
                isset($event['currency']) ? substr((string) $event['currency'], 0, 3) : null,
                preg_match('/^[0-9a-f]{64}$/', $bodyHash) ? $bodyHash : null,
                $this->now(), $this->now(),
            ])) . ')');
        $previous = null;
        $written  = [$stored, $reason]; // outcome and reason the event row holds right now
        if ($db->affected_rows() < 1) {
            $previous = $outcome === 'record' ? $this->promote_event($payment, $eventId, $event) : null;
            $unfinished = null;
            if ($previous === null && $outcome === 'record') {
                // Seen before, but its payment's claim may have been left unfinished (issue 15): this
                // repeat is what finishes it (take-over below), so it is not a plain duplicate.
                $guard = $this->guard_row($payment);
                if ($guard !== null && $guard->state !== 'done') {
                    $unfinished = $this->q('SELECT id, outcome, reason_code FROM ' . $this->table('events') . ' WHERE payment_row_id = '
                        . (int) $payment->id . ' AND event_id = ' . $db->escape($eventId))->row();
                }
            }
            if ($previous === null && $unfinished === null) {
                // Seen before for this payment: nothing new to apply. Counted after the rollback, not
                // stored again (bounded growth whatever a token holder posts).
                $this->repeat_of = $eventId;
                if ($source === 'webhook') {
                    return new Paybridge_txn_rollback(['http' => 200, 'result' => 'duplicate', 'reason' => 'duplicate_event']);
                }
                // A module read is never answered "duplicate event": it reports what the read found.
                return new Paybridge_txn_rollback($outcome === 'record'
                    ? ['http' => 200, 'result' => 'duplicate', 'reason' => 'already_recorded']
                    : ['http' => 200, 'result' => $outcome, 'reason' => $reason]);
            }
            if ($previous !== null) {
                $eventRowId = (int) $previous->id;
                $written    = ['recorded', ''];
            } else {
                $eventRowId = (int) $unfinished->id;
                $written    = [(string) $unfinished->outcome, (string) $unfinished->reason_code];
            }
        } else {
            $eventRowId = (int) $db->insert_id();
        }

        // The attempt row, locked: recordings of one payment are serialized from here on.
        $current = $this->q('SELECT status FROM ' . $this->table('payments') . ' WHERE id = ' . (int) $payment->id . ' FOR UPDATE')->row();
        $currentStatus = $current ? (string) $current->status : '';

        $result = $outcome;
        $attemptStatus = $status;
        if ($outcome === 'record') {
            [$result, $reason, $attemptStatus] = $this->claim_payment($payment, $gateway);
            if ($result === 'busy') {
                // Another caller holds a live claim and is adding the payment now: nothing is stored;
                // the provider retries (and then finds it done), the customer sees "being confirmed".
                return new Paybridge_txn_rollback(['http' => 503, 'result' => 'error', 'reason' => 'recording_in_progress']);
            }
            if ($result === 'claimed') {
                // Ours: committed now, the payment is added after the commit (finish_claim).
                if ([$result, ''] !== $written) {
                    $this->q('UPDATE ' . $this->table('events') . " SET outcome = 'claimed', reason_code = '' WHERE id = " . $eventRowId);
                }
                $this->claim['event_row_id'] = $eventRowId;

                return ['http' => 200, 'result' => 'claimed', 'reason' => ''];
            }
        } elseif ($outcome === 'rejected') {
            $attemptStatus = 'rejected';
        } elseif ($reason === 'refund_logged' || $reason === 'chargeback_logged') {
            // Never delete a payment; tell the admin (activity log on the invoice).
            log_activity(_l('paybridge_activity_' . $reason, [$gateway->getName(), $status, $pid, format_invoice_number((int) $payment->invoice_id)]));
        }
        // The attempt's error_code carries the reason staff must see (admin page: "rejected (other_mode)").
        $errorCode = $result === 'rejected' || $reason === 'overpaid' || $reason === 'already_recorded_manually'
            ? $reason : ($result === 'recorded' ? null : false);

        if ($this->moves_forward($currentStatus, $attemptStatus)) {
            $this->q('UPDATE ' . $this->table('payments') . ' SET status = ' . $db->escape(substr($attemptStatus, 0, 30))
                . ($errorCode !== false ? ', error_code = ' . $db->escape($errorCode === null ? null : substr($errorCode, 0, 60)) : '')
                . ', updated_at = ' . $db->escape($this->now()) . ' WHERE id = ' . (int) $payment->id);
            if (in_array($attemptStatus, ['paid', 'failed', 'cancelled', 'expired', 'rejected'], true)) {
                $this->release_perfex_attempt($payment); // same transaction: undone if recording rolls back
            }
        } elseif ($result === 'logged') {
            // Issue 9 item 5: a late "pending" after "paid" is logged, never applied.
            $reason = 'stale_status';
        }

        if ($result === 'rejected' && ($previous === null || $previous->outcome !== 'rejected' || $previous->reason_code !== $reason)) {
            $this->tell_staff('rejected', $reason, $gateway, $payment, $status);
        }

        if ([$result, $reason] !== $written) {
            $this->q('UPDATE ' . $this->table('events') . ' SET outcome = ' . $db->escape($result)
                . ', reason_code = ' . $db->escape($reason) . ' WHERE id = ' . $eventRowId);
        }

        return ['http' => 200, 'result' => $result, 'reason' => $reason];
    }

    /** The guard row of the attempt's provider payment (plain read), or null. */
    private function guard_row(object $payment): ?object
    {
        $row = $this->q('SELECT id, state, claim_token, claimed_at, paymentrecord_id FROM ' . $this->table('recorded')
            . ' WHERE provider = ' . $this->db->escape($payment->provider) . ' AND provider_payment_id = '
            . $this->db->escape((string) $payment->provider_payment_id))->row();

        return $row ?: null;
    }

    private function claim_stale_seconds(): int
    {
        $v = function_exists('get_option') ? (string) get_option('paybridge_claim_stale_seconds') : '';

        return ctype_digit($v) && (int) $v > 0 ? (int) $v : self::CLAIM_STALE_SECONDS;
    }

    /**
     * Step 1's money part, inside the claim transaction (perfex.md "Recording"), checked against the invoice
     * as it is NOW (issue 9 item 9). Inserts the guard row `claimed` with a fresh token; the payment itself
     * is added only after this transaction committed (finish_claim). @return array{0:string,1:string,2:string}
     * result (claimed | busy | duplicate | rejected), reason, the attempt's new status
     */
    private function claim_payment(object $payment, Paybridge_gateway_base $gateway): array
    {
        $db  = $this->db;
        $pid = (string) $payment->provider_payment_id;

        // Already recorded or being recorded: a plain read answers the common redelivery without touching the invoice.
        $guard = $this->guard_row($payment);
        if ($guard !== null) {
            return $this->take_over($guard, $payment);
        }

        // The invoice row, locked (on one server two attempts paying one invoice are serialized here).
        $invoice = $this->q('SELECT id, status, currency FROM ' . db_prefix() . 'invoices WHERE id = ' . (int) $payment->invoice_id . ' FOR UPDATE')->row();
        if (!$invoice) {
            return ['rejected', 'invoice_not_found', 'rejected'];
        }
        $currency = $this->q('SELECT name FROM ' . db_prefix() . 'currencies WHERE id = ' . (int) $invoice->currency)->row();
        if (!$currency || strtoupper((string) $currency->name) !== strtoupper((string) $payment->currency)) {
            // Staff changed the invoice's currency after the customer started paying: the money is real
            // but in another currency than the invoice now asks for. Never recorded; staff are told.
            return ['rejected', 'currency_mismatch', 'rejected'];
        }

        // The guard: UNIQUE provider + provider payment id. On Galera a second node's INSERT of the same key
        // succeeds locally and fails at COMMIT (1213): that whole transaction is retried and lands above.
        $token = bin2hex(random_bytes(16));
        $this->q('INSERT IGNORE INTO ' . $this->table('recorded')
            . ' (provider, provider_payment_id, payment_row_id, invoice_id, amount, currency, event_row_id, state, claim_token, claimed_at, created_at) VALUES ('
            . implode(', ', array_map([$db, 'escape'], [
                $payment->provider, $pid, (int) $payment->id, (int) $payment->invoice_id, $payment->amount,
                $payment->currency, null, 'claimed', $token, $this->now(), $this->now(),
            ])) . ')');
        if ($db->affected_rows() < 1) {
            $guard = $this->guard_row($payment);

            return $guard !== null ? $this->take_over($guard, $payment) : ['busy', 'recording_in_progress', ''];
        }
        $recordedId = (int) $db->insert_id();

        // Staff may have entered this payment by hand already (Perfex's own check for core gateways):
        // the guard row is kept, done, pointing at their record, so later events stop at the guard.
        $this->load->model('payments_model');
        if ($this->payments_model->transaction_exists($pid, (int) $payment->invoice_id)) {
            $manual = $this->q('SELECT id FROM ' . db_prefix() . 'invoicepaymentrecords WHERE invoiceid = ' . (int) $payment->invoice_id
                . ' AND transactionid = ' . $db->escape($pid) . ' ORDER BY id ASC LIMIT 1')->row();
            $this->q('UPDATE ' . $this->table('recorded') . " SET state = 'done', claim_token = NULL, finished_at = " . $db->escape($this->now())
                . ', paymentrecord_id = ' . ($manual ? (int) $manual->id : 'NULL') . ' WHERE id = ' . $recordedId);
            log_activity(_l('paybridge_activity_already_recorded_manually', [$gateway->getName(), $pid, format_invoice_number((int) $payment->invoice_id)]));

            return ['duplicate', 'already_recorded_manually', 'paid'];
        }

        $this->claim = ['id' => $recordedId, 'token' => $token];

        return ['claimed', '', 'paid'];
    }

    /**
     * A guard row exists. Done: a duplicate. Claimed by a live owner (claim younger than
     * paybridge_claim_stale_seconds): busy. Claimed long ago (its owner died between the steps): taken over
     * with a compare-and-swap on the old token, so of several takers exactly one wins (on Galera the others
     * fail at COMMIT, retry and see a live claim).
     */
    private function take_over(object $guard, object $payment): array
    {
        if ($guard->state === 'done') {
            return ['duplicate', 'already_recorded', 'paid'];
        }
        $staleBefore = date('Y-m-d H:i:s', time() - $this->claim_stale_seconds());
        if ($guard->claimed_at !== null && (string) $guard->claimed_at > $staleBefore) {
            return ['busy', 'recording_in_progress', ''];
        }
        $token = bin2hex(random_bytes(16));
        $this->q('UPDATE ' . $this->table('recorded') . ' SET claim_token = ' . $this->db->escape($token) . ', claimed_at = '
            . $this->db->escape($this->now()) . ' WHERE id = ' . (int) $guard->id . " AND state = 'claimed' AND claim_token <=> "
            . $this->db->escape($guard->claim_token));
        if ($this->db->affected_rows() < 1) {
            return ['busy', 'recording_in_progress', ''];
        }
        log_message('error', 'paybridge: taking over the unfinished recording of ' . $payment->provider . ' payment row ' . (int) $payment->id);
        $this->claim = ['id' => (int) $guard->id, 'token' => $token];

        return ['claimed', '', 'paid'];
    }

    /**
     * Steps 2 and 3 for the owner of a committed claim: addPayment() exactly once, outside any transaction,
     * unless the payment is already there (a previous owner died after adding it), then the guard is marked
     * done (only while it still holds our token), the attempt and the event move forward.
     */
    private function finish_claim(array $claim, object $payment, Paybridge_gateway_base $gateway): array
    {
        $db  = $this->db;
        $pid = (string) $payment->provider_payment_id;
        $unavailable = ['http' => 503, 'result' => 'error', 'reason' => 'database_unavailable'];
        $recordWhere = ' WHERE invoiceid = ' . (int) $payment->invoice_id . ' AND transactionid = ' . $db->escape($pid);
        try {
            $guard = $this->q('SELECT state, claim_token FROM ' . $this->table('recorded') . ' WHERE id = ' . (int) $claim['id'])->row();
            if (!$guard || $guard->state !== 'claimed' || $guard->claim_token !== $claim['token']) {
                // Taken over meanwhile (we were slower than paybridge_claim_stale_seconds): the new owner finishes.
                return ['http' => 503, 'result' => 'error', 'reason' => 'recording_in_progress'];
            }
            $existing = $this->q('SELECT id FROM ' . db_prefix() . 'invoicepaymentrecords' . $recordWhere . ' ORDER BY id ASC LIMIT 1')->row();
            if ($existing) {
                $recordId = (int) $existing->id; // added by the claim's previous owner: never added again
            } else {
                for ($try = 1; ; $try++) {
                    // Issue 13 item 5: Perfex records the invoice part; the gateway fee goes by Perfex's attempt reference.
                    $ok = $gateway->addPayment($gateway->paymentRecordData($payment, [
                        'amount'        => $payment->amount, // the requested Perfex amount, equal to what was paid
                        'invoiceid'     => (int) $payment->invoice_id,
                        'transactionid' => $pid,
                        'paymentmethod' => '', // Perfex shows "<mode> - <method>"; the mode already says NeroPay
                        'note'          => _l('paybridge_payment_note', [$gateway->getName(), $pid])
                            . ($gateway->getSetting('test_mode_enabled') === '1' ? ' [test]' : ''),
                    ]));
                    // FALSE: Payments_model::add()'s INSERT failed (db_debug off), so nothing was added and no
                    // mail sent; a deadlock / conflict there is retried like a transaction.
                    if ($ok || $try >= self::TRIES || !in_array($this->last_error_code(), self::RETRYABLE_ERRORS, true)) {
                        break;
                    }
                    usleep(random_int(5000, 25000) * $try);
                }
                if (!$ok) {
                    // Payments_model::add() inserted nothing (its INSERT failed): give the claim back at once,
                    // so the provider's retry does not wait for it to go stale.
                    $db->query('UPDATE ' . $this->table('recorded') . ' SET claimed_at = NULL WHERE id = ' . (int) $claim['id']
                        . " AND state = 'claimed' AND claim_token = " . $db->escape($claim['token']));

                    return $unavailable;
                }
                $record   = $this->q('SELECT id FROM ' . db_prefix() . 'invoicepaymentrecords' . $recordWhere . ' ORDER BY id DESC LIMIT 1')->row();
                $recordId = $record ? (int) $record->id : 0;
            }
        } catch (Throwable $e) {
            // Whether the payment was added is unknown here: the claim stays; whoever takes it over once it is
            // stale looks for the payment first.
            log_message('error', 'paybridge: adding the payment failed (' . get_class($e) . ' ' . $this->error_code($e) . ')');

            return $unavailable;
        }

        try {
            return $this->in_retried_transaction(function () use ($claim, $payment, $gateway, $recordId, $existing) {
                $this->notified = [];
                $db = $this->db;
                $this->q('UPDATE ' . $this->table('recorded') . " SET state = 'done', claim_token = NULL, finished_at = "
                    . $db->escape($this->now()) . ', paymentrecord_id = ' . ($recordId > 0 ? $recordId : 'NULL')
                    . ' WHERE id = ' . (int) $claim['id'] . " AND state = 'claimed' AND claim_token = " . $db->escape($claim['token']));
                if ($db->affected_rows() < 1) {
                    return new Paybridge_txn_rollback(['http' => 503, 'result' => 'error', 'reason' => 'recording_in_progress']);
                }
                // Money really received is never dropped (issue 9 item 9): a payment for an invoice that other
                // payments had already covered before ours is recorded and flagged for staff.
                $overpaid = $recordId > 0 && (bool) $this->q('SELECT (SELECT COALESCE(SUM(amount), 0) FROM ' . db_prefix()
                    . 'invoicepaymentrecords WHERE invoiceid = i.id AND id < ' . $recordId . ') >= i.total AS covered FROM '
                    . db_prefix() . 'invoices i WHERE i.id = ' . (int) $payment->invoice_id)->row()->covered;
                $status  = $overpaid ? 'overpaid' : 'paid';
                $reason  = $overpaid ? 'overpaid' : ($existing ? 'recovered' : '');
                $current = $this->q('SELECT status FROM ' . $this->table('payments') . ' WHERE id = ' . (int) $payment->id . ' FOR UPDATE')->row();
                if ($this->moves_forward($current ? (string) $current->status : '', $status)) {
                    $this->q('UPDATE ' . $this->table('payments') . ' SET status = ' . $db->escape($status)
                        . ', error_code = ' . $db->escape($overpaid ? 'overpaid' : null)
                        . ', updated_at = ' . $db->escape($this->now()) . ' WHERE id = ' . (int) $payment->id);
                    $this->release_perfex_attempt($payment);
                }
                $this->q('UPDATE ' . $this->table('events') . " SET outcome = 'recorded', reason_code = " . $db->escape($overpaid ? 'overpaid' : '')
                    . ' WHERE id = ' . (int) ($claim['event_row_id'] ?? 0));
                if ($overpaid) {
                    $this->tell_staff('overpaid', 'overpaid', $gateway, $payment, 'paid');
                }

                return ['http' => 200, 'result' => 'recorded', 'reason' => $reason];
            });
        } catch (Throwable $e) {
            // The payment exists; the guard stays claimed and the next caller (after it is stale) marks it done.
            log_message('error', 'paybridge: finishing the recording failed (' . get_class($e) . ' ' . $this->error_code($e) . ')');

            return $unavailable;
        }
    }

    /** Applying $new to an attempt at $current never moves it backwards (issue 9 item 5). */
    private function moves_forward(string $current, string $new): bool
    {
        if ($new === $current) {
            return true;
        }
        $from = self::STATUS_RANK[$current] ?? 1;
        $to   = self::STATUS_RANK[$new] ?? 1;
        if ($new === 'cancelled' && $from >= 2) {
            $to = 3; // a void after payment (contract 2), not a return to "not paid"
        }
        if ($from === 2 && $to === 2) {
            // paid / overpaid / rejected: a refused attempt may still become paid (e.g. the gateway's mode
            // was corrected), a recorded one is never shown as refused.
            return $current === 'rejected';
        }

        return $to >= $from;
    }

    /**
     * A refused payment (rejected: amount, currency, mode, invoice) or an overpayment: one activity-log
     * line and a Perfex notification to every active staff member allowed to see payments.
     */
    private function tell_staff(string $kind, string $reason, Paybridge_gateway_base $gateway, object $payment, string $status): void
    {
        $args = [$gateway->getName(), (string) $payment->provider_payment_id, format_invoice_number((int) $payment->invoice_id), $reason];
        log_activity(_l('paybridge_activity_' . $kind, $args));
        if (!function_exists('add_notification')) {
            return;
        }
        $staff = $this->q('SELECT staffid, admin FROM ' . db_prefix() . 'staff WHERE active = 1')->result();
        foreach ($staff as $member) {
            $allowed = (int) $member->admin === 1
                || (function_exists('staff_can') && staff_can('view', 'payments', (int) $member->staffid));
            if (!$allowed) {
                continue;
            }
            $ok = add_notification([
                'description'     => 'paybridge_notification_' . $kind,
                'touserid'        => (int) $member->staffid,
                'fromcompany'     => 1,
                'fromuserid'      => 0,
                'link'            => 'invoices/list_invoices/' . (int) $payment->invoice_id,
                'additional_data' => serialize($args),
            ]);
            if ($ok) {
                $this->notified[] = (int) $member->staffid;
            }
        }
    }

    /**
     * The event key is already stored for this payment, but it was not recorded then (the API still said
     * "not paid", or the payment was refused or ignored). Now that the verified facts allow recording, that
     * row is taken over (a current-read UPDATE, so exactly one concurrent caller wins) and recording goes
     * on under the payment guard. @return object|null the stored row (id, outcome, reason_code) before the
     * take-over, null for a plain duplicate
     */
    private function promote_event(object $payment, string $eventId, array $event): ?object
    {
        $db = $this->db;
        // Plain (non-locking) read first: the common duplicate is already "recorded", and asking for an
        // exclusive lock there would deadlock concurrent deliveries that all hold the shared one.
        $where = ' WHERE payment_row_id = ' . (int) $payment->id . ' AND event_id = ' . $db->escape($eventId);
        $seen  = $this->q('SELECT id, outcome, reason_code FROM ' . $this->table('events') . $where)->row();
        if (!$seen || !in_array($seen->outcome, ['logged', 'ignored', 'rejected'], true)) {
            return null;
        }
        $this->q('UPDATE ' . $this->table('events') . " SET outcome = 'recorded', reason_code = '', status = 'paid', "
            . 'verified = ' . $db->escape(substr((string) ($event['verified'] ?? ''), 0, 20))
            . ', amount = ' . $db->escape(isset($event['amount']) ? substr((string) $event['amount'], 0, 32) : null)
            . ', currency = ' . $db->escape(isset($event['currency']) ? substr((string) $event['currency'], 0, 3) : null)
            . ', last_seen_at = ' . $db->escape($this->now())
            . $where . " AND outcome IN ('logged', 'ignored', 'rejected')");

        return $db->affected_rows() < 1 ? null : $seen;
    }

    /** A repeat of a stored event: counted on its row (autocommit, best effort), never stored again. */
    private function count_repeat(object $payment, string $eventId): void
    {
        try {
            $this->db->query('UPDATE ' . $this->table('events') . ' SET repeats = repeats + 1, last_seen_at = '
                . $this->db->escape($this->now()) . ' WHERE payment_row_id = ' . (int) $payment->id
                . ' AND event_id = ' . $this->db->escape($eventId));
        } catch (Throwable $e) {
            // Only a counter.
        }
    }

    private function begin(): void
    {
        if ($this->db->trans_begin() === false) {
            throw new Paybridge_db_failure('begin_failed', $this->last_error_code());
        }
    }

    /**
     * Runs a query and fails loudly. Real CI3 with db_debug off returns FALSE instead of throwing, and its
     * error() describes only the last statement: the error number is captured here, before anything else
     * runs (a ROLLBACK would reset it).
     */
    private function q(string $sql)
    {
        $res = $this->db->query($sql);
        if ($res === false) {
            throw new Paybridge_db_failure('query_failed', $this->last_error_code());
        }

        return $res;
    }

    private function last_error_code(): int
    {
        try {
            $err = $this->db->error();

            return (int) ($err['code'] ?? 0);
        } catch (Throwable $ignored) {
            return 0;
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

    /** The MySQL error number behind a failure (read before any rollback). */
    private function error_code(Throwable $e): int
    {
        if ($e instanceof mysqli_sql_exception || $e instanceof Paybridge_db_failure) {
            return (int) $e->getCode();
        }

        return $this->last_error_code();
    }

    /**
     * Contract 5 (issue 13): once the payment's event is handled, the read's refunds and chargebacks go to
     * Paybridge_refund_model (credit notes, exactly once). A database failure there answers 503 so the
     * provider retries (the event itself is stored; its retry is a duplicate that syncs again).
     */
    private function sync_refunds(array $result, array $event, object $payment, Paybridge_gateway_base $gateway, string $source): array
    {
        if ($result['http'] >= 300 || (empty($event['refunds']) && empty($event['chargebacks']) && ($event['status'] ?? '') !== 'chargeback')) {
            return $result;
        }
        try {
            $this->load->model('paybridge/paybridge_refund_model');
            $this->paybridge_refund_model->sync($event, $payment, $gateway, $source);
        } catch (Throwable $e) {
            log_message('error', 'paybridge: refund sync failed (' . get_class($e) . ' ' . (int) $e->getCode() . ')');

            return ['http' => 503, 'result' => 'error', 'reason' => 'database_unavailable'];
        }

        return $result;
    }
}

/** A database statement failed; the code is the MySQL error number read right after it (0 if unknown). */
final class Paybridge_db_failure extends RuntimeException
{
}

/** Returned by a Paybridge_model::in_retried_transaction() callable: roll back instead of committing, return $value. */
final class Paybridge_txn_rollback
{
    /** @var mixed */
    public $value;

    /** @param mixed $value what in_retried_transaction() returns */
    public function __construct($value)
    {
        $this->value = $value;
    }
}
