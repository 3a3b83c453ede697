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

    /**
     * A subset of CodeIgniter 3.1's CI_Security::xss_clean(): every rule here is one CI3
     * applies, so a value this changes is changed by real Perfex too (global XSS filtering is on there):
     * invisible characters removed, %XX URL-decoded until none is left, tabs to spaces, the never-allowed
     * strings and patterns (javascript:, document.cookie, <!--, data:…base64, …) replaced, PHP tags and
     * naughty tags (<script, <iframe, …) escaped, and naughty calls like alert(…) get their parentheses
     * entity-encoded. Arrays are cleaned value by value.
     */
    public function xss_clean($str, $is_image = false)
    {
        if (is_array($str)) {
            foreach ($str as $k => $v) {
                $str[$k] = $this->xss_clean($v, $is_image);
            }
            return $str;
        }
        if (!is_string($str) || $str === '') {
            return $str;
        }
        $str = self::remove_invisible($str);
        if (strpos($str, '%') !== false) {
            do {
                $before = $str;
                $str = rawurldecode($str);
            } while ($before !== $str && preg_match('/%[0-9a-f]{2}/i', $str));
            $str = self::remove_invisible($str);
        }
        $str = str_replace("\t", ' ', $str);
        $str = self::never_allowed($str);
        $str = str_replace(['<?', '?' . '>'], ['&lt;?', '?&gt;'], $str);
        $str = preg_replace_callback(
            '#<(/*\s*)(alert|prompt|confirm|applet|audio|basefont|base|behavior|bgsound|blink|body|embed|expression|form|frameset|frame|head|html|ilayer|iframe|input|button|select|isindex|layer|link|meta|keygen|object|plaintext|style|script|textarea|title|math|video|svg|xml|xss)([^><]*)([><]*)#is',
            static function (array $m): string {
                return '&lt;' . $m[1] . $m[2] . $m[3] . str_replace(['>', '<'], ['&gt;', '&lt;'], $m[4]);
            },
            $str
        );
        $str = preg_replace(
            '#(alert|prompt|confirm|cmd|passthru|eval|exec|expression|system|fopen|fsockopen|file|file_get_contents|readfile|unlink)(\s*)\((.*?)\)#si',
            '\1\2&#40;\3&#41;',
            $str
        );

        return self::never_allowed($str);
    }

    private static function remove_invisible(string $str): string
    {
        do {
            $before = $str;
            $str = preg_replace(['/%0[0-8bcef]/i', '/%1[0-9a-f]/i', '/%7f/i', '/[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]+/S'], '', $str);
        } while ($before !== $str);

        return $str;
    }

    private static function never_allowed(string $str): string
    {
        $str = str_replace(
            ['document.cookie', '(document).cookie', 'document.write', '(document).write', '.parentNode', '.innerHTML',
                '-moz-binding', '<!--', '-->', '<![CDATA[', '<comment>', '<%'],
            ['[removed]', '[removed]', '[removed]', '[removed]', '[removed]', '[removed]',
                '[removed]', '&lt;!--', '--&gt;', '&lt;![CDATA[', '&lt;comment&gt;', '&lt;&#37;'],
            $str
        );
        foreach (['javascript\s*:', '(\(?document\)?|\(?window\)?(\.document)?)\.(location|on\w*)', 'expression\s*(\(|&\#40;)',
            'vbscript\s*:', 'wscript\s*:', 'jscript\s*:', 'vbs\s*:', 'Redirect\s+30\d', '([\"\'])?data\s*:[^\\1]*?base64[^\\1]*?,[^\\1]*?\\1?'] as $re) {
            $str = preg_replace('#' . $re . '#is', '[removed]', $str);
        }

        return $str;
    }
}
