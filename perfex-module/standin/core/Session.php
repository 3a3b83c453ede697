<?php

defined('BASEPATH') or exit('No direct script access allowed');

/**
 * $CI->session: CI3 session surface over native PHP sessions. The session is opened lazily (when a
 * cookie came with the request, or on the first write) so that cookie-less callers such as provider
 * webhooks never create session files nor wait on session locks. Flashdata lives for the next request.
 * Under the CLI the data is a plain in-memory array.
 */
class CI_Session
{
    private bool $started = false;
    private array $cli = [];

    public function __construct()
    {
        if (PHP_SAPI !== 'cli' && isset($_COOKIE[APP_SESSION_COOKIE_NAME])) {
            $this->start();
        }
    }

    private function start(): void
    {
        if ($this->started) {
            return;
        }
        $this->started = true;
        if (PHP_SAPI === 'cli') {
            return;
        }
        session_name(APP_SESSION_COOKIE_NAME);
        session_set_cookie_params(['lifetime' => 0, 'path' => '/', 'httponly' => true, 'samesite' => 'Lax']);
        $dir = STANDIN_STACK_DIR . '/tmp/sessions';
        if (is_dir($dir) || @mkdir($dir, 0700, true)) {
            session_save_path($dir);
        }
        session_start();
        // Age flashdata: 'new' marks become 'old'; 'old' ones are dropped.
        foreach ($_SESSION['__ci_vars'] ?? [] as $key => $mark) {
            if ($mark === 'new') {
                $_SESSION['__ci_vars'][$key] = 'old';
            } else {
                unset($_SESSION[$key], $_SESSION['__ci_vars'][$key]);
            }
        }
    }

    private function &data(): array
    {
        if (PHP_SAPI === 'cli') {
            return $this->cli;
        }
        $this->start();
        return $_SESSION;
    }

    private function readable(): bool
    {
        return PHP_SAPI === 'cli' || $this->started;
    }

    public function set_userdata($data, $value = null): void
    {
        $d = &$this->data();
        foreach (is_array($data) ? $data : [$data => $value] as $k => $v) {
            $d[$k] = $v;
        }
    }

    public function userdata($key = null)
    {
        if (!$this->readable()) {
            return $key === null ? [] : null;
        }
        $d = &$this->data();
        if ($key === null) {
            $out = $d;
            unset($out['__ci_vars']);
            return $out;
        }
        return $d[$key] ?? null;
    }

    public function has_userdata($key): bool
    {
        return $this->userdata($key) !== null;
    }

    public function unset_userdata($key): void
    {
        if (!$this->readable()) {
            return;
        }
        $d = &$this->data();
        foreach ((array) $key as $k) {
            unset($d[$k], $d['__ci_vars'][$k]);
        }
    }

    public function set_flashdata($data, $value = null): void
    {
        $d = &$this->data();
        foreach (is_array($data) ? $data : [$data => $value] as $k => $v) {
            $d[$k] = $v;
            $d['__ci_vars'][$k] = 'new';
        }
    }

    public function flashdata($key = null)
    {
        if (!$this->readable()) {
            return $key === null ? [] : null;
        }
        $d = &$this->data();
        if ($key !== null) {
            return isset($d['__ci_vars'][$key]) ? ($d[$key] ?? null) : null;
        }
        $out = [];
        foreach ($d['__ci_vars'] ?? [] as $k => $mark) {
            $out[$k] = $d[$k] ?? null;
        }
        return $out;
    }

    public function keep_flashdata($key): void
    {
        $d = &$this->data();
        foreach ((array) $key as $k) {
            if (isset($d['__ci_vars'][$k])) {
                $d['__ci_vars'][$k] = 'new';
            }
        }
    }

    public function sess_destroy(): void
    {
        if (PHP_SAPI === 'cli') {
            $this->cli = [];
            return;
        }
        $this->start();
        $_SESSION = [];
        session_destroy();
        setcookie(APP_SESSION_COOKIE_NAME, '', ['expires' => 1, 'path' => '/']);
    }

    public function sess_regenerate($destroy = false): void
    {
        if (PHP_SAPI !== 'cli') {
            $this->start();
            session_regenerate_id((bool) $destroy);
        }
    }

    public function __get($name)
    {
        return $name === 'userdata' ? $this->userdata() : $this->userdata($name);
    }

    public function __isset($name)
    {
        return $this->userdata($name) !== null;
    }
}
