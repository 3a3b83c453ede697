<?php

final class ModulesTest extends StandinTestCase
{
    public static function setUpBeforeClass(): void
    {
        self::installFixture();
    }

    public function testInstallZipExtractsTheModuleAndRunsItsActivationHook(): void
    {
        $before = (int) self::option('standin_fixture_activation_count');
        $src = self::repo() . '/perfex-module/tests/fixtures/standin_fixture';
        $zip = sys_get_temp_dir() . '/standin_fixture_again.zip';
        self::zipDir($src, 'standin_fixture', $zip);
        $r = self::cli('install-zip', $zip);
        unlink($zip);
        $this->assertTrue($r['active']);
        $this->assertSame($before + 1, (int) self::option('standin_fixture_activation_count'));
        $row = self::db()->query("SELECT installed_version, active FROM tblmodules WHERE module_name = 'standin_fixture'")->fetch_assoc();
        $this->assertSame(['installed_version' => '0.0.1', 'active' => '1'], $row);
    }

    public function testZipWithAPathEscapingTheModuleFolderIsRefused(): void
    {
        $zip = sys_get_temp_dir() . '/standin_evil.zip';
        self::zipDir(self::repo() . '/perfex-module/tests/fixtures/standin_fixture', 'standin_fixture', $zip, ['standin_fixture/../evil.php' => '<?php']);
        [$code, , $err] = self::cliRaw('install-zip', $zip);
        unlink($zip);
        $this->assertNotSame(0, $code);
        $this->assertStringContainsString('Unsafe path', $err);
    }

    /** Like Perfex (issue 10 item 4): an inactive module's controllers are still routed; its init file is not loaded. */
    public function testDeactivatedModuleControllersAreStillRoutedWithoutItsInitFile(): void
    {
        self::cli('deactivate', 'standin_fixture');
        try {
            $r = $this->get('standin_fixture/probe/init_loaded');
            $this->assertSame(200, $r['status']);
            $this->assertSame(['init_loaded' => false], json_decode($r['body'], true));
        } finally {
            self::cli('activate', 'standin_fixture');
        }
        $this->assertSame(['init_loaded' => true], json_decode($this->get('standin_fixture/probe/init_loaded')['body'], true));
    }

    public function testUnknownControllerMethodIs404(): void
    {
        $this->assertSame(404, $this->get('standin_fixture/probe/no_such_method')['status']);
        $this->assertSame(404, $this->get('standin_fixture/probe/_private')['status']);
    }
}
