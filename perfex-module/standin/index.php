<?php

/*
 * Front controller of the Perfex stand-in. The web root (built by scripts/stack under .stack/www) holds a
 * two-line index.php that defines FCPATH and includes this file, and modules/ with the installed modules.
 */

define('BASEPATH', __DIR__ . '/core/');
defined('FCPATH') or define('FCPATH', rtrim(dirname($_SERVER['SCRIPT_FILENAME'] ?? __FILE__), '/') . '/');
define('APP_MODULES_PATH', FCPATH . 'modules/');

require __DIR__ . '/core/bootstrap.php';

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
