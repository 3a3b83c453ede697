<?php

defined('BASEPATH') or exit('No direct script access allowed');

/**
 * $CI->input: CI3's CI_Input surface. Like Perfex's config (global_xss_filtering on),
 * post()/get() values go through $CI->security->xss_clean() unless $xss_clean === false is passed.
 *
 * Like CodeIgniter 3.1's CI_Input constructor (_sanitize_globals), created before CSRF and routing, it
 * cleans $_GET, $_POST and $_COOKIE keys with _clean_input_keys() (`/^[a-z0-9:_\/|-]+$/i`). In CI 3.1 that
 * method is called with its default $fatal = TRUE, which RETURNS FALSE for an offending key; its
 * "Disallowed Key Characters." + 503 + exit branch is dead code (bcit-ci/CodeIgniter#4101, #4202, #4784):
 *  - top level ($_GET/$_POST): the value is copied to key 0 (FALSE as an array key) and the offending key
 *    itself stays (assignment in place, nothing is unset);
 *  - nested arrays (`a[b c]=…`): rebuilt by _clean_input_data(), so an offending nested key is replaced by
 *    0 (later ones overwrite earlier ones);
 *  - cookies: an offending key is unset.
 * Values: invalid UTF-8 is cleaned (UTF8_ENABLED) and control characters except \t \n \r are removed
 * (remove_invisible_characters($str, FALSE)); newlines are not standardized (CI 3.1 default).
 * The raw body (php://input, raw_input_stream) is never touched: that is what webhook code must read.
 */
class CI_Input
{
    private ?string $rawInput = null;
    private ?array $headers = null;

    public function __construct()
    {
        foreach ($_GET as $key => $value) {
            $_GET[self::clean_key($key)] = self::clean_data($value);
        }
        foreach ($_POST as $key => $value) {
            $_POST[self::clean_key($key)] = self::clean_data($value);
        }
        unset($_COOKIE['$Version'], $_COOKIE['$Path'], $_COOKIE['$Domain']);
        foreach ($_COOKIE as $key => $value) {
            $clean = self::clean_key($key);
            if ($clean !== false) {
                $_COOKIE[$clean] = self::clean_data($value);
            } else {
                unset($_COOKIE[$key]);
            }
        }
        if (isset($_SERVER['PHP_SELF'])) {
            $_SERVER['PHP_SELF'] = strip_tags((string) $_SERVER['PHP_SELF']);
        }
    }

    /** CI 3.1 _clean_input_keys($str) with $fatal = TRUE: the key, or FALSE when it has other characters. */
    private static function clean_key($key)
    {
        $key = (string) $key;
        if (!preg_match('/^[a-z0-9:_\/|-]+$/i', $key)) {
            return false;
        }
        return $key; // only ASCII passes the pattern: UTF-8 cleaning is a no-op here
    }

    /** CI 3.1 _clean_input_data(). */
    private static function clean_data($value)
    {
        if (is_array($value)) {
            $out = [];
            foreach (array_keys($value) as $key) {
                $out[self::clean_key($key)] = self::clean_data($value[$key]);
            }
            return $out;
        }
        $value = (string) $value;
        if (preg_match('/[^\x00-\x7F]/', $value) && function_exists('mb_convert_encoding')) {
            $value = mb_convert_encoding($value, 'UTF-8', 'UTF-8');
        }
        return (string) preg_replace('/[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]+/S', '', $value);
    }

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

    public function post($index = null, $xss_clean = null) { return self::xss(self::fetch($_POST, $index), $xss_clean); }
    public function get($index = null, $xss_clean = null)  { return self::xss(self::fetch($_GET, $index), $xss_clean); }

    /** CI3 _fetch_from_array(): $xss_clean NULL means the global setting (on in Perfex). */
    private static function xss($value, $xss_clean)
    {
        return ($xss_clean ?? true) && $value !== null ? standin_core('security')->xss_clean($value) : $value;
    }
    public function cookie($index = null, $xss_clean = false) { return self::fetch($_COOKIE, $index); }
    public function server($index, $xss_clean = false)      { return self::fetch($_SERVER, $index); }

    public function post_get($index, $xss_clean = null)
    {
        return isset($_POST[$index]) ? $this->post($index, $xss_clean) : $this->get($index, $xss_clean);
    }

    public function get_post($index, $xss_clean = null)
    {
        return isset($_GET[$index]) ? $this->get($index, $xss_clean) : $this->post($index, $xss_clean);
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
