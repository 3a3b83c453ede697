<?php

defined('BASEPATH') or exit('No direct script access allowed');

/** $CI->input: CI3's CI_Input surface (no XSS filtering; $xss_clean is accepted and ignored). */
class CI_Input
{
    private ?string $rawInput = null;
    private ?array $headers = null;

    public function __get($name)
    {
        if ($name === 'raw_input_stream') {
            return $this->rawInput ??= (string) file_get_contents('php://input');
        }
        return null;
    }

    private static function fetch(array $source, $index)
    {
        if ($index === null) {
            return $source;
        }
        if (is_array($index)) {
            $out = [];
            foreach ($index as $k) {
                $out[$k] = $source[$k] ?? null;
            }
            return $out;
        }
        if (array_key_exists($index, $source)) {
            return $source[$index];
        }
        // CI3 also resolves "a[b]" array notation.
        if (preg_match_all('/(?:^[^\[]+)|\[[^]]*\]/', (string) $index, $m) && count($m[0]) > 1) {
            $value = $source;
            foreach ($m[0] as $key) {
                $key = trim($key, '[]');
                if ($key === '' || !is_array($value) || !array_key_exists($key, $value)) {
                    return null;
                }
                $value = $value[$key];
            }
            return $value;
        }
        return null;
    }

    public function post($index = null, $xss_clean = false) { return self::fetch($_POST, $index); }
    public function get($index = null, $xss_clean = false)  { return self::fetch($_GET, $index); }
    public function cookie($index = null, $xss_clean = false) { return self::fetch($_COOKIE, $index); }
    public function server($index, $xss_clean = false)      { return self::fetch($_SERVER, $index); }

    public function post_get($index, $xss_clean = false)
    {
        return isset($_POST[$index]) ? $this->post($index) : $this->get($index);
    }

    public function get_post($index, $xss_clean = false)
    {
        return isset($_GET[$index]) ? $this->get($index) : $this->post($index);
    }

    public function input_stream($index = null, $xss_clean = false)
    {
        parse_str($this->raw_input_stream, $data);
        return self::fetch($data, $index);
    }

    public function ip_address()
    {
        $ip = $_SERVER['REMOTE_ADDR'] ?? '0.0.0.0';
        return filter_var($ip, FILTER_VALIDATE_IP) ? $ip : '0.0.0.0';
    }

    public function valid_ip($ip, $which = '')
    {
        return (bool) filter_var($ip, FILTER_VALIDATE_IP);
    }

    public function user_agent($xss_clean = false)
    {
        return $_SERVER['HTTP_USER_AGENT'] ?? null;
    }

    public function method($upper = false)
    {
        $m = $_SERVER['REQUEST_METHOD'] ?? 'GET';
        return $upper ? strtoupper($m) : strtolower($m);
    }

    public function is_ajax_request()
    {
        return strtolower($_SERVER['HTTP_X_REQUESTED_WITH'] ?? '') === 'xmlhttprequest';
    }

    public function is_cli_request()
    {
        return PHP_SAPI === 'cli';
    }

    public function request_headers($xss_clean = false)
    {
        if ($this->headers === null) {
            $this->headers = [];
            foreach ($_SERVER as $k => $v) {
                if (strncmp($k, 'HTTP_', 5) === 0) {
                    $name = str_replace(' ', '-', ucwords(strtolower(str_replace('_', ' ', substr($k, 5)))));
                    $this->headers[$name] = $v;
                } elseif ($k === 'CONTENT_TYPE' || $k === 'CONTENT_LENGTH') {
                    $this->headers[str_replace('_', '-', ucwords(strtolower($k), '_'))] = $v;
                }
            }
        }
        return $this->headers;
    }

    public function get_request_header($index, $xss_clean = false)
    {
        foreach ($this->request_headers() as $k => $v) {
            if (strcasecmp($k, $index) === 0) {
                return $v;
            }
        }
        return null;
    }
}
