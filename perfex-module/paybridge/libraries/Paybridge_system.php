<?php

defined('BASEPATH') or exit('No direct script access allowed');

/**
 * The "System" section: what the running PHP is, whether the paybridge extension is loaded
 * into it and, when it is not, exactly what to install on this server. Shown on the PayBridge admin page and
 * under each gateway's settings. Read-only: it inspects the running PHP and never changes anything.
 * The file name does not end in `_gateway.php`, so Perfex never takes it for a gateway (perfex.md "Gateways").
 */
final class Paybridge_system
{
    /** PHP versions for which scripts/release builds a .deb and a .tgz (README "What is built and tested"). */
    public const PREBUILT_PHP = ['8.2', '8.4'];

    /** PHP API numbers of the PHP versions, used only when phpinfo() is disabled on the server. */
    private const KNOWN_PHP_API = ['8.1' => '20210902', '8.2' => '20220829', '8.3' => '20230831', '8.4' => '20240924'];

    /** @var array<string, mixed>|null facts of this request: they cannot change while PHP runs */
    private static $facts = null;

    /**
     * Facts about the running PHP and the extension, observed once per request (the gateways' settings
     * block may be built for all three gateways on every request).
     * @return array<string, mixed>
     */
    public static function facts(): array
    {
        if (self::$facts !== null) {
            return self::$facts;
        }
        $minor    = PHP_MAJOR_VERSION . '.' . PHP_MINOR_VERSION;
        $loaded   = extension_loaded('paybridge') && class_exists('PayBridge\\Gateway');
        $info     = $loaded ? self::extensionInfo() : [];
        $extDir   = (string) ini_get('extension_dir');
        $expected = defined('PAYBRIDGE_EXTENSION_VERSION') ? PAYBRIDGE_EXTENSION_VERSION : '';
        $facts = [
            'php_version'       => PHP_VERSION,
            'php_minor'         => $minor,
            'php_api'           => self::phpApi($minor),
            'zts'               => (bool) PHP_ZTS,
            'debug'             => (bool) PHP_DEBUG,
            'sapi'              => PHP_SAPI,
            'arch'              => php_uname('m'),
            'os'                => PHP_OS_FAMILY,
            'ini_file'          => (string) php_ini_loaded_file(),
            'scan_dirs'         => self::scanDirs(),
            'extension_dir'     => $extDir,
            'loaded'            => $loaded,
            'ext_version'       => $loaded ? (string) (phpversion('paybridge') ?: '') : '',
            'ext_api'           => $info['built for PHP API'] ?? '',
            'ext_built_with'    => $info['built with PHP'] ?? '',
            'expected_version'  => $expected,
            // A paybridge.so that PHP did not load is usually one built for another PHP (another API, ZTS).
            'so_present'        => !$loaded && $extDir !== '' && is_file(rtrim($extDir, '/') . '/paybridge.so'),
        ];

        return self::$facts = self::derived($facts);
    }

    /**
     * Adds what follows from the observed facts: whether a prebuilt release fits (README "What is built and
     * tested"), its .deb / .tgz names (scripts/release naming) and the status shown.
     * @param array<string, mixed> $facts as facts() observes them
     * @return array<string, mixed>
     */
    public static function derived(array $facts): array
    {
        $minor    = (string) $facts['php_minor'];
        $loaded   = (bool) $facts['loaded'];
        $expected = (string) $facts['expected_version'];
        $facts['prebuilt'] = in_array($minor, self::PREBUILT_PHP, true) && !$facts['zts'] && !$facts['debug']
            && $facts['os'] === 'Linux' && $facts['arch'] === 'x86_64';
        $version = $expected !== '' ? $expected : '<version>';
        $facts['deb'] = 'php' . $minor . '-paybridge_' . $version . '_amd64.deb';
        $facts['tgz'] = 'php_paybridge-' . $version . '_php' . $minor . '-x86_64-linux-glibc-nts.tgz';
        $facts['status'] = !$loaded ? 'missing'
            : (($facts['ext_api'] !== '' && $facts['ext_api'] !== $facts['php_api']) ? 'other_php'
            : (($expected !== '' && $facts['ext_version'] !== $expected) ? 'other_version' : 'ok'));

        return $facts;
    }

    /** The running PHP's API number as phpinfo() reports it ("PHP API"), the extension's .so must match it. */
    private static function phpApi(string $minor): string
    {
        $text = self::captured(static function () {
            phpinfo(INFO_GENERAL);
        });
        if (preg_match('/PHP API\s*(?:=>)?\s*(\d{8})/', $text, $m)) {
            return $m[1];
        }

        return self::KNOWN_PHP_API[$minor] ?? '';
    }

    /** The rows of `php --ri paybridge` (the extension's info function, src/php/mod.rs module_info). */
    private static function extensionInfo(): array
    {
        $text = self::captured(static function () {
            (new ReflectionExtension('paybridge'))->info();
        });
        $out = [];
        foreach (['built for PHP API', 'built with PHP', 'version'] as $row) {
            if (preg_match('/' . preg_quote($row, '/') . '\s*(?:=>)?\s*([0-9][0-9A-Za-z.\-]*)/', $text, $m)) {
                $out[$row] = $m[1];
            }
        }

        return $out;
    }

    /** Output of $print as plain text (phpinfo prints HTML under php-fpm, "key => value" lines on the CLI). */
    private static function captured(callable $print): string
    {
        if (!function_exists('phpinfo')) {
            return ''; // disable_functions
        }
        ob_start();
        try {
            $print();
        } catch (Throwable $e) {
            // Nothing printed is nothing known.
        } finally {
            $raw = (string) ob_get_clean();
        }

        return html_entity_decode(strip_tags(str_replace('</td>', ' </td>', $raw)), ENT_QUOTES, 'UTF-8');
    }

