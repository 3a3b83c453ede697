<?php

/*
 * Command line of the stand-in. Runs with the same bootstrap as a web request (active modules loaded,
 * so gateways are registered). DB and paths come from the environment or <repo>/.stack/env.
 *
 *   php cli.php install                                   schema + seed (idempotent)
 *   php cli.php activate <module> | deactivate <module> | uninstall <module>
 *   php cli.php install-zip <path.zip>                    unzip into modules/ and activate
 *   php cli.php link-module <dir> [name]                  symlink a module folder into modules/ (no activation)
 *   php cli.php modules                                   JSON list of modules
 *   php cli.php create-invoice [--currency EUR] [--total 120.00] [--allowed neropay,1] [--status 1] [--duedate Y-m-d]
 *   php cli.php invoice <id>                              JSON: status, total, left to pay, payments
 *   php cli.php set-option <name> <value> | get-option <name>
 *   php cli.php ensure-invoices --count 3 [--currency EUR] [--total 120.00] [--allowed neropay,1]
 *                                                         creates unpaid invoices until that many exist
 *   php cli.php configure-gateway <id> [--lenient] key=value...   encrypts the gateway's `encrypted` settings;
 *                                                         --lenient skips keys the gateway does not declare
 *   php cli.php gateway-settings <id>                     JSON of the settings (encrypted ones masked)
 *   php cli.php cron                                      Cron_model::run(true) (Perfex's "Run Cron Manually")
 *   php cli.php create-staff --email E --password P [--admin 0|1] [--permission payments:view ...]
 *                                                         a staff login; its tblstaff_permissions rows are replaced
 */

if (PHP_SAPI !== 'cli') {
    exit('CLI only');
}

define('BASEPATH', __DIR__ . '/core/');
require __DIR__ . '/core/bootstrap.php';
require_once __DIR__ . '/install/Installer.php';

class Standin_cli_controller extends App_Controller
{
}

function cli_out($data): void
{
    echo is_string($data) ? $data . "\n" : json_encode($data, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE) . "\n";
}

function cli_fail(string $msg, int $code = 1): never
{
    fwrite(STDERR, $msg . "\n");
    exit($code);
}

/** --key value / --key=value pairs. */
function cli_opts(array $args): array
{
    $o = [];
    for ($i = 0; $i < count($args); $i++) {
        if (preg_match('/^--([\w-]+)(?:=(.*))?$/', $args[$i], $m)) {
            $o[$m[1]] = $m[2] ?? ($args[++$i] ?? '');
        }
    }
    return $o;
}

/** Gateway ids are the setId() value; 'x_gateway' (the library name) is accepted too. */
function cli_gateway_id(string $id): string
{
    $CI = &get_instance();
    foreach ($CI->payment_modes_model->get_payment_gateways(true) as $g) {
        if ($g['id'] === $id) {
            return $id;
        }
    }
    $short = preg_replace('/_gateway$/i', '', $id);
    foreach ($CI->payment_modes_model->get_payment_gateways(true) as $g) {
        if (strcasecmp($g['id'], $short) === 0) {
            return $g['id'];
        }
    }
    return $id;
}

$argv = $_SERVER['argv'];
array_shift($argv);
$cmd = array_shift($argv) ?? 'help';

if ($cmd === 'install') {
    // The tables must exist before App_Controller looks up active modules.
    $db = standin_core('db');
    $sql = preg_replace('/^--.*$/m', '', (string) file_get_contents(__DIR__ . '/install/schema.sql'));
    foreach (preg_split('/;\s*$/m', $sql) as $stmt) {
        if (trim($stmt) !== '') {
            $db->query($stmt);
        }
    }
}

$CI = new Standin_cli_controller();
$modules = standin_core('modules');

