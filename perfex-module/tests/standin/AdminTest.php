<?php

final class AdminTest extends StandinTestCase
{
    public static function setUpBeforeClass(): void
    {
        self::installFixture();
    }

    public function testAdminPagesRedirectToLoginWithoutASession(): void
    {
        foreach (['admin', 'admin/settings?group=payment_gateways', 'admin/modules', 'admin/invoices'] as $path) {
            $r = $this->get($path);
            $this->assertSame(302, $r['status'], $path);
            $this->assertStringEndsWith('/admin/authentication', (string) $r['location'], $path);
        }
    }

    public function testWrongPasswordDoesNotLogIn(): void
    {
        $page = $this->get('admin/authentication');
        $r = $this->post('admin/authentication', ['csrf_token_name' => $this->csrfFrom($page['body']),
            'email' => self::env('ADMIN_EMAIL'), 'password' => 'wrong']);
        $this->assertStringEndsWith('/admin/authentication', (string) $r['location']);
        $this->assertSame(302, $this->get('admin/invoices')['status']);
    }

    public function testLoggedInAdminSeesTheInvoiceList(): void
    {
        $this->loginAsAdmin();
        $r = $this->get('admin/invoices');
        $this->assertSame(200, $r['status']);
        $this->assertStringContainsString('id="invoices-table"', $r['body']);
    }

    public function testSettingsPageRendersEverySettingTypeOfEveryGateway(): void
    {
        $this->loginAsAdmin();
        $body = $this->get('admin/settings?group=payment_gateways')['body'];
        $this->assertStringContainsString('id="gateway-fixture"', $body);
        $this->assertStringContainsString('name="settings[paymentmethod_fixture_active]" id="y_opt_paymentmethod_fixture_active_1" value="1"', $body);
        $this->assertMatchesRegularExpression('#<textarea name="settings\[paymentmethod_fixture_notes\]"#', $body);
        $this->assertMatchesRegularExpression('#<input type="text" name="settings\[paymentmethod_fixture_currencies\]"#', $body);
        $this->assertStringContainsString('Fixture secret', $body, 'labels go through _l()');
    }

    public function testEncryptedSettingsAreSavedEncryptedAndNeverShownInClear(): void
    {
        $this->loginAsAdmin();
        $page = $this->get('admin/settings?group=payment_gateways');
        $secret = 'sk_live_' . bin2hex(random_bytes(8));
        $r = $this->post('admin/settings?group=payment_gateways', ['csrf_token_name' => $this->csrfFrom($page['body']),
            'settings' => ['paymentmethod_fixture_secret' => $secret, 'paymentmethod_fixture_notes' => "line1\nline2"]]);
        $this->assertSame(303, $r['status']);
        $stored = (string) self::option('paymentmethod_fixture_secret');
        $this->assertStringNotContainsString($secret, $stored);
        $this->assertSame("line1\nline2", self::option('paymentmethod_fixture_notes'));

        $body = $this->get('admin/settings?group=payment_gateways')['body'];
        $this->assertStringNotContainsString($secret, $body);
        $this->assertStringNotContainsString($stored, $body, 'not even the ciphertext is echoed');
        $this->assertMatchesRegularExpression('#name="settings\[paymentmethod_fixture_secret\]"[^>]*value=""#', $body);
        $this->assertSame($secret, $this->json($this->get('standin_fixture/probe/settings'))['secret']);

        // An empty submission keeps the stored secret.
        $this->post('admin/settings?group=payment_gateways', ['csrf_token_name' => $this->csrfFrom($body),
            'settings' => ['paymentmethod_fixture_secret' => '']]);
        $this->assertSame($stored, self::option('paymentmethod_fixture_secret'));
    }

    public function testModulesPageListsModulesWithTheirState(): void
    {
        $this->loginAsAdmin();
        $body = $this->get('admin/modules')['body'];
        $this->assertStringContainsString('data-module="standin_fixture" data-active="1"', $body);
        $this->assertStringContainsString('id="module-upload-form"', $body);
    }
}
