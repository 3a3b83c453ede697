<?php

final class InvoicePageTest extends StandinTestCase
{
    public static function setUpBeforeClass(): void
    {
        self::installFixture();
        self::cli('configure-gateway', 'fixture', 'active=1', 'currencies=EUR,USD');
    }

    public function testInvoicePageShowsNumberStatusTotalAndAmountLeft(): void
    {
        $inv = self::newInvoice('EUR', '1234.50');
        $this->json($this->get("standin_fixture/probe/pay/{$inv['id']}/234.50"));
        $body = $this->get("invoice/{$inv['id']}/{$inv['hash']}")['body'];
        $this->assertStringContainsString('<span id="invoice-number">' . $inv['number'] . '</span>', $body);
        $this->assertStringContainsString('data-status="3"', $body);
        $this->assertStringContainsString('data-amount="1234.50" data-currency="EUR">€1.234,50<', $body);
        $this->assertStringContainsString('id="invoice-left-to-pay" data-amount="1000.00">€1.000,00<', $body);
        $this->assertStringContainsString('class="payment"', $body);
    }

    public function testWrongHashAnswers404(): void
    {
        $inv = self::newInvoice();
        $this->assertSame(404, $this->get("invoice/{$inv['id']}/" . str_repeat('a', 32))['status']);
        $this->assertSame(404, $this->get("invoice/{$inv['id']}")['status']);
    }

    public function testPayFormHasAnAmountFieldOnlyWhenTheAmountMayBeModified(): void
    {
        $inv = self::newInvoice();
        $this->assertStringContainsString('name="amount"', $this->get("invoice/{$inv['id']}/{$inv['hash']}")['body']);
        self::cli('set-option', 'allow_payment_amount_to_be_modified', '0');
        try {
            $body = $this->get("invoice/{$inv['id']}/{$inv['hash']}")['body'];
            $this->assertStringContainsString('id="pay-form"', $body);
            $this->assertStringNotContainsString('name="amount"', $body);
        } finally {
            self::cli('set-option', 'allow_payment_amount_to_be_modified', '1');
        }
    }

    public function testPaidInvoiceShowsNoPayForm(): void
    {
        $inv = self::newInvoice('EUR', '5.00');
        $this->json($this->get("standin_fixture/probe/pay/{$inv['id']}/5.00"));
        $body = $this->get("invoice/{$inv['id']}/{$inv['hash']}")['body'];
        $this->assertStringContainsString('data-status="2"', $body);
        $this->assertStringNotContainsString('id="pay-form"', $body);
    }
}
