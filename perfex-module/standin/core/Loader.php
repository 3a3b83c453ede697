<?php

defined('BASEPATH') or exit('No direct script access allowed');

/**
 * $CI->load: models, libraries, helpers, views, language and config, with the HMVC '<module>/<name>'
 * forms Perfex modules use (modules/<m>/models|libraries|helpers|views|language|config). A plain name is
 * looked up in the module currently being routed first, then in the stand-in itself.
 */
class CI_Loader
{
    /** Module of the controller being executed (MX behaviour), or null. */
    public ?string $current_module = null;
    private array $loadedHelpers = [];
    private array $cachedVars = [];

    private const CI_HELPERS = ['url', 'form', 'html', 'date', 'file', 'string', 'security', 'array', 'text', 'number',
        'download', 'cookie', 'directory', 'email', 'inflector', 'language', 'path', 'typography', 'xml', 'captcha', 'smiley'];

    private function split(string $name): array
    {
        $name = trim($name, '/');
        if (strpos($name, '/') !== false) {
            [$module, $rest] = explode('/', $name, 2);
            if (is_dir(APP_MODULES_PATH . $module)) {
                return [$module, $rest];
            }
        }
        return [null, $name];
    }

    /** @return string[] candidate directories for a resource kind ('models', 'libraries', ...) */
    private function dirs(?string $module, string $kind): array
    {
        if ($module !== null) {
            return [APP_MODULES_PATH . "$module/$kind/"];
        }
        $dirs = [];
        if ($this->current_module !== null) {
            $dirs[] = APP_MODULES_PATH . $this->current_module . "/$kind/";
        }
        $dirs[] = APPPATH . "$kind/";
        return $dirs;
    }

    public function model($model, $name = '', $db_conn = false)
    {
        if (is_array($model)) {
            foreach ($model as $k => $m) {
                is_int($k) ? $this->model($m) : $this->model($k, $m);
            }
            return $this;
        }
        [$module, $path] = $this->split((string) $model);
        $class = ucfirst(basename($path));
        $prop = $name !== '' ? $name : strtolower(basename($path));
        $CI = &get_instance();
        if (isset($CI->$prop) && $CI->$prop instanceof CI_Model) {
            return $this;
        }
        if (!class_exists($class, false)) {
            $sub = dirname($path) === '.' ? '' : dirname($path) . '/';
            $file = $this->find($module, 'models', $sub . $class . '.php');
            if ($file === null) {
                throw new RuntimeException("Unable to locate the model you have specified: $class");
            }
            require_once $file;
        }
        $CI->$prop = new $class();
        return $this;
    }

    public function library($library, $params = null, $object_name = null)
    {
        if (is_array($library)) {
            foreach ($library as $k => $l) {
                is_int($k) ? $this->library($l, $params) : $this->library($k, $params, $l);
            }
            return $this;
        }
        [$module, $path] = $this->split((string) $library);
        $class = ucfirst(basename($path));
        $prop = $object_name ?: strtolower(basename($path));
        $CI = &get_instance();
        if (isset($CI->$prop) && is_object($CI->$prop)) {
            return $this;
        }
        $core = ['session' => 'CI_Session', 'encryption' => 'CI_Encryption', 'security' => 'CI_Security'];
        if ($module === null && isset($core[strtolower($class)])) {
            $CI->$prop = standin_core(strtolower($class));
            return $this;
        }
        if (!class_exists($class, false)) {
            $sub = dirname($path) === '.' ? '' : dirname($path) . '/';
            $file = $this->find($module, 'libraries', $sub . $class . '.php');
            if ($file === null) {
                throw new RuntimeException("Unable to load the requested class: $class");
            }
            require_once $file;
        }
        $CI->$prop = $params === null ? new $class() : new $class($params);
        return $this;
    }

    public function helper($helpers = [])
    {
        foreach ((array) $helpers as $helper) {
            [$module, $name] = $this->split((string) $helper);
            $name = preg_replace('/(_helper)?(\.php)?$/', '', $name);
            $file = $this->find($module, 'helpers', $name . '_helper.php');
            if ($file !== null) {
                if (!isset($this->loadedHelpers[$file])) {
                    $this->loadedHelpers[$file] = true;
                    require_once $file;
                }
                continue;
            }
            if ($module === null && in_array($name, self::CI_HELPERS, true)) {
                continue; // the CI helpers the stand-in needs are always loaded
            }
            throw new RuntimeException("Unable to load the requested file: helpers/{$name}_helper.php");
        }
        return $this;
    }

    public function helpers($helpers = [])
    {
        return $this->helper($helpers);
    }

    public function view($view, $vars = [], $return = false)
    {
        [$module, $path] = $this->split((string) $view);
        $path = preg_replace('/\.php$/', '', $path) . '.php';
        $file = $this->find($module, 'views', $path);
        if ($file === null) {
            throw new RuntimeException("Unable to load the requested file: $path");
        }
        $this->cachedVars = array_merge($this->cachedVars, is_object($vars) ? get_object_vars($vars) : (array) $vars);
        $out = standin_render_file($file, $this->cachedVars);
        if ($return) {
            return $out;
        }
        echo $out;
        return $this;
    }

    public function vars($vars, $val = '')
    {
        $this->cachedVars = array_merge($this->cachedVars, is_array($vars) ? $vars : [$vars => $val]);
        return $this;
    }

    public function get_var($key)
    {
        return $this->cachedVars[$key] ?? null;
    }

    public function language($files, $lang = '')
    {
        get_instance()->lang->load($files, $lang);
        return $this;
    }

    public function config($file, $use_sections = false, $fail_gracefully = false)
    {
        return get_instance()->config->load($file, $use_sections, $fail_gracefully);
    }

    public function database($params = '', $return = false, $query_builder = null)
    {
        return $return ? standin_core('db') : $this;
    }

    public function is_loaded($class)
    {
        $prop = strtolower($class);
        return isset(get_instance()->$prop) ? $prop : false;
    }

    private function find(?string $module, string $kind, string $rel): ?string
    {
        foreach ($this->dirs($module, $kind) as $dir) {
            foreach ([$rel, strtolower($rel), ucfirst($rel)] as $candidate) {
                if (is_file($dir . $candidate)) {
                    return $dir . $candidate;
                }
            }
        }
        return null;
    }
}

/** Includes a PHP template with $vars extracted; returns the output. */
function standin_render_file(string $__file, array $__vars): string
{
    extract($__vars, EXTR_SKIP);
    ob_start();
    try {
        include $__file;
    } catch (Throwable $e) {
        ob_end_clean();
        throw $e;
    }
    return (string) ob_get_clean();
}
