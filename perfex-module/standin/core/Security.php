<?php

defined('BASEPATH') or exit('No direct script access allowed');

/**
 * $CI->security: CSRF protection as Perfex configures CodeIgniter: on for every POST, the token kept in the
 * session and sent back in the `csrf_token_name` field (or an X-CSRF-TOKEN header for AJAX).
 * Exclusions are the anchored, case-insensitive regexes returned by each module folder's
 * config/csrf_exclude_uris.php, collected before any controller runs; a REQUEST_URI containing
 * "gateways/" is never checked. A failed check answers 403 with " 419 Page Expired!".
 */
class CI_Security
{
    private ?CI_Session $session = null;

    public function bind(CI_Session $session): void
    {
        $this->session = $session;
    }

    public function get_csrf_token_name(): string
    {
        return 'csrf_token_name';
    }

    public function get_csrf_hash(): string
    {
        $hash = $this->session->userdata('csrf_token_hash');
        if (!is_string($hash) || $hash === '') {
            $hash = bin2hex(random_bytes(16));
            $this->session->set_userdata('csrf_token_hash', $hash);
        }
        return $hash;
    }

    /** @return string[] regexes from every module folder (active or not), read from disk. */
    public static function collect_exclude_uris(): array
    {
        $uris = [];
        foreach (glob(APP_MODULES_PATH . '*/config/csrf_exclude_uris.php') ?: [] as $file) {
            $list = (static function ($__file) {
                return include $__file;
            })($file);
            if (is_array($list)) {
                foreach ($list as $re) {
                    $uris[] = (string) $re;
                }
            }
        }
        return $uris;
    }

    /** Runs before the controller is created; exits with 403 on failure. */
    public function csrf_verify(string $uriString): void
    {
        if (strtoupper($_SERVER['REQUEST_METHOD'] ?? 'GET') !== 'POST') {
            return;
        }
        if (stripos($_SERVER['REQUEST_URI'] ?? '', 'gateways/') !== false) {
            return;
        }
        foreach (self::collect_exclude_uris() as $re) {
            if (@preg_match('#^' . $re . '$#iu', $uriString)) {
                return;
            }
        }
        $sent = $_POST['csrf_token_name'] ?? ($_SERVER['HTTP_X_CSRF_TOKEN'] ?? null);
        $expected = $this->session->userdata('csrf_token_hash');
        if (!is_string($sent) || !is_string($expected) || $expected === '' || !hash_equals($expected, $sent)) {
            $this->csrf_show_error();
        }
        unset($_POST['csrf_token_name']);
    }

    public function csrf_show_error(): never
    {
        http_response_code(403);
        header('Content-Type: text/html; charset=UTF-8');
        echo '<!DOCTYPE html><html><head><title>419 Page Expired</title></head><body><h1> 419 Page Expired!</h1>'
            . '<p>The page has expired, please go back, reload it and try again.</p></body></html>';
        exit;
    }

    public function xss_clean($str, $is_image = false)
    {
        return $str;
    }
}
