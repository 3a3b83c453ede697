<?php

require_once __DIR__ . '/bootstrap.php';

/**
 * The zip an admin uploads: scripts/package builds it with paybridge/ at its root, and it installs
 * through the same path as Perfex's Setup -> Modules -> Upload (extract, then the activation hook).
 */
final class ModulePackageTest extends ModuleTestCase
{
    public function testThePackagedZipHasOnlyThePaybridgeFolderAtItsRoot(): void
    {
        $zip = $this->package();
        $z = new ZipArchive();
        $this->assertTrue($z->open($zip) === true, $zip);
        $names = [];
        for ($i = 0; $i < $z->numFiles; $i++) {
            $names[] = $z->getNameIndex($i);
        }
        $z->close();
        foreach ($names as $name) {
            $this->assertStringStartsWith('paybridge/', $name);
            $this->assertStringNotContainsString('..', $name);
        }
        foreach (['paybridge/paybridge.php', 'paybridge/install.php', 'paybridge/uninstall.php',
                  'paybridge/config/csrf_exclude_uris.php', 'paybridge/controllers/Webhook.php',
                  'paybridge/libraries/Neropay_gateway.php', 'paybridge/libraries/Payrexx_gateway.php',
                  'paybridge/libraries/Noxipay_gateway.php', 'paybridge/language/english/paybridge_lang.php'] as $must) {
            $this->assertContains($must, $names);
        }
        $this->assertEmpty(preg_grep('~standin|tests/~', $names), 'the stand-in and tests never ship');
    }

    public function testThePackagedZipInstallsAndActivatesThroughTheUploaderPath(): void
    {
        $zip = $this->package();
        $modules = Stack::env('STANDIN_WEBROOT') . '/modules';
        try {
            Stack::cli('install-zip', $zip);
            clearstatcache();
            $this->assertFalse(is_link("$modules/paybridge"), 'the upload replaced the development symlink');
            $this->assertFileExists("$modules/paybridge/paybridge.php");
            $list = json_decode(Stack::cli('modules'), true);
            $mine = array_values(array_filter($list, static fn ($m) => ($m['name'] ?? $m['system_name'] ?? '') === 'paybridge'));
            $this->assertCount(1, $mine);
            $this->assertTrue((bool) ($mine[0]['active'] ?? false), 'activated after upload');
            foreach (['paybridge_payments', 'paybridge_events', 'paybridge_recorded'] as $table) {
                $this->assertNotNull(Stack::one("SHOW TABLES LIKE 'tbl$table'"), $table);
            }
            // The installed copy serves the webhook endpoint (CSRF-excluded, answers with a reason).
            $status = $this->postWebhook(str_repeat('0', 32), '{}')[0] ?? null;
            $this->assertSame(404, $status);
        } finally {
            // Back to the development symlink for the other tests.
            exec('rm -rf ' . escapeshellarg("$modules/paybridge"));
            Stack::cli('link-module', Stack::root() . '/perfex-module/paybridge', 'paybridge');
            Stack::cli('activate', 'paybridge');
        }
        clearstatcache();
        $this->assertTrue(is_link("$modules/paybridge"));
    }

    private function package(): string
    {
        exec(escapeshellarg(Stack::root() . '/scripts/package') . ' 2>&1', $out, $rc);
        $this->assertSame(0, $rc, implode("\n", $out));
        $zip = Stack::root() . '/' . trim((string) end($out));
        $this->assertFileExists($zip);

        return $zip;
    }
}
