<?php

defined('BASEPATH') or exit('No direct script access allowed');

require_once __DIR__ . '/../libraries/Paybridge_txn.php';
require_once __DIR__ . '/recording/Paybridge_attempts.php';
require_once __DIR__ . '/recording/Paybridge_webhook_reads.php';
require_once __DIR__ . '/recording/Paybridge_event_rules.php';
require_once __DIR__ . '/recording/Paybridge_event_log.php';
require_once __DIR__ . '/recording/Paybridge_claims.php';

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
 *
 * This class is the one model every caller loads; its parts live in models/recording/ (attempts and lookups,
 * webhook read limits and health, the pure event rules, step 1's event log, the claims of steps 1-3) and the
 * retried transaction in libraries/Paybridge_txn.php.
 */
class Paybridge_model extends App_Model
{
    use Paybridge_attempts;
    use Paybridge_webhook_reads;
    use Paybridge_event_rules;
    use Paybridge_event_log;
    use Paybridge_claims;

    /**
     * Errors after which the whole transaction is run again (in_retried_transaction): deadlock or Galera
     * certification conflict (1213), lock wait timeout (1205), Galera node not ready / not in the primary
     * component (1047).
     */
    public const RETRYABLE_ERRORS = Paybridge_txn::RETRYABLE_ERRORS;

    /** Tries in all (first run + retries) of a recording transaction. */
    private const TRIES = Paybridge_txn::TRIES;

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
        return Paybridge_txn::run($this->db, $fn, $tries);
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

    /** Paybridge_txn::q() on this model's connection: a FALSE from CI3 becomes a Paybridge_db_failure. */
    private function q(string $sql)
    {
        return Paybridge_txn::q($this->db, $sql);
    }

    private function last_error_code(): int
    {
        return Paybridge_txn::lastErrorCode($this->db);
    }

    /** The MySQL error number behind a failure (read before any rollback). */
    private function error_code(Throwable $e): int
    {
        return Paybridge_txn::errorCode($this->db, $e);
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
