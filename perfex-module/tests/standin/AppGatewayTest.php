<?php

final class AppGatewayTest extends StandinTestCase
{
    public static function setUpBeforeClass(): void
    {
        self::installFixture();
    }

    public function testSetSettingsPrependsActiveAndLabelAndAppendsDefaultSelected(): void
    {
        $r = $this->json($this->get('standin_fixture/probe/settings'));
        $this->assertSame(['active', 'label', 'secret', 'notes', 'currencies', 'test_mode_enabled', 'default_selected'], $r['names']);
        $this->assertSame('paymentmethod_fixture_active', $r['formatted'][0]);
        $this->assertSame('paymentmethod_fixture_default_selected', end($r['formatted']));
    }

    public function testLabelDefaultsToTheNameSetBeforeSettings(): void
    {
        $r = $this->json($this->get('standin_fixture/probe/settings'));
        $this->assertSame('Fixture Pay', $r['label']['default_value']);
        $this->assertSame('fixture', $r['id']);
    }

    public function testInitModeAddsDefaultsButNeverOverwritesStoredSettings(): void
    {
        $this->get('standin_fixture/probe/settings');
        $this->assertSame('1', self::option('paymentmethod_fixture_default_selected'));
        self::cli('set-option', 'paymentmethod_fixture_notes', 'admin wrote this');
        $this->get('standin_fixture/probe/settings');
        $this->assertSame('admin wrote this', self::option('paymentmethod_fixture_notes'));
    }

    public function testConfiguredEncryptedSettingIsStoredEncryptedAndDecryptsBack(): void
    {
        self::cli('configure-gateway', 'fixture', 'secret=s3cr3t-value');
        $stored = (string) self::option('paymentmethod_fixture_secret');
        $this->assertNotSame('', $stored);
        $this->assertStringNotContainsString('s3cr3t', $stored);
        $r = $this->json($this->get('standin_fixture/probe/settings'));
        $this->assertSame('s3cr3t-value', $r['secret']);
    }

    public function testLanguageLinesOfModulesAreRegisteredAndMissingKeysEchoTheKey(): void
    {
        $r = $this->json($this->get('standin_fixture/probe/settings'));
        $this->assertSame(['Hello Ada', 'no_such_key_anywhere'], $r['lang']);
    }

    public function testProcessPaymentReceivesTheThreeXDataShape(): void
    {
        self::cli('configure-gateway', 'fixture', 'active=1', 'currencies=EUR,USD');
        $inv = self::newInvoice('EUR', '80.00');
        $page = $this->get("invoice/{$inv['id']}/{$inv['hash']}");
        $this->assertStringContainsString('id="pm_fixture"', $page['body']);
        $r = $this->json($this->post("invoice/{$inv['id']}/{$inv['hash']}", ['csrf_token_name' => $this->csrfFrom($page['body']),
            'paymentmode' => 'fixture', 'amount' => '30.5', 'hash' => $inv['hash'], 'make_payment' => '1']));
        foreach (['paymentmode', 'amount', 'hash', 'make_payment', 'invoiceid', 'invoice', 'gateway_fee', 'payment_attempt'] as $k) {
            $this->assertContains($k, $r['keys']);
        }
        // Real Perfex: `$data['amount'] += $data['gateway_fee']` with getFee() returning 0.0 (issue 10 item 2).
        $this->assertSame(30.5, $r['amount']);
        $this->assertSame('double', $r['amount_type']);
        $this->assertSame($inv['id'], $r['invoiceid']);
        $this->assertSame('EUR', $r['currency_name']);
        $this->assertSame($inv['hash'], $r['invoice_hash']);
        $this->assertSame('Acme Widgets GmbH', $r['client_company']);
        $this->assertSame('fixture', $r['attempt']['payment_gateway']);
        $this->assertSame(32, strlen($r['attempt']['reference']));
    }

    /**
     * Like real Perfex 3.x (issue 10 item 2): process_payment() checks neither the amount left, nor the
     * invoice status, nor the allowed modes; the gateway gets them as they are and must refuse itself.
     */
    public function testPayPassesAnAmountAboveWhatIsLeftOnACancelledInvoiceToTheGatewayUnchecked(): void
    {
        self::cli('configure-gateway', 'fixture', 'active=1', 'currencies=EUR,USD');
        $inv = self::newInvoice('EUR', '10.00');
        $page = $this->get("invoice/{$inv['id']}/{$inv['hash']}");
        $this->assertStringContainsString('novalidate', $page['body']);
        self::db()->query("UPDATE tblinvoices SET status = 5, allowed_payment_modes = 'a:0:{}' WHERE id = {$inv['id']}");
        $r = $this->json($this->post("invoice/{$inv['id']}/{$inv['hash']}", ['csrf_token_name' => $this->csrfFrom($page['body']),
            'paymentmode' => 'fixture', 'amount' => '10.01', 'make_payment' => '1']));
        $this->assertSame(10.01, $r['amount']);
        $this->assertSame(1, (int) self::db()->query("SELECT COUNT(*) FROM tblpayment_attempts WHERE invoice_id = {$inv['id']}")->fetch_row()[0]);
    }

    public function testGatewayIsNotOfferedForACurrencyItDoesNotList(): void
    {
        self::cli('configure-gateway', 'fixture', 'active=1', 'currencies=EUR,USD');
        $inv = self::newInvoice('GBP', '10.00');
        $page = $this->get("invoice/{$inv['id']}/{$inv['hash']}");
        $this->assertSame(200, $page['status']);
        $this->assertStringNotContainsString('id="pm_fixture"', $page['body']);
    }

    public function testInactiveGatewayIsNotOffered(): void
    {
        self::cli('configure-gateway', 'fixture', 'active=0');
        $inv = self::newInvoice('EUR', '10.00');
        $page = $this->get("invoice/{$inv['id']}/{$inv['hash']}");
        $this->assertStringNotContainsString('id="pm_fixture"', $page['body']);
        self::cli('configure-gateway', 'fixture', 'active=1');
    }
}
