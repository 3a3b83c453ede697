<?php

/*
 * Front controller of the Perfex stand-in. The web root (built by scripts/stack under .stack/www) holds a
 * two-line index.php that defines FCPATH and includes this file, and modules/ with the installed modules.
 */

define('BASEPATH', __DIR__ . '/core/');
defined('FCPATH') or define('FCPATH', rtrim(dirname($_SERVER['SCRIPT_FILENAME'] ?? __FILE__), '/') . '/');
define('APP_MODULES_PATH', FCPATH . 'modules/');

require __DIR__ . '/core/bootstrap.php';

// Stand-in only: the page is buffered so that its headers go out last and can carry the number of SQL
// queries the whole request sent (tests compare it with the module active and inactive).
ob_start();
header_register_callback(static function () {
    header('X-Standin-Queries: ' . standin_core('db')->query_count);
});

// Perfex autoloads the database, so a server that is down fails the request before any module code runs.
// Real Perfex (CI3's DB driver) answers that with a 500 "Unable to connect to your database server" page;
// the stand-in answers 503 + a short text. Both are non-2xx, so a provider delivering a webhook retries.
try {
    standin_core('db')->initialize();
} catch (mysqli_sql_exception $e) {
    error_log('standin: database unavailable (' . $e->getCode() . ')');
    http_response_code(503);
    header('Content-Type: application/json');
    header('Retry-After: 5');
    echo json_encode(['error' => 'database_unavailable']);
    exit;
}

// CI3 builds CI_Input (which sanitizes $_GET/$_POST/$_COOKIE keys) before CSRF and routing.
standin_core('input');
$uri = standin_core('uri');
$router = new Standin_router();

// pre_system: CSRF runs before any controller (so a module's exclusions must come from its config file).
if (APP_CSRF_PROTECTION) {
    standin_core('security')->csrf_verify($uri->uri_string());
}

if (!$router->resolve($uri->segments)) {
    show_404();
}
$router->dispatch();