switch ($cmd) {
    case 'install':
        cli_out(['installed' => true] + (new Standin_installer())->run());
        break;

    case 'activate':
    case 'deactivate':
    case 'uninstall':
        $m = $argv[0] ?? cli_fail("usage: $cmd <module>", 2);
        if (!in_array($m, $modules->get_valid_modules(), true)) {
            cli_fail("No module '$m' in " . APP_MODULES_PATH, 3);
        }
        $ok = $modules->$cmd($m);
        cli_out(['module' => $m, 'action' => $cmd, 'changed' => $ok, 'active' => $modules->is_active($m)]);
        break;

    case 'install-zip':
        $zip = $argv[0] ?? cli_fail('usage: install-zip <path.zip>', 2);
        try {
            $m = $modules->upload_zip($zip);
        } catch (RuntimeException $e) {
            cli_fail($e->getMessage(), 3);
        }
        $modules->activate($m);
        cli_out(['module' => $m, 'path' => APP_MODULES_PATH . $m, 'active' => $modules->is_active($m)]);
        break;

    case 'link-module':
        $src = realpath($argv[0] ?? '') ?: cli_fail('usage: link-module <dir> [name]', 2);
        $name = $argv[1] ?? basename($src);
        if (!is_file("$src/$name.php")) {
            cli_fail("$src/$name.php not found", 3);
        }
        @mkdir(APP_MODULES_PATH, 0755, true);
        $dst = APP_MODULES_PATH . $name;
        if (is_link($dst)) {
            unlink($dst);
        } elseif (file_exists($dst)) {
            cli_fail("$dst exists and is not a symlink", 3);
        }
        symlink($src, $dst) || cli_fail("cannot link $dst", 3);
        cli_out(['module' => $name, 'path' => $dst, 'target' => $src]);
        break;

    case 'modules':
        cli_out(array_map(static fn ($m) => ['name' => $m['system_name'], 'active' => (bool) $m['activated'],
            'version' => $m['headers']['version'], 'installed_version' => $m['installed_version']], $modules->get()));
        break;

    case 'create-invoice':
        $o = cli_opts($argv);
        $allowed = isset($o['allowed']) && $o['allowed'] !== ''
            ? array_map(static fn ($a) => cli_gateway_id(trim($a)), explode(',', $o['allowed']))
            : array_merge(['1'], array_map(static fn ($g) => $g['id'], $CI->payment_modes_model->get_payment_gateways(true)));
        try {
            $inv = standin_create_invoice(['currency' => $o['currency'] ?? 'EUR', 'total' => $o['total'] ?? '120.00',
                'allowed' => $allowed, 'status' => (int) ($o['status'] ?? 1), 'duedate' => $o['duedate'] ?? null]
                + (isset($o['client']) ? ['clientid' => (int) $o['client']] : []));
        } catch (InvalidArgumentException $e) {
            cli_fail($e->getMessage(), 2);
        }
        cli_out($inv + ['allowed_payment_modes' => $allowed]);
        break;

    case 'ensure-invoices':
        $o = cli_opts($argv);
        $count = (int) ($o['count'] ?? 3);
        $iso = strtoupper($o['currency'] ?? 'EUR');
        $allowed = array_map(static fn ($a) => cli_gateway_id(trim($a)), explode(',', $o['allowed'] ?? 'neropay,1'));
        $p = db_prefix();
        $rows = $CI->db->select("{$p}invoices.id, {$p}invoices.allowed_payment_modes")
            ->join("{$p}currencies", "{$p}currencies.id = {$p}invoices.currency")
            ->where(["{$p}currencies.name" => $iso, "{$p}invoices.status" => Invoices_model::STATUS_UNPAID])
            ->get("{$p}invoices")->result_array();
        $have = [];
        foreach ($rows as $r) {
            $modes = @unserialize((string) $r['allowed_payment_modes'], ['allowed_classes' => false]);
            if (is_array($modes) && array_diff($allowed, array_map('strval', $modes)) === []) {
                $have[] = (int) $r['id'];
            }
        }
        $created = [];
        for ($i = count($have); $i < $count; $i++) {
            $inv = standin_create_invoice(['currency' => $iso, 'total' => $o['total'] ?? '120.00', 'allowed' => $allowed]);
            $created[] = $inv['id'];
        }
        cli_out(['existing' => $have, 'created' => $created]);
        break;

    case 'invoice':
        $id = (int) ($argv[0] ?? 0);
        $json = standin_invoice_json($id) ?? cli_fail("No invoice $id", 3);
        cli_out($json);
        break;

    case 'set-option':
        if (count($argv) < 2) {
            cli_fail('usage: set-option <name> <value>', 2);
        }
        cli_out(['name' => $argv[0], 'changed' => update_option($argv[0], $argv[1])]);
        break;

    case 'get-option':
        cli_out(get_option($argv[0] ?? ''));
        break;

    case 'configure-gateway':
    case 'gateway-settings':
        $id = cli_gateway_id($argv[0] ?? cli_fail("usage: $cmd <id> key=value...", 2));
        $gw = $CI->payment_modes_model->get($id, [], true);
        if (!$gw || !isset($gw->instance)) {
            cli_fail("No registered gateway '$id' (is its module active?)", 3);
        }
        $settings = [];
        foreach ($gw->instance->getSettings(false) as $s) {
            $settings[$s['name']] = $s;
        }
        if ($cmd === 'gateway-settings') {
            $out = [];
            foreach ($settings as $name => $s) {
                $v = $gw->instance->getSetting($name);
                $out[$name] = !empty($s['encrypted']) ? ($v === '' ? '' : '********') : $v;
            }
            cli_out($out);
            break;
        }
        $changed = [];
        $skipped = [];
        $pairs = array_slice($argv, 1);
        $lenient = in_array('--lenient', $pairs, true);
        foreach (array_diff($pairs, ['--lenient']) as $pair) {
            if (strpos($pair, '=') === false) {
                cli_fail("expected key=value, got '$pair'", 2);
            }
            [$k, $v] = explode('=', $pair, 2);
            if (!isset($settings[$k]) && $lenient) {
                $skipped[] = $k;
                fwrite(STDERR, "warning: gateway '$id' has no setting '$k' (skipped)\n");
                continue;
            }
            if (!isset($settings[$k])) {
                cli_fail("Gateway '$id' has no setting '$k' (known: " . implode(', ', array_keys($settings)) . ')', 2);
            }
            $stored = !empty($settings[$k]['encrypted']) && $v !== '' ? $CI->encryption->encrypt($v) : $v;
            update_option('paymentmethod_' . $id . '_' . $k, $stored);
            $changed[] = $k;
        }
        cli_out(['gateway' => $id, 'updated' => $changed, 'skipped' => $skipped]);
        break;

    case 'cron':
        // Like Perfex's Settings -> Cron Job -> "Run Cron Manually": Cron_model::run(true), no interval gate,
        // same lock. STANDIN_TEMP_DIR elsewhere makes it a second host whose run overlaps the web cron.
        $CI->load->model('cron_model');
        cli_out(['ran' => $CI->cron_model->run(true)]);
        break;

    case 'create-staff':
        // A staff login for tests: --email --password [--admin 0|1] [--permission feature:capability ...]
        $o = ['permission' => []];
        for ($i = 0; $i < count($argv); $i++) {
            if (preg_match('/^--([\w-]+)$/', $argv[$i], $m)) {
                $v = $argv[++$i] ?? '';
                $m[1] === 'permission' ? $o['permission'][] = $v : $o[$m[1]] = $v;
            }
        }
        $email = $o['email'] ?? cli_fail('usage: create-staff --email E --password P [--admin 0|1] [--permission payments:view ...]', 2);
        $p = db_prefix();
        $staff = $CI->db->where('email', $email)->get($p . 'staff')->row();
        $row = ['firstname' => 'Sam', 'lastname' => 'Staff', 'password' => password_hash((string) ($o['password'] ?? ''), PASSWORD_DEFAULT),
            'admin' => (int) ($o['admin'] ?? 0), 'active' => 1];
        if ($staff) {
            $CI->db->where('staffid', $staff->staffid)->update($p . 'staff', $row);
            $id = (int) $staff->staffid;
        } else {
            $CI->db->insert($p . 'staff', $row + ['email' => $email, 'datecreated' => date('Y-m-d H:i:s')]);
            $id = (int) $CI->db->insert_id();
        }
        // The permission rows are replaced, so a test states the whole set it needs.
        $CI->db->where('staff_id', $id)->delete($p . 'staff_permissions');
        foreach ($o['permission'] as $perm) {
            [$feature, $capability] = array_pad(explode(':', $perm, 2), 2, '');
            $CI->db->insert($p . 'staff_permissions', ['staff_id' => $id, 'feature' => $feature, 'capability' => $capability]);
        }
        cli_out(['staffid' => $id, 'email' => $email, 'admin' => $row['admin'], 'permissions' => $o['permission']]);
        break;

    default:
        fwrite(STDERR, "commands: install | activate <m> | deactivate <m> | uninstall <m> | install-zip <zip> | link-module <dir> [name]\n"
            . "  | modules | create-invoice [--currency EUR --total 120.00 --allowed neropay,1 --status 1 --duedate Y-m-d]\n"
            . "  | invoice <id> | set-option <name> <value> | get-option <name> | configure-gateway <id> k=v... | gateway-settings <id>\n"
            . "  | cron | create-staff --email E --password P [--admin 0|1] [--permission feature:capability ...]\n");
        exit($cmd === 'help' ? 0 : 2);
}
