<?php

defined('BASEPATH') or exit('No direct script access allowed');

/** $CI->config: item()/set_item() and module config files (modules/<m>/config/<file>.php filling $config). */
class CI_Config
{
    public array $config = [];

    public function __construct()
    {
        $this->config = [
            'base_url'          => '',
            'index_page'        => '',
            'language'          => 'english',
            'charset'           => 'UTF-8',
            'csrf_protection'   => APP_CSRF_PROTECTION,
            'csrf_token_name'   => 'csrf_token_name',
            'csrf_cookie_name'  => 'csrf_cookie_name',
            'csrf_exclude_uris' => [],
            'sess_cookie_name'  => APP_SESSION_COOKIE_NAME,
        ];
    }

    public function item($item, $index = '')
    {
        if ($index === '') {
            return $this->config[$item] ?? null;
        }
        return $this->config[$index][$item] ?? null;
    }

    public function set_item($item, $value): void
    {
        $this->config[$item] = $value;
    }

    public function load($file = '', $use_sections = false, $fail_gracefully = false)
    {
        $file = preg_replace('/\.php$/', '', (string) $file);
        $paths = [];
        if (strpos($file, '/') !== false) {
            [$module, $name] = explode('/', $file, 2);
            $paths[] = APP_MODULES_PATH . "$module/config/$name.php";
        }
        $paths[] = APPPATH . "config/$file.php";
        foreach ($paths as $path) {
            if (is_file($path)) {
                $config = [];
                include $path;
                $this->config = $use_sections ? array_merge($this->config, [$file => $config]) : array_merge($this->config, $config);
                return true;
            }
        }
        if ($fail_gracefully) {
            return false;
        }
        throw new RuntimeException("The configuration file $file.php does not exist.");
    }

    public function site_url($uri = '')
    {
        return site_url($uri);
    }

    public function base_url($uri = '')
    {
        return base_url($uri);
    }
}
