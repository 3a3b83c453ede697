<?php

require_once __DIR__ . '/bootstrap.php';

/** Install, settings, uninstall: the module behaves like a Perfex module should. */
final class ModuleLifecycleTest extends ModuleTestCase
{
    public function testActivatingTwiceIsHarmless(): void
    {
        Stack::cli('activate', 'paybridge');
        Stack::cli('activate', 'paybridge');
        foreach (['paybridge_payments', 'paybridge_events', 'paybridge_recorded'] as $table) {
            $this->assertNotNull(Stack::one("SHOW TABLES LIKE 'tbl$table'"), $table);
        }
    }

    public function testModuleLoadsWithoutTheExtensionAndKeepsSecretsMasked(): void
    {
        // The stand-in CLI runs without the paybridge extension (only php-fpm loads it; PHPUnit itself may
        // have been started with -d extension=…): the module still loads, no fatal error.
        $probe = shell_exec(escapeshellarg(PHP_BINARY) . ' -r ' . escapeshellarg('echo extension_loaded("paybridge") ? "yes" : "no";'));
        $this->assertSame('no', trim((string) $probe), 'the stand-in CLI has no extension');
        $settings = json_decode(Stack::cli('gateway-settings', 'neropay'), true);
        $this->assertSame('********', $settings['secret_key']);
        $this->assertSame('EUR,GBP,USD', $settings['currencies']);
        $this->assertSame(Stack::env('NEROPAY_BASE_URL'), $settings['base_url']);
    }

    public function testSettingsPageShowsWebhookUrlAndHealthWithoutSecrets(): void
    {
        [$status, , $html] = $this->adminBrowser()->get($this->perfexUrl('admin/settings?group=payment_gateways'));
        $this->assertSame(200, $status);
        $this->assertStringContainsString('paybridge/webhook/neropay/', $html);
        $this->assertStringContainsString('Last webhook processed', $html);
        $this->assertStringNotContainsString(Stack::env('NEROPAY_SECRET_KEY'), $html);
        $this->assertStringNotContainsString('paybridge PHP extension is not loaded', $html, 'php-fpm has the extension');
    }

    public function testUninstallKeepsPaymentRecords(): void
    {
        $before = (int) Stack::one('SELECT COUNT(*) AS n FROM tblpaybridge_recorded')['n'];
        try {
            Stack::cli('uninstall', 'paybridge');
            foreach (['paybridge_payments', 'paybridge_events', 'paybridge_recorded'] as $table) {
                $this->assertNotNull(Stack::one("SHOW TABLES LIKE 'tbl$table'"), "$table survives uninstall");
            }
            $this->assertSame($before, (int) Stack::one('SELECT COUNT(*) AS n FROM tblpaybridge_recorded')['n']);
            // Issue 10: the gateway settings (encrypted API secrets among them) do not outlive the module.
            $this->assertSame([], Stack::rows("SELECT name FROM tbloptions WHERE name LIKE 'paymentmethod\\_neropay\\_%'"
                . " OR name LIKE 'paymentmethod\\_payrexx\\_%' OR name LIKE 'paymentmethod\\_noxipay\\_%'"));
        } finally {
            Stack::cli('activate', 'paybridge');
            self::prepareStack(); // the gateways' settings again, for the tests that follow
        }
    }
}
