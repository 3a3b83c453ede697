<?php

defined('BASEPATH') or exit('No direct script access allowed');

/*
 * Stand-in configuration (Perfex keeps the same kind of constants in application/config/app-config.php).
 * Everything comes from the environment; when a variable is missing (e.g. `php cli.php` run by hand) the
 * values of the local stack in <repo>/.stack/env are used.
 */

function standin_env(string $key, ?string $default = null): ?string
{
    static $stackEnv = null;
    $v = getenv($key);
    if ($v !== false && $v !== '') {
        return $v;
    }
    if ($stackEnv === null) {
        $stackEnv = [];
        $dir  = getenv('STACK_DIR') ?: dirname(__DIR__, 3) . '/.stack';
        $file = rtrim($dir, '/') . '/env';
        if (is_readable($file)) {
            foreach (file($file, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) as $line) {
                if (preg_match('/^([A-Z_][A-Z0-9_]*)=(.*)$/', $line, $m)) {
                    $val = $m[2];
                    if (strlen($val) >= 2 && $val[0] === "'" && substr($val, -1) === "'") {
                        $val = str_replace("'\\''", "'", substr($val, 1, -1));
                    }
                    $stackEnv[$m[1]] = $val;
                }
            }
        }
    }
    return $stackEnv[$key] ?? $default;
}

define('STANDIN_STACK_DIR', standin_env('STACK_DIR', dirname(__DIR__, 3) . '/.stack'));

// Same prefix as a default Perfex install.
define('APP_DB_PREFIX', 'tbl');
define('APP_DB_SOCKET', standin_env('DB_SOCKET', STANDIN_STACK_DIR . '/run/mysqld.sock'));
define('APP_DB_NAME', standin_env('DB_NAME', 'perfex'));
define('APP_DB_USERNAME', standin_env('DB_USER', 'perfex'));
define('APP_DB_PASSWORD', standin_env('DB_PASSWORD', 'perfex-pass'));
define('APP_DB_CHARSET', 'utf8mb4');
define('APP_DB_COLLATION', 'utf8mb4_unicode_ci');

// Encryption key (Perfex: APP_ENC_KEY). A fixed development key; override with STANDIN_ENCRYPTION_KEY.
define('APP_ENC_KEY', standin_env('STANDIN_ENCRYPTION_KEY', 'standin-dev-key-0f6c1d2e9a8b47c5b3e2d1c0ffee1234'));

define('APP_SESSION_COOKIE_NAME', 'sp_session');
define('APP_CSRF_PROTECTION', standin_env('STANDIN_CSRF', '1') === '1');

// Perfex's optional cron key (app-config.php): when defined, cron/index/<key> must carry it.
if (($__cronKey = standin_env('APP_CRON_KEY')) !== null && $__cronKey !== '') {
    define('APP_CRON_KEY', $__cronKey);
}
unset($__cronKey);

// The admin area lives under /admin like in Perfex.
define('ADMIN_URI', 'admin');
