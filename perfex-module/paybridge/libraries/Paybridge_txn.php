<?php

defined('BASEPATH') or exit('No direct script access allowed');

/**
 * One database transaction run again from the start when the database answers a deadlock or a Galera
 * certification conflict (1213), a lock wait timeout (1205) or "node not ready" (1047), at any statement or
 * at COMMIT (README "Two commands": several web nodes over MariaDB Galera; perfex.md "Recording").
 * Paybridge_model::in_retried_transaction() is the public entry point; this class only needs a CodeIgniter
 * database connection, so any model can use it.
 */
final class Paybridge_txn
{
    /**
     * Errors after which the whole transaction is run again: deadlock or Galera certification conflict
     * (1213), lock wait timeout (1205), Galera node not ready / not in the primary component (1047).
     */
    public const RETRYABLE_ERRORS = [1213, 1205, 1047];

    /** Tries in all (first run + retries) of a transaction. */
    public const TRIES = 3;

    /**
     * Runs $fn inside one transaction on $db and commits it; on a retryable error (see RETRYABLE_ERRORS) the
     * whole transaction is rolled back and $fn runs again from the start, at most $tries times in all (with
     * a short random pause), so a retry sees what the winner committed.
     *
     * $fn must do all its work through $db and must have no effect outside the database, since it may run
     * several times. $fn receives the try number (1..$tries). To end without committing, $fn returns
     * `new Paybridge_txn_rollback($value)`: the transaction is rolled back and $value returned. A query that
     * returns FALSE (CI3 with db_debug off) must be turned into an exception by $fn (see q()), or its error
     * number is lost.
     *
     * @param object $db a CodeIgniter database connection
     * @return mixed what $fn returned
     * @throws Throwable the last failure when it is not retryable or the tries are used up; for database
     *                   errors a Paybridge_db_failure / mysqli_sql_exception whose getCode() is the MySQL error
     */
    public static function run($db, callable $fn, int $tries = self::TRIES)
    {
        for ($try = 1; ; $try++) {
            try {
                self::begin($db);
                $result = $fn($try);
                if ($result instanceof Paybridge_txn_rollback) {
                    self::rollbackQuietly($db);

                    return $result->value;
                }
                if ($db->trans_status() === false) {
                    throw new Paybridge_db_failure('transaction_failed', self::lastErrorCode($db));
                }
                if (!$db->trans_commit()) {
                    // CI3 returns FALSE from a failed COMMIT (db_debug off); a Galera conflict is 1213 here.
                    throw new Paybridge_db_failure('commit_failed', self::lastErrorCode($db));
                }

                return $result;
            } catch (Throwable $e) {
                // The number is read before the ROLLBACK (which would reset what error() reports).
                $code = self::errorCode($db, $e);
                self::rollbackQuietly($db);
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

    /**
     * Runs a query and fails loudly. Real CI3 with db_debug off returns FALSE instead of throwing, and its
     * error() describes only the last statement: the error number is captured here, before anything else
     * runs (a ROLLBACK would reset it).
     */
    public static function q($db, string $sql)
    {
        $res = $db->query($sql);
        if ($res === false) {
            throw new Paybridge_db_failure('query_failed', self::lastErrorCode($db));
        }

        return $res;
    }

    public static function begin($db): void
    {
        if ($db->trans_begin() === false) {
            throw new Paybridge_db_failure('begin_failed', self::lastErrorCode($db));
        }
    }

    public static function lastErrorCode($db): int
    {
        try {
            $err = $db->error();

            return (int) ($err['code'] ?? 0);
        } catch (Throwable $ignored) {
            return 0;
        }
    }

    public static function rollbackQuietly($db): void
    {
        try {
            $db->trans_rollback();
        } catch (Throwable $e) {
            // Connection gone: the server rolls the transaction back itself.
        }
    }

    /** The MySQL error number behind a failure (read before any rollback). */
    public static function errorCode($db, Throwable $e): int
    {
        if ($e instanceof mysqli_sql_exception || $e instanceof Paybridge_db_failure) {
            return (int) $e->getCode();
        }

        return self::lastErrorCode($db);
    }
}

/** A database statement failed; the code is the MySQL error number read right after it (0 if unknown). */
final class Paybridge_db_failure extends RuntimeException
{
}

/** Returned by a Paybridge_txn::run() callable: roll back instead of committing, return $value. */
final class Paybridge_txn_rollback
{
    /** @var mixed */
    public $value;

    /** @param mixed $value what Paybridge_txn::run() returns */
    public function __construct($value)
    {
        $this->value = $value;
    }
}
