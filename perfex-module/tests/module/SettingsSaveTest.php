<?php

require_once __DIR__ . '/bootstrap.php';

/**
 * Issue 10 stand-in item 5: Perfex saves gateway settings through CodeIgniter's XSS filter. A secret the
 * filter would alter is refused with a message and the stored value is kept, never stored altered.
 */
final class SettingsSaveTest extends ModuleTestCase
{
    private const OPTION = 'paymentmethod_neropay_secret_key';

    /** Posts the settings form with the NeroPay secret set to $secret; returns the page shown after. */
    private function saveNeropaySecret(Browser $admin, string $secret): string
    {
        [$status, , $html] = $admin->get($this->perfexUrl('admin/settings?group=payment_gateways'));
        $this->assertSame(200, $status);
        $form = Browser::findForm($html, static fn (array $f) => $f['id'] === 'settings-form');
        $this->assertNotNull($form);
        $fields = $form['fields'];
        $fields['settings[' . self::OPTION . ']'] = $secret;
        [$status, $headers] = $admin->post($this->perfexUrl($form['action']), $fields);
        $this->assertContains($status, [302, 303]);
        [, , $page] = $admin->get($headers['location']);

        return $page;
    }

    private function stored(): string
    {
        return (string) Stack::one("SELECT value FROM tbloptions WHERE name = '" . self::OPTION . "'")['value'];
    }

    public function testASecretTheXssFilterWouldAlterIsRefusedAndTheStoredOneKept(): void
    {
        $admin = $this->adminBrowser();
        $before = $this->stored();
        try {
            $page = $this->saveNeropaySecret($admin, 'sk_test_ab%41<script>cd');
            $this->assertSame($before, $this->stored(), 'the stored (encrypted) secret is unchanged');
            $this->assertMatchesRegularExpression('#id="alert-danger"[^>]*>Not saved, the stored value was kept: NeroPay#', $page);
            $this->assertStringNotContainsString('sk_test_ab', $page, 'the refused secret is not echoed');
        } finally {
            Stack::cli('configure-gateway', 'neropay', 'secret_key=' . Stack::env('NEROPAY_SECRET_KEY'));
        }
    }
}
