<?php

defined('BASEPATH') or exit('No direct script access allowed');

require_once __DIR__ . '/DB_result.php';
require_once __DIR__ . '/DB_query_runner.php';

/**
 * $CI->db: a mysqli connection with CodeIgniter 3's driver surface (query, binds, transactions, metadata).
 *
 * Error behaviour: the connection runs with mysqli_report(ERROR|STRICT), the PHP 8.1+ default that real
 * Perfex 3.x (CI 3.1 on PHP >= 8.1) inherits, so a failing query throws mysqli_sql_exception (e.g. code 1062
 * for a duplicate key, 1054 for an unknown column, 2002/2006 when the server is gone). Before rethrowing, the
 * error is kept for error() and, inside a transaction, trans_status() turns FALSE — as CI3 does.
 * The session runs without STRICT_* sql modes (Perfex's `stricton => false`).
 *
 * With `db_debug` off (CI3's `$db['default']['db_debug'] = FALSE`, Perfex's production setting) nothing
 * throws once connected: mysqli reporting is off, a failed query returns FALSE, error() says why and
 * trans_status() turns FALSE; like CI3, error() reflects the LAST statement, so a successful ROLLBACK or
 * COMMIT clears it (read the error number before rolling back). The switch: STANDIN_DB_DEBUG=0 in the
 * environment or .stack/env for the whole stack, or the request header `X-Standin-Db-Debug: 0` for one
 * request (the stand-in is a test tool; real Perfex has no such header).
 */
class CI_DB extends CI_DB_query_runner
{
    public $char_set = APP_DB_CHARSET;
    public $dbcollat = APP_DB_COLLATION;
    public $dbprefix = '';      // Perfex keeps CI's dbprefix empty and writes db_prefix() itself
    public $database = APP_DB_NAME;
    public $dbdriver = 'mysqli';
    public $trans_enabled = true;
    public $queries = [];
    public $save_queries = false;
    /** Queries sent in this request (the front controller reports it as X-Standin-Queries). */
    public int $query_count = 0;
    /** CI3's db_debug: TRUE throws on a failed query, FALSE returns FALSE and keeps error(). */
    public $db_debug = true;

    private ?mysqli $conn = null;
    private array $lastError = ['code' => 0, 'message' => ''];
    private int $transDepth = 0;
    private bool $transStatus = true;
    private bool $transFailure = false;

    public function __construct()
    {
        $this->db_debug = standin_env('STANDIN_DB_DEBUG', '1') !== '0';
        $header = $_SERVER['HTTP_X_STANDIN_DB_DEBUG'] ?? null;
        if ($header !== null && PHP_SAPI !== 'cli') {
            $this->db_debug = $header !== '0' && strtolower((string) $header) !== 'off';
        }
    }

    public function initialize()
    {
        $this->conn();
        return true;
    }

    /** Lazily opened connection (read timeout so a hung server gives 2006 instead of blocking forever). */
    public function conn(): mysqli
    {
        if ($this->conn !== null) {
            return $this->conn;
        }
        mysqli_report(MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT);
        $m = mysqli_init();
        $m->options(MYSQLI_OPT_CONNECT_TIMEOUT, 3);
        $m->options(MYSQLI_OPT_READ_TIMEOUT, 8);
        try {
            $m->real_connect('localhost', APP_DB_USERNAME, APP_DB_PASSWORD, APP_DB_NAME, 0, APP_DB_SOCKET);
        } catch (mysqli_sql_exception $e) {
            $this->lastError = ['code' => $e->getCode(), 'message' => $e->getMessage()];
            throw $e;
        }
        $m->set_charset($this->char_set);
        // stricton => false, and lock waits give up (1205) before the client read timeout fires.
        $m->query("SET SESSION sql_mode = TRIM(BOTH ',' FROM REPLACE(REPLACE(CONCAT(',', @@SESSION.sql_mode, ','),"
            . " ',STRICT_TRANS_TABLES,', ','), ',STRICT_ALL_TABLES,', ',')), SESSION innodb_lock_wait_timeout = 5");
        $this->conn = $m;
        if (!$this->db_debug) {
            mysqli_report(MYSQLI_REPORT_OFF);
        }
        return $m;
    }

    public function query($sql, $binds = false, $return_object = null)
    {
        if ($binds !== false && $binds !== null) {
            $sql = $this->compile_binds($sql, $binds);
        }
        $this->query_count++;
        if ($this->save_queries) {
            $this->queries[] = $sql;
        }
        if (!$this->db_debug) {
            $conn = $this->conn();
            $res = $conn->query($sql);
            if ($res === false) {
                // CI3 with db_debug off: no exception, FALSE, and error() tells why.
                $this->lastError = ['code' => (int) $conn->errno, 'message' => (string) $conn->error];
                if ($this->transDepth > 0) {
                    $this->transStatus = false;
                }
                log_message('error', 'Query error: ' . $conn->error . ' - Invalid query: ' . $sql);
                return false;
            }
            $this->lastError = ['code' => 0, 'message' => ''];
            return $res instanceof mysqli_result ? new CI_DB_result($res) : true;
        }
        try {
            $res = $this->conn()->query($sql);
        } catch (mysqli_sql_exception $e) {
            $this->lastError = ['code' => $e->getCode(), 'message' => $e->getMessage()];
            if ($this->transDepth > 0) {
                $this->transStatus = false;
            }
            log_message('error', 'Query error: ' . $e->getMessage() . ' - Invalid query: ' . $sql);
            throw $e;
        }
        $this->lastError = ['code' => 0, 'message' => ''];
        if ($res instanceof mysqli_result) {
            return new CI_DB_result($res);
        }
        return true;
    }

