<?php

/*
 * Boots the stand-in for a web request (index.php) or the CLI (cli.php): constants, configuration, core
 * classes, helpers, and the lazily created core services returned by standin_core().
 */

defined('BASEPATH') or define('BASEPATH', __DIR__ . '/');
defined('APPPATH') or define('APPPATH', dirname(__DIR__) . '/');
defined('VIEWPATH') or define('VIEWPATH', APPPATH . 'views/');
defined('ENVIRONMENT') or define('ENVIRONMENT', getenv('CI_ENV') ?: 'development');

require_once APPPATH . 'config/app-config.php';

if (!defined('FCPATH')) {
    // The CLI (and tests) use the stack's webroot, where modules/ lives.
    define('FCPATH', rtrim(standin_env('STANDIN_WEBROOT', STANDIN_STACK_DIR . '/www'), '/') . '/');
}
defined('APP_MODULES_PATH') or define('APP_MODULES_PATH', FCPATH . 'modules/');

if (!defined('APP_BASE_URL')) {
    if (PHP_SAPI !== 'cli' && !empty($_SERVER['HTTP_HOST'])) {
        $scheme = (!empty($_SERVER['HTTPS']) && $_SERVER['HTTPS'] !== 'off') ? 'https' : 'http';
        $host = $_SERVER['HTTP_HOST'];
        $port = (int) ($_SERVER['SERVER_PORT'] ?? 80);
        if (strpos($host, ':') === false && !in_array($port, [80, 443], true)) {
            $host .= ':' . $port;
        }
        define('APP_BASE_URL', $scheme . '://' . $host . '/');
        unset($host, $port, $scheme);
    } else {
        define('APP_BASE_URL', rtrim(standin_env('PERFEX_URL', 'http://localhost'), '/') . '/');
    }
}

date_default_timezone_set(standin_env('TZ', 'UTC') ?: 'UTC');

foreach (['Common', 'Hooks', 'DB', 'Input', 'Session', 'Encryption', 'URI', 'Lang', 'Config', 'Security', 'Loader', 'Controller',
    'App_gateway', 'App_modules', 'App_menu', 'Router'] as $__f) {
    require_once BASEPATH . $__f . '.php';
}
// One file per helper, grouped as Perfex and CodeIgniter group these functions.
foreach (['url', 'form', 'action_hooks', 'database', 'settings', 'general', 'admin', 'staff', 'clients', 'datetime',
    'sales', 'decimal', 'modules', 'invoices', 'standin'] as $__f) {
    require_once APPPATH . 'helpers/' . $__f . '_helper.php';
}
// Models whose constants helpers use before anything loads them.
require_once APPPATH . 'models/Invoices_model.php';
unset($__f);

/** The core services, created on first use and shared by every controller instance. */
function standin_core(string $name)
{
    static $services = [];
    if (!isset($services[$name])) {
        switch ($name) {
            case 'config':     $services[$name] = new CI_Config(); break;
            case 'input':      $services[$name] = new CI_Input(); break;
            case 'uri':        $services[$name] = new CI_URI(); break;
            case 'session':    $services[$name] = new CI_Session(); break;
            case 'encryption': $services[$name] = new CI_Encryption(); break;
            case 'db':         $services[$name] = new CI_DB(); break;
            case 'load':       $services[$name] = new CI_Loader(); break;
            case 'hooks':      $services[$name] = new Hooks(); break;
            case 'modules':    $services[$name] = new App_modules(); break;
            case 'security':
                $s = new CI_Security();
                $s->bind(standin_core('session'));
                $services[$name] = $s;
                break;
            case 'lang':
                // Empty until App_Controller calls load_admin_language() / load_client_language(), after
                // the module init files ran (like Perfex's App_Controller).
                $services[$name] = new CI_Lang();
                break;
            default:
                throw new InvalidArgumentException("Unknown core service $name");
        }
    }
    return $services[$name];
}

/** Uncaught errors: logged, then a 500 page (details only outside production). */
function standin_exception_handler(Throwable $e): void
{
    if ($e instanceof Standin_exit_exception) {
        return;
    }
    $msg = get_class($e) . ': ' . $e->getMessage() . ' in ' . $e->getFile() . ':' . $e->getLine();
    error_log('standin: ' . $msg . "\n" . $e->getTraceAsString());
    log_message('error', $msg);
    if (PHP_SAPI === 'cli') {
        fwrite(STDERR, $msg . "\n");
        exit(1);
    }
    if (!headers_sent()) {
        http_response_code(500);
        header('Content-Type: text/html; charset=UTF-8');
    }
    $db = $e instanceof mysqli_sql_exception;
    echo '<!DOCTYPE html><html><head><title>Error</title></head><body><h1>'
        . ($db ? 'A Database Error Occurred' : 'An uncaught Exception was encountered') . '</h1>';
    if (ENVIRONMENT !== 'production') {
        echo '<p id="error-message">' . htmlspecialchars($msg, ENT_QUOTES) . '</p><pre>' . htmlspecialchars($e->getTraceAsString(), ENT_QUOTES) . '</pre>';
    }
    echo '</body></html>';
}

set_exception_handler('standin_exception_handler');
