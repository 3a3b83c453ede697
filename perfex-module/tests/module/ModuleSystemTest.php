<?php

require_once __DIR__ . '/bootstrap.php';

/**
 * Issue 11 item 6: the module checks its own server. PERFEX_URL_NOEXT is the same stand-in (same files,
 * same database) served by a second php-fpm whose ini does not load the extension (scripts/lib/stack-common.sh).
 */
final class ModuleSystemTest extends ModuleTestCase
{
    private const GATEWAYS = ['neropay', 'payrexx', 'noxipay'];

    public function testAdminPageWithoutTheExtensionNamesThePackageAndTheDirsOfThisPhp(): void
    {
        [$status, , $html] = $this->adminAt($this->noextUrl())->get($this->noextUrl('admin/paybridge'));
        $this->assertSame(200, $status);
        $section = $this->systemSection($html);
        $this->assertStringContainsString('data-status="missing"', $section);
        $version = $this->cargoVersion();
        $minor   = PHP_MAJOR_VERSION . '.' . PHP_MINOR_VERSION;
        $this->assertSame('no', $this->fact($section, 'extension_loaded'));
        $this->assertSame($this->phpApi(), $this->fact($section, 'php_api'));
        $this->assertSame('NTS', $this->fact($section, 'thread_safety'));
        $this->assertStringContainsString('php' . $minor . '-paybridge_' . $version . '_amd64.deb', $section);
        $this->assertStringContainsString('php_paybridge-' . $version . '_php' . $minor . '-x86_64-linux-glibc-nts.tgz', $section);
        // php-fpm8.2 and the CLI share the compiled-in extension dir; the scan dir is the pool's own.
        $this->assertSame(ini_get('extension_dir'), $this->code($section, 'paybridge-extension-dir'));
        $this->assertStringContainsString(rtrim(Stack::env('STACK_DIR'), '/') . '/php-noext.d', $this->code($section, 'paybridge-scan-dir'));
        $this->assertStringNotContainsString(rtrim(Stack::env('STACK_DIR'), '/') . '/php.d', $this->code($section, 'paybridge-scan-dir'));
        $this->assertSame('systemctl restart php' . $minor . '-fpm', $this->code($section, 'paybridge-restart'));
    }

    public function testAdminPageWithTheExtensionShowsItLoadedWithItsVersionAndPhpApi(): void
    {
        [$status, , $html] = $this->adminAt($this->perfexUrl())->get($this->perfexUrl('admin/paybridge'));
        $this->assertSame(200, $status);
        $section = $this->systemSection($html);
        $this->assertStringContainsString('data-status="ok"', $section);
        $this->assertSame('yes', $this->fact($section, 'extension_loaded'));
        $this->assertSame($this->cargoVersion(), $this->fact($section, 'extension_version'));
        $this->assertSame($this->phpApi(), $this->fact($section, 'extension_api'));
        $this->assertSame($this->phpApi(), $this->fact($section, 'php_api'));
        $this->assertStringNotContainsString('paybridge-system-advice', $section, 'no install advice while the extension is loaded');
    }

    public function testEachGatewaysSettingsShowTheSystemSectionWithThePackageForThisPhp(): void
    {
        $url = $this->noextUrl('admin/settings?group=payment_gateways');
        [$status, , $html] = $this->adminAt($this->noextUrl())->get($url);
        $this->assertSame(200, $status);
        $deb = 'php' . PHP_MAJOR_VERSION . '.' . PHP_MINOR_VERSION . '-paybridge_' . $this->cargoVersion() . '_amd64.deb';
        $this->assertSame(count(self::GATEWAYS), substr_count($html, 'class="paybridge-system" data-status="missing"'), 'one System section per gateway');
        $this->assertSame(count(self::GATEWAYS), substr_count($html, '<code class="paybridge-deb">' . $deb . '</code>'));

        [, , $html] = $this->adminAt($this->perfexUrl())->get($this->perfexUrl('admin/settings?group=payment_gateways'));
        $this->assertSame(count(self::GATEWAYS), substr_count($html, 'class="paybridge-system" data-status="ok"'));
    }

    public function testInvoicePageWithoutTheExtensionDoesNotOfferThePaybridgeGateways(): void
    {
        $invoice = $this->createInvoice('EUR', '61.00', ['--allowed', implode(',', self::GATEWAYS) . ',1']);
        $path = 'invoice/' . $invoice['id'] . '/' . $invoice['hash'];

        // The same invoice with the extension: all three are offered (the invoice allows them).
        $this->assertSame(self::GATEWAYS, array_values(array_intersect(self::GATEWAYS, $this->offeredModes($this->perfexUrl($path)))));
        $offered = $this->offeredModes($this->noextUrl($path));
        $this->assertSame([], array_values(array_intersect(self::GATEWAYS, $offered)), 'offered without the extension: ' . implode(',', $offered));
        // The saved settings are untouched: the gateways come back as soon as the extension loads.
        foreach (self::GATEWAYS as $id) {
            $this->assertSame('1', Stack::one("SELECT value FROM tbloptions WHERE name = 'paymentmethod_{$id}_active'")['value']);
        }
    }

