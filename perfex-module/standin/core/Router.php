<?php

defined('BASEPATH') or exit('No direct script access allowed');

/**
 * Perfex's routes, as far as a payment module sees them:
 *   ''                          -> controllers/Home.php
 *   invoice/<id>/<hash>         -> controllers/Invoice.php::index($id, $hash)   (customer invoice page)
 *   cron[/index[/<key>]]        -> controllers/Cron.php (Perfex's cron URL)
 *   admin[/<c>[/<method>/...]]  -> controllers/admin/<C>.php, or an active module's controllers
 *   <m>/<c>/<method>/<args…>    -> modules/<m>/controllers/<C>.php (also <m>/<dir>/<c>/…, and
 *                                  <m>/<method> when controllers/<M>.php exists). Like Perfex, an INACTIVE
 *                                  module's controllers are routed too; only its init file
 *                                  is not loaded.
 */
class Standin_router
{
    public ?string $module = null;
    public string $class = '';
    public string $method = 'index';
    public array $args = [];
    private string $file = '';

    /** @return bool false when nothing matches (404) */
    public function resolve(array $seg): bool
    {
        $seg = array_values($seg);
        if ($seg === []) {
            return $this->core('', 'Home', []);
        }
        if ($seg[0] === 'cron') {
            return $this->core('', 'Cron', array_slice($seg, 1));
        }
        if ($seg[0] === 'invoice') {
            return $this->core('', 'Invoice', array_merge(['index'], array_slice($seg, 1)));
        }
        if ($seg[0] === ADMIN_URI) {
            $rest = array_slice($seg, 1);
            if ($rest === []) {
                return $this->core('admin/', 'Dashboard', []);
            }
            if (is_file(APPPATH . 'controllers/admin/' . ucfirst($rest[0]) . '.php')) {
                return $this->core('admin/', ucfirst($rest[0]), array_slice($rest, 1));
            }
            return $this->module($rest);
        }
        return $this->module($seg);
    }

    private function core(string $dir, string $class, array $rest): bool
    {
        $this->file = APPPATH . 'controllers/' . $dir . $class . '.php';
        $this->class = $class;
        $this->method = $rest[0] ?? 'index';
        $this->args = array_slice($rest, 1);
        return is_file($this->file);
    }

    private function module(array $seg): bool
    {
        $m = $seg[0];
        if (!preg_match('/^[A-Za-z0-9_]+$/', $m) || !in_array($m, standin_core('modules')->get_valid_modules(), true)) {
            return false;
        }
        $base = APP_MODULES_PATH . $m . '/controllers/';
        $rest = array_slice($seg, 1);
        $candidates = [];
        if (isset($rest[0])) {
            $candidates[] = [$base . ucfirst($rest[0]) . '.php', ucfirst($rest[0]), array_slice($rest, 1)];
            if (isset($rest[1]) && is_dir($base . $rest[0])) {
                $candidates[] = [$base . $rest[0] . '/' . ucfirst($rest[1]) . '.php', ucfirst($rest[1]), array_slice($rest, 2)];
            }
        }
        $candidates[] = [$base . ucfirst($m) . '.php', ucfirst($m), $rest];
        foreach ($candidates as [$file, $class, $r]) {
            if (preg_match('/^[A-Za-z0-9_]+$/', $class) && is_file($file)) {
                $this->module = $m;
                $this->file = $file;
                $this->class = $class;
                $this->method = $r[0] ?? 'index';
                $this->args = array_slice($r, 1);
                return true;
            }
        }
        return false;
    }

    /** Creates the controller (which loads active modules) and calls the method; 404 when not callable. */
    public function dispatch(): void
    {
        require_once $this->file;
        if (!class_exists($this->class, false)) {
            show_404();
        }
        standin_core('load')->current_module = $this->module;
        $class = $this->class;
        $controller = new $class();
        if (method_exists($controller, '_remap')) {
            $controller->_remap($this->method, $this->args);
            return;
        }
        if ($this->method[0] === '_' || !method_exists($controller, $this->method)) {
            show_404();
        }
        $ref = new ReflectionMethod($controller, $this->method);
        if (!$ref->isPublic() || $ref->isStatic() || $ref->isConstructor()) {
            show_404();
        }
        if (count($this->args) < $ref->getNumberOfRequiredParameters()) {
            show_404();
        }
        $controller->{$this->method}(...$this->args);
    }
}