    /**
     * Directories whose *.ini files this PHP read at startup: those of php_ini_scanned_files(), else the
     * compiled-in scan dir (PHP_CONFIG_FILE_SCAN_DIR; PHP_INI_SCAN_DIR overrides it at start).
     * @return string[]
     */
    private static function scanDirs(): array
    {
        $dirs = [];
        foreach (explode(',', (string) php_ini_scanned_files()) as $file) {
            $file = trim($file);
            if ($file !== '') {
                $dirs[dirname($file)] = true;
            }
        }
        if (!$dirs && defined('PHP_CONFIG_FILE_SCAN_DIR') && PHP_CONFIG_FILE_SCAN_DIR !== '') {
            $dirs[PHP_CONFIG_FILE_SCAN_DIR] = true;
        }

        return array_keys($dirs);
    }

    /** The command that restarts this PHP (php-fpm on Debian/Ubuntu is php<X.Y>-fpm). */
    private static function restartCommand(array $f): string
    {
        if ($f['sapi'] === 'apache2handler') {
            return 'systemctl restart apache2';
        }

        return 'systemctl restart php' . $f['php_minor'] . '-fpm';
    }

    /** The section as HTML; every string through _l(), every value escaped. */
    public static function html(?array $f = null): string
    {
        $f = $f ?? self::facts();
        $h = static function ($s) {
            return htmlspecialchars((string) $s, ENT_QUOTES, 'UTF-8');
        };
        $yes = _l('paybridge_system_yes');
        $no  = _l('paybridge_system_no');
        $rows = [
            ['php_version', $f['php_version'] . ' (' . $f['sapi'] . ')'],
            ['php_api', $f['php_api']],
            ['thread_safety', $f['zts'] ? 'ZTS' : 'NTS'],
            ['extension_loaded', $f['loaded'] ? $yes : $no],
            ['extension_version', $f['loaded'] ? $f['ext_version'] : '-'],
            ['extension_api', $f['loaded'] ? $f['ext_api'] : '-'],
            ['extension_dir', $f['extension_dir']],
            ['scan_dir', implode(', ', $f['scan_dirs'])],
            ['ini_file', $f['ini_file'] !== '' ? $f['ini_file'] : '-'],
        ];
        $out = '<div class="paybridge-system" data-status="' . $h($f['status']) . '">'
            . '<h4>' . $h(_l('paybridge_system_title')) . '</h4><table class="table paybridge-system-facts">';
        foreach ($rows as [$key, $value]) {
            $out .= '<tr data-fact="' . $h($key) . '"><th>' . $h(_l('paybridge_system_' . $key)) . '</th><td>' . $h($value) . '</td></tr>';
        }
        $out .= '</table>';

        if ($f['status'] === 'ok') {
            return $out . '<p class="text-success paybridge-system-ok">' . $h(_l('paybridge_system_ok')) . '</p></div>';
        }
        if ($f['status'] === 'other_version') {
            return $out . '<div class="alert alert-warning paybridge-system-advice">'
                . $h(_l('paybridge_system_other_version', [$f['ext_version'], $f['expected_version']])) . '</div></div>';
        }

        // Missing, or (in theory: PHP refuses such a .so at start) loaded but built for another PHP API.
        $steps = [];
        if ($f['status'] === 'other_php') {
            $steps[] = $h(_l('paybridge_system_other_php', [$f['ext_api'], $f['php_api']]));
        } elseif ($f['so_present']) {
            $steps[] = $h(_l('paybridge_system_so_not_loaded', [$f['php_api'], $f['zts'] ? 'ZTS' : 'NTS']));
        }
        if ($f['prebuilt']) {
            $steps[] = $h(_l('paybridge_system_install_deb')) . '<br><code class="paybridge-deb">' . $h($f['deb']) . '</code>'
                . '<br><code>apt install ./' . $h($f['deb']) . '</code>';
            $steps[] = $h(_l('paybridge_system_install_tgz')) . '<br><code class="paybridge-tgz">' . $h($f['tgz']) . '</code>'
                . '<br>' . $h(_l('paybridge_system_copy_so')) . ' <code class="paybridge-extension-dir">' . $h($f['extension_dir']) . '</code>'
                . '<br>' . $h(_l('paybridge_system_add_ini')) . ' <code class="paybridge-scan-dir">' . $h(implode(', ', $f['scan_dirs'])) . '</code>';
        } else {
            $steps[] = $h(_l('paybridge_system_build_from_source', [$f['php_version'], $f['zts'] ? 'ZTS' : 'NTS', $f['arch']]))
                . '<br>' . $h(_l('paybridge_system_copy_so')) . ' <code class="paybridge-extension-dir">' . $h($f['extension_dir']) . '</code>'
                . '<br>' . $h(_l('paybridge_system_add_ini')) . ' <code class="paybridge-scan-dir">' . $h(implode(', ', $f['scan_dirs'])) . '</code>';
        }
        $steps[] = $h(_l('paybridge_system_restart')) . '<br><code class="paybridge-restart">' . $h(self::restartCommand($f)) . '</code>';
        $steps[] = $h(_l('paybridge_system_check'));

        $out .= '<div class="alert alert-danger paybridge-system-advice"><p>' . $h(_l('paybridge_system_missing')) . '</p><ol>';
        foreach ($steps as $step) {
            $out .= '<li>' . $step . '</li>';
        }

        return $out . '</ol></div></div>';
    }
}