    public function testWebhookWithoutTheExtensionAnswers503ExtensionMissingAndTheRetryRecords(): void
    {
        $invoice = $this->createInvoice('EUR', '62.00');
        ['payment' => $payment] = $this->startCheckout($invoice);
        $this->control($payment['provider_payment_id'], 'pay', ['deliver' => false]);
        $body = $this->ipnBody('evt_noext_' . $payment['id'], 'payment.succeeded', $payment);

        [$status, , $raw] = (new Browser())->postJson($this->noextUrl('paybridge/webhook/neropay/' . $payment['token']), $body);
        $this->assertSame(503, $status, $raw);
        $this->assertSame(['error' => 'extension_missing'], json_decode($raw, true));
        $this->assertCount(0, $this->paymentRecords($invoice['id']));

        // The provider's retry reaches a PHP with the extension and is recorded once.
        [$status, $json] = $this->postWebhook($payment['token'], $body);
        $this->assertSame(200, $status, json_encode($json));
        $this->assertOnePaymentRecorded($invoice, $payment, '62.00');
    }

    public function testModuleNamesTheExtensionReleaseOfCargoToml(): void
    {
        $init = (string) file_get_contents(Stack::root() . '/perfex-module/paybridge/paybridge.php');
        $this->assertSame(1, preg_match("/define\\('PAYBRIDGE_EXTENSION_VERSION', '([^']+)'\\)/", $init, $m));
        $this->assertSame($this->cargoVersion(), $m[1]);
    }

    // ------------------------------------------------------------------ helpers

    private function noextUrl(string $path = ''): string
    {
        return rtrim(Stack::env('PERFEX_URL_NOEXT'), '/') . '/' . ltrim($path, '/');
    }

    /** Staff session on the stand-in behind $base. */
    private function adminAt(string $base): Browser
    {
        $b = new Browser();
        $login = rtrim($base, '/') . '/admin/authentication';
        [, , $html] = $b->get($login);
        $form = Browser::findForm($html, static function (array $f) {
            return isset($f['fields']['password']);
        });
        $this->assertNotNull($form, 'admin login form');
        $fields = $form['fields'];
        $fields['email'] = Stack::env('ADMIN_EMAIL');
        $fields['password'] = Stack::env('ADMIN_PASSWORD');
        $action = $form['action'] === '' ? $login : $form['action'];
        if (!preg_match('#^https?://#', $action)) {
            $action = rtrim($base, '/') . '/' . ltrim($action, '/');
        }
        [$status] = $b->post($action, $fields);
        $this->assertContains($status, [200, 302, 303]);

        return $b;
    }

    /** Online payment modes the invoice page offers (the stand-in shows no payment form when there is none). */
    private function offeredModes(string $url): array
    {
        [$status, , $html] = (new Browser())->get($url);
        $this->assertSame(200, $status, $url);
        $this->assertStringContainsString('id="invoice-status"', $html, 'the invoice page itself is shown');
        $form = Browser::findForm($html, static function (array $f) {
            return isset($f['fields']['paymentmode']) || isset($f['radios']['paymentmode']);
        });
        if ($form === null) {
            return [];
        }

        return array_map('strval', $form['radios']['paymentmode'] ?? [$form['fields']['paymentmode']]);
    }

    private function systemSection(string $html): string
    {
        $start = strpos($html, '<div id="paybridge-system">');
        $this->assertNotFalse($start, 'the admin page has a System section');
        $end = strpos($html, '</table>', $start);

        return substr($html, $start, strpos($html, '</div></div>', $end) + 12 - $start);
    }

    private function fact(string $section, string $key): string
    {
        $this->assertSame(1, preg_match('#<tr data-fact="' . $key . '"><th>[^<]*</th><td>([^<]*)</td></tr>#', $section, $m), "row $key");

        return html_entity_decode($m[1], ENT_QUOTES, 'UTF-8');
    }

    private function code(string $section, string $class): string
    {
        $this->assertSame(1, preg_match('#<code class="' . $class . '">([^<]*)</code>#', $section, $m), "code $class");

        return html_entity_decode($m[1], ENT_QUOTES, 'UTF-8');
    }

    private function cargoVersion(): string
    {
        $toml = (string) file_get_contents(Stack::root() . '/Cargo.toml');
        $this->assertSame(1, preg_match('/^\[package\][^\[]*?^version\s*=\s*"([^"]+)"/ms', $toml, $m));

        return $m[1];
    }

    /** This PHP's API number as phpinfo() prints it on the CLI (the fpm pools run the same PHP 8.2). */
    private function phpApi(): string
    {
        ob_start();
        phpinfo(INFO_GENERAL);
        $this->assertSame(1, preg_match('/^PHP API => (\d+)$/m', (string) ob_get_clean(), $m));

        return $m[1];
    }
}
