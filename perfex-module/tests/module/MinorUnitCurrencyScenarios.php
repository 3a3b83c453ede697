<?php

/**
 * JPY (ISO 4217 exponent 0) and KWD (exponent 3) end to end for providers that take integer minor units
 * (Payrexx §P3, Noxipay §X2). Perfex stores both with 2 decimals; the module converts with strings only.
 */
trait MinorUnitCurrencyScenarios
{
    /** @return array<string, array{0:string,1:string,2:int}> currency, Perfex total, minor units sent */
    public static function minorUnitCurrencies(): array
    {
        return [
            'JPY 1200.00 is 1200 yen' => ['JPY', '1200.00', 1200],
            'KWD 12.50 is 12500 fils' => ['KWD', '12.50', 12500],
        ];
    }

    /** @dataProvider minorUnitCurrencies */
    public function testInvoiceInACurrencyWithoutTwoDecimalsIsPaidEndToEnd(string $currency, string $total, int $minor): void
    {
        $invoice = $this->createInvoice($currency, $total);
        ['browser' => $browser, 'checkout' => $checkout, 'payment' => $payment] = $this->startCheckout($invoice);
        $this->assertSame([$currency, $total, (string) $minor], [$payment['currency'], $payment['amount'], (string) $payment['amount_minor']]);

        [, , $raw] = (new Browser())->get(rtrim(Stack::env('SANDBOX_URL'), '/') . '/_control/' . $this->provider() . '/payments/'
            . rawurlencode($payment['provider_payment_id']));
        $state = json_decode($raw, true);
        $this->assertSame([$minor, $currency], [$state['amount'] ?? null, $state['currency'] ?? null], 'the provider got integer minor units');

        $browser->follow($this->pressCheckoutButton($browser, $checkout, 'pay'));

        $this->waitForRecords($invoice['id']);
        $this->assertOnePaymentRecorded($invoice, $payment, $total);
        $this->assertSame(2, $this->invoiceStatus($invoice['id']), "the $currency invoice is paid");
    }
}