    /** Replaces each ? outside quoted strings with the escaped bind value (CI3 bind semantics). */
    public function compile_binds($sql, $binds)
    {
        $binds = is_array($binds) ? array_values($binds) : [$binds];
        $out = '';
        $i = 0;
        $quote = null;
        $len = strlen($sql);
        for ($p = 0; $p < $len; $p++) {
            $c = $sql[$p];
            if ($quote !== null) {
                if ($c === '\\') {
                    $out .= $c . ($sql[$p + 1] ?? '');
                    $p++;
                    continue;
                }
                if ($c === $quote) {
                    $quote = null;
                }
                $out .= $c;
            } elseif ($c === "'" || $c === '"' || $c === '`') {
                $quote = $c;
                $out .= $c;
            } elseif ($c === '?' && $i < count($binds)) {
                $v = $binds[$i++];
                $out .= is_array($v) ? '(' . implode(',', $this->escape($v)) . ')' : $this->escape($v);
            } else {
                $out .= $c;
            }
        }
        return $out;
    }

    public function escape_str($str, $like = false)
    {
        if (is_array($str)) {
            return array_map(fn ($s) => $this->escape_str($s, $like), $str);
        }
        $str = $this->conn()->real_escape_string((string) $str);
        if ($like) {
            $str = str_replace(['!', '%', '_'], ['!!', '!%', '!_'], $str);
        }
        return $str;
    }

    public function insert_id()
    {
        return $this->conn === null ? 0 : (int) $this->conn->insert_id;
    }

    public function affected_rows()
    {
        return $this->conn === null ? 0 : (int) $this->conn->affected_rows;
    }

    /** ['code' => int, 'message' => string] of the last failed statement (0/'' after a success). */
    public function error()
    {
        return $this->lastError;
    }

    public function table_exists($table_name)
    {
        $r = $this->query('SHOW TABLES LIKE ' . $this->escape((string) $table_name));
        return $r->num_rows() > 0;
    }

    public function field_exists($field_name, $table_name)
    {
        return in_array($field_name, $this->list_fields($table_name), true);
    }

    public function list_fields($table)
    {
        $rows = $this->query('SHOW COLUMNS FROM ' . $this->protect_identifiers($table))->result_array();
        return array_map(static fn ($r) => $r['Field'], $rows);
    }

    // ---------------------------------------------------------------- transactions (CI3 semantics)

    public function trans_start($test_mode = false)
    {
        if (!$this->trans_enabled) {
            return false;
        }
        return $this->trans_begin($test_mode);
    }

    public function trans_complete()
    {
        if (!$this->trans_enabled) {
            return false;
        }
        if ($this->transStatus === false || $this->transFailure === true) {
            $this->trans_rollback();
            if ($this->transDepth === 0) {
                $this->transStatus = true;
            }
            return false;
        }
        return $this->trans_commit();
    }

    public function trans_status()
    {
        return $this->transStatus;
    }

    /** Nested calls only count depth; the real BEGIN happens at depth 0. */
    public function trans_begin($test_mode = false)
    {
        if (!$this->trans_enabled) {
            return true;
        }
        if ($this->transDepth > 0) {
            $this->transDepth++;
            return true;
        }
        $this->transFailure = ($test_mode === true);
        $this->transStatus = true;
        if (!$this->conn()->begin_transaction()) {
            $this->lastError = ['code' => (int) $this->conn->errno, 'message' => (string) $this->conn->error];
            return false;
        }
        $this->lastError = ['code' => 0, 'message' => ''];
        $this->transDepth++;
        return true;
    }

    public function trans_commit()
    {
        if (!$this->trans_enabled || $this->transDepth === 0) {
            return false;
        }
        if ($this->transDepth > 1) {
            $this->transDepth--;
            return true;
        }
        try {
            $ok = $this->conn()->commit();
        } catch (mysqli_sql_exception $e) {
            $this->transDepth--;
            $this->lastError = ['code' => $e->getCode(), 'message' => $e->getMessage()];
            throw $e;
        }
        $this->transDepth--;
        // Like CI3's error() (mysqli_errno of the connection): the COMMIT is now the last statement.
        $this->lastError = $ok ? ['code' => 0, 'message' => ''] : ['code' => (int) $this->conn->errno, 'message' => (string) $this->conn->error];
        return $ok;
    }

    public function trans_rollback()
    {
        if (!$this->trans_enabled || $this->transDepth === 0) {
            return false;
        }
        if ($this->transDepth > 1) {
            $this->transDepth--;
            return true;
        }
        $this->transDepth--;
        try {
            $ok = $this->conn()->rollback();
            // The ROLLBACK is now the last statement: error() no longer reports what failed before it.
            $this->lastError = $ok ? ['code' => 0, 'message' => ''] : ['code' => (int) $this->conn->errno, 'message' => (string) $this->conn->error];
            return $ok;
        } catch (mysqli_sql_exception $e) {
            // Connection lost mid-transaction: the server already rolled back.
            $this->lastError = ['code' => $e->getCode(), 'message' => $e->getMessage()];
            return false;
        }
    }

}
