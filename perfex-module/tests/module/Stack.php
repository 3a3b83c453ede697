<?php

/**
 * The running local stack (scripts/stack up): .stack/env, MariaDB, the stand-in over nginx, the sandbox.
 * Nothing is skipped: when the stack is down every test fails with the reason.
 */
final class Stack
{
    private static ?array $env = null;
    private static ?mysqli $db = null;

    public static function root(): string
    {
        return dirname(__DIR__, 3);
    }

    /** The TLS sandbox's CA (`scripts/stack up --tls`), else the system bundle curl uses anyway. */
    public static function sandboxCaFile(): string
    {
        try {
            $ca = self::env('SANDBOX_CA_FILE');
        } catch (RuntimeException $e) {
            $ca = '';
        }

        return $ca !== '' ? $ca : '/etc/ssl/certs/ca-certificates.crt';
    }

    public static function env(string $key): string
    {
        if (self::$env === null) {
            $dir  = getenv('STACK_DIR') ?: self::root() . '/.stack';
            $file = rtrim($dir, '/') . '/env';
            if (!is_readable($file)) {
                throw new RuntimeException("Stack is not up: $file is missing. Run `scripts/stack up` first.");
            }
            self::$env = [];
            foreach (file($file, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) as $line) {
                if (preg_match('/^(?:export\s+)?([A-Z_][A-Z0-9_]*)=(.*)$/', $line, $m)) {
                    $v = $m[2];
                    if (strlen($v) >= 2 && ($v[0] === "'" || $v[0] === '"') && substr($v, -1) === $v[0]) {
                        $v = $v[0] === "'" ? str_replace("'\\''", "'", substr($v, 1, -1)) : stripcslashes(substr($v, 1, -1));
                    }
                    self::$env[$m[1]] = $v;
                }
            }
        }
        $v = getenv($key);
        if ($v !== false && $v !== '') {
            return $v;
        }
        if (!isset(self::$env[$key])) {
            throw new RuntimeException("Stack env has no $key (.stack/env); is `scripts/stack up` finished?");
        }

        return self::$env[$key];
    }

    public static function db(): mysqli
    {
        if (self::$db !== null) {
            try {
                if (@self::$db->query('SELECT 1')) {
                    return self::$db;
                }
            } catch (Throwable $e) {
            }
            self::$db = null;
        }
        mysqli_report(MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT);
        try {
            $db = new mysqli('localhost', self::env('DB_USER'), self::env('DB_PASSWORD'), self::env('DB_NAME'), 0, self::env('DB_SOCKET'));
        } catch (mysqli_sql_exception $e) {
            throw new RuntimeException('MariaDB of the stack is not reachable at ' . self::env('DB_SOCKET') . ': ' . $e->getMessage());
        }
        $db->set_charset('utf8mb4');

        return self::$db = $db;
    }

    public static function dropDb(): void
    {
        if (self::$db) {
            try {
                self::$db->close();
            } catch (Throwable $e) {
            }
        }
        self::$db = null;
    }

    /** @return array<int, array<string, mixed>> */
    public static function rows(string $sql): array
    {
        return self::db()->query($sql)->fetch_all(MYSQLI_ASSOC);
    }

    public static function one(string $sql): ?array
    {
        return self::rows($sql)[0] ?? null;
    }

    /** Runs `php perfex-module/standin/cli.php …`; returns stdout; fails on non-zero exit. */
    public static function cli(string ...$args): string
    {
        $cmd = array_merge([PHP_BINARY, self::root() . '/perfex-module/standin/cli.php'], $args);
        $p = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, self::root());
        $out = stream_get_contents($pipes[1]);
        $err = stream_get_contents($pipes[2]);
        $rc = proc_close($p);
        if ($rc !== 0) {
            throw new RuntimeException('standin cli ' . implode(' ', $args) . " failed ($rc): $out $err");
        }

        return $out;
    }

    /** Runs scripts/stack <cmd>. */
    public static function script(string ...$args): string
    {
        $cmd = array_merge([self::root() . '/scripts/stack'], $args);
        $p = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, self::root());
        $out = stream_get_contents($pipes[1]);
        $err = stream_get_contents($pipes[2]);
        $rc = proc_close($p);
        if ($rc !== 0) {
            throw new RuntimeException('scripts/stack ' . implode(' ', $args) . " failed ($rc): $out $err");
        }

        return $out;
    }
}
