<?php

defined('BASEPATH') or exit('No direct script access allowed');

/**
 * Module registry (Perfex's App_modules): folders under APP_MODULES_PATH with an init file
 * <m>/<m>.php, activation state in tblmodules(module_name, installed_version, active).
 */
class App_modules
{
    private const HEADERS = [
        'name' => 'Module Name', 'uri' => 'Module URI', 'version' => 'Version', 'description' => 'Description',
        'author' => 'Author', 'author_uri' => 'Author URI', 'requires_at_least' => 'Requires at least',
    ];

    /** @var array<string, bool> init files already included in this request */
    private array $included = [];
    private ?array $rows = null;

    public function get_valid_modules(): array
    {
        $out = [];
        foreach (glob(APP_MODULES_PATH . '*', GLOB_ONLYDIR) ?: [] as $dir) {
            $name = basename($dir);
            if (is_file("$dir/$name.php")) {
                $out[] = $name;
            }
        }
        sort($out);
        return $out;
    }

    public function get_headers(string $module): array
    {
        $file = APP_MODULES_PATH . "$module/$module.php";
        $chunk = is_file($file) ? (string) file_get_contents($file, false, null, 0, 8192) : '';
        $headers = [];
        foreach (self::HEADERS as $key => $label) {
            $headers[$key] = preg_match('/^[ \t\/*#@]*' . preg_quote($label, '/') . ':(.*)$/mi', $chunk, $m) ? trim($m[1]) : '';
        }
        return $headers;
    }

    private function rows(bool $fresh = false): array
    {
        if ($this->rows === null || $fresh) {
            $this->rows = [];
            foreach (standin_core('db')->get(db_prefix() . 'modules')->result_array() as $r) {
                $this->rows[$r['module_name']] = $r;
            }
        }
        return $this->rows;
    }

    /** Every module folder with headers, activation state and installed version. */
    public function get(?string $name = null)
    {
        $rows = $this->rows(true);
        $all = [];
        foreach ($this->get_valid_modules() as $m) {
            $all[$m] = [
                'system_name'       => $m,
                'headers'           => $this->get_headers($m),
                'activated'         => (int) (($rows[$m]['active'] ?? 0) == 1),
                'installed_version' => $rows[$m]['installed_version'] ?? null,
                'path'              => APP_MODULES_PATH . $m . '/',
            ];
        }
        return $name === null ? array_values($all) : ($all[$name] ?? null);
    }

    public function is_active(string $name): bool
    {
        $rows = $this->rows();
        return isset($rows[$name]) && (int) $rows[$name]['active'] === 1 && is_file(APP_MODULES_PATH . "$name/$name.php");
    }

    public function get_activated(): array
    {
        return array_values(array_filter($this->get_valid_modules(), fn ($m) => $this->is_active($m)));
    }

    /** Includes the init file of every active module (once per request). */
    public function load_active(): void
    {
        foreach ($this->get_activated() as $m) {
            $this->include_init($m);
        }
    }

    public function include_init(string $name): void
    {
        if (isset($this->included[$name])) {
            return;
        }
        $this->included[$name] = true;
        $file = APP_MODULES_PATH . "$name/$name.php";
        (static function ($__file) {
            include_once $__file;
        })($file);
    }

    /** Include init file, run "activate_<m>_module", then mark active with the header version. */
    public function activate(string $name): bool
    {
        if (!in_array($name, $this->get_valid_modules(), true)) {
            return false;
        }
        hooks()->do_action('pre_activate_module', $name);
        $this->include_init($name);
        hooks()->do_action("activate_{$name}_module");
        $db = standin_core('db');
        $version = $this->get_headers($name)['version'];
        if (total_rows(db_prefix() . 'modules', ['module_name' => $name]) > 0) {
            $db->where('module_name', $name)->update(db_prefix() . 'modules', ['active' => 1, 'installed_version' => $version]);
        } else {
            $db->insert(db_prefix() . 'modules', ['module_name' => $name, 'installed_version' => $version, 'active' => 1]);
        }
        $this->rows(true);
        hooks()->do_action('module_activated', $name);
        return true;
    }

    public function deactivate(string $name): bool
    {
        if (!$this->is_active($name)) {
            return false;
        }
        hooks()->do_action('pre_deactivate_module', $name);
        $this->include_init($name);
        hooks()->do_action("deactivate_{$name}_module");
        standin_core('db')->where('module_name', $name)->update(db_prefix() . 'modules', ['active' => 0]);
        $this->rows(true);
        hooks()->do_action('module_deactivated', $name);
        return true;
    }

    /** uninstall.php when the module ships one, otherwise the "uninstall_<m>_module" action. Keeps the folder. */
    public function uninstall(string $name): bool
    {
        if (!in_array($name, $this->get_valid_modules(), true)) {
            return false;
        }
        if ($this->is_active($name)) {
            $this->deactivate($name);
        }
        $this->include_init($name);
        $uninstall = APP_MODULES_PATH . "$name/uninstall.php";
        if (is_file($uninstall)) {
            (static function ($__file) {
                $CI = &get_instance();
                include $__file;
            })($uninstall);
        } else {
            hooks()->do_action("uninstall_{$name}_module");
        }
        standin_core('db')->where('module_name', $name)->delete(db_prefix() . 'modules');
        $this->rows(true);
        return true;
    }

    /**
     * Extracts an uploaded module zip into APP_MODULES_PATH (Setup → Modules → Upload). The archive must
     * hold one top-level folder <m> containing <m>/<m>.php; entries escaping that folder are refused.
     * A module folder that is a symlink (the source tree linked by scripts/stack) is replaced by the
     * extracted copy; the link target itself is never written.
     * @return string the module's system name
     */
    public function upload_zip(string $zipPath): string
    {
        if (!class_exists('ZipArchive')) {
            throw new RuntimeException('The zip PHP extension is missing (apt-get install php8.2-zip).');
        }
        $zip = new ZipArchive();
        if ($zip->open($zipPath) !== true) {
            throw new RuntimeException('Not a valid zip archive.');
        }
        $top = null;
        for ($i = 0; $i < $zip->numFiles; $i++) {
            $entry = (string) $zip->getNameIndex($i);
            if ($entry === '' || $entry[0] === '/' || str_contains($entry, '\\') || preg_match('#(^|/)\.\.(/|$)#', $entry)) {
                $zip->close();
                throw new RuntimeException('Unsafe path in archive: ' . $entry);
            }
            $first = explode('/', $entry)[0];
            if (strpos($entry, '/') === false) {
                $zip->close();
                throw new RuntimeException('The archive must contain one module folder at its top level.');
            }
            if ($top !== null && $first !== $top) {
                $zip->close();
                throw new RuntimeException('The archive must contain exactly one module folder.');
            }
            $top = $first;
        }
        if ($top === null || !preg_match('/^[A-Za-z0-9_]+$/', $top) || $zip->locateName("$top/$top.php") === false) {
            $zip->close();
            throw new RuntimeException('No module init file (<module>/<module>.php) found in the archive.');
        }
        $target = APP_MODULES_PATH . $top;
        if (is_link($target)) {
            unlink($target);
        }
        if (!is_dir(APP_MODULES_PATH)) {
            mkdir(APP_MODULES_PATH, 0755, true);
        }
        if (!$zip->extractTo(APP_MODULES_PATH)) {
            $zip->close();
            throw new RuntimeException('Could not extract the archive.');
        }
        $zip->close();
        if (function_exists('opcache_reset')) {
            opcache_reset();
        }
        return $top;
    }
}
