<?php

use PHPUnit\Framework\TestCase;

defined('BASEPATH') or define('BASEPATH', __DIR__);
require_once dirname(__DIR__, 2) . '/paybridge/libraries/Paybridge_system.php';

/**
 * Issue 11 item 6, the servers the stack cannot be: the System section's advice for PHP versions and builds
 * other than the stack's PHP 8.2 NTS (the stack's own cases are in ModuleSystemTest, over HTTP).
 * Facts are what Paybridge_system::facts() observes in this PHP, with the server-specific ones replaced.
 * Each test runs in its own process: the _l() it defines must not exist in the other tests' process.
 *
 * @runTestsInSeparateProcesses
 * @preserveGlobalState disabled
 */
final class SystemAdviceTest extends TestCase
{
    protected function setUp(): void
    {
        require_once __DIR__ . '/fixtures/module_lang_l.php';
    }

    public function testPhp84WithoutTheExtensionGetsThe84PackageAndTarball(): void
    {
        $html = Paybridge_system::html($this->server(['php_version' => '8.4.16', 'php_minor' => '8.4', 'php_api' => '20240924']));

        $this->assertStringContainsString('<code class="paybridge-deb">php8.4-paybridge_9.8.7_amd64.deb</code>', $html);
        $this->assertStringContainsString('<code class="paybridge-tgz">php_paybridge-9.8.7_php8.4-x86_64-linux-glibc-nts.tgz</code>', $html);
        $this->assertStringContainsString('<code class="paybridge-restart">systemctl restart php8.4-fpm</code>', $html);
        $this->assertStringNotContainsString('8.2', $html);
    }

    /** @dataProvider serversWithoutAPrebuiltExtension */
    public function testServersWithoutAPrebuiltExtensionAreToldToBuildFromSource(array $server, string $why): void
    {
        $html = Paybridge_system::html($this->server($server));

        $this->assertStringNotContainsString('.deb', $html, $why);
        $this->assertStringNotContainsString('.tgz', $html, $why);
        $this->assertStringContainsString('Build it from source as the README describes', $html, $why);
        $this->assertStringContainsString('<code class="paybridge-extension-dir">/opt/php/lib/extensions</code>', $html, $why);
        $this->assertStringContainsString('<code class="paybridge-scan-dir">/opt/php/conf.d</code>', $html, $why);
    }

    public function serversWithoutAPrebuiltExtension(): array
    {
        return [
            'PHP 8.3'    => [['php_version' => '8.3.6', 'php_minor' => '8.3', 'php_api' => '20230831'], 'no 8.3 build'],
            'PHP 8.1'    => [['php_version' => '8.1.2', 'php_minor' => '8.1', 'php_api' => '20210902'], 'no 8.1 build'],
            'ZTS 8.2'    => [['zts' => true], 'only NTS is built'],
            'arm64 8.2'  => [['arch' => 'aarch64'], 'only x86_64 is built'],
            'debug 8.2'  => [['debug' => true], 'a debug PHP has another API'],
        ];
    }

    public function testAPaybridgeSoThatDidNotLoadIsCalledOutWithThisPhpsApi(): void
    {
        $html = Paybridge_system::html($this->server(['so_present' => true]));

        $this->assertStringContainsString('A paybridge.so is in the extension dir but PHP did not load it', $html);
        $this->assertStringContainsString('this PHP has API 20220829, NTS', $html);
        $this->assertStringContainsString('php8.2-paybridge_9.8.7_amd64.deb', $html);
    }

    public function testAnExtensionBuiltForAnotherPhpApiIsToldToBeReplacedByThePackageForThisPhp(): void
    {
        $html = Paybridge_system::html($this->server([
            'php_version' => '8.4.16', 'php_minor' => '8.4', 'php_api' => '20240924',
            'loaded' => true, 'ext_version' => '9.8.7', 'ext_api' => '20220829',
        ]));

        $this->assertStringContainsString('data-status="other_php"', $html);
        $this->assertStringContainsString('built for PHP API 20220829, but this PHP has API 20240924', $html);
        $this->assertStringContainsString('<code class="paybridge-deb">php8.4-paybridge_9.8.7_amd64.deb</code>', $html);
    }

    public function testAnExtensionOfAnotherReleaseIsReported(): void
    {
        $html = Paybridge_system::html($this->server(['loaded' => true, 'ext_version' => '9.8.6', 'ext_api' => '20220829']));

        $this->assertStringContainsString('data-status="other_version"', $html);
        $this->assertStringContainsString('version 9.8.6; this module was made for version 9.8.7', $html);
    }

    public function testServerPathsAreEscaped(): void
    {
        $html = Paybridge_system::html($this->server(['extension_dir' => '/usr/lib/php/<b>x</b>&"']));

        $this->assertStringNotContainsString('<b>x</b>', $html);
        $this->assertStringContainsString('/usr/lib/php/&lt;b&gt;x&lt;/b&gt;&amp;&quot;', $html);
    }

    /** A PHP 8.2 NTS x86_64 Linux server under php-fpm without the extension, with $changes applied. */
    private function server(array $changes): array
    {
        $facts = Paybridge_system::facts();
        $base = [
            'php_version' => '8.2.29', 'php_minor' => '8.2', 'php_api' => '20220829', 'zts' => false, 'debug' => false,
            'sapi' => 'fpm-fcgi', 'arch' => 'x86_64', 'os' => 'Linux', 'ini_file' => '/opt/php/php.ini',
            'scan_dirs' => ['/opt/php/conf.d'], 'extension_dir' => '/opt/php/lib/extensions', 'loaded' => false,
            'ext_version' => '', 'ext_api' => '', 'ext_built_with' => '', 'expected_version' => '9.8.7', 'so_present' => false,
        ];
        $this->assertSame([], array_diff(array_keys($base), array_keys($facts)), 'facts() observes every key the advice uses');

        return Paybridge_system::derived(array_merge($facts, $base, $changes));
    }
}
