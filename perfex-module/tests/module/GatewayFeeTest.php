<?php

require_once __DIR__ . '/bootstrap.php';

/**
 * Issue 13 item 5 and 7: Perfex 3.0.5+ gateway fees (fee_fixed / fee_percent, Perfex's own settings once
 * the gateway has processingFees). Perfex adds the fee before process_payment(); the provider charges
 * invoice amount + fee; the amount check compares against that; Perfex records the invoice amount (its
 * addPayment() takes the attempt's fee off); the fee stays visible on the PayBridge attempt (fee_minor).
 * Real checkout pages, real sandbox payments and webhooks, real MariaDB.
 */
final class GatewayFeeTest extends ModuleTestCase
{
    private string $gateway = 'neropay';

    protected function provider(): string
    {
        return $this->gateway;
    }

    /** @return array<string, array{0:string,1:string}> gateway, currency of an ordinary invoice */
    public static function gateways(): array
    {
        return [
            'neropay' => ['neropay', 'EUR'],
            'payrexx' => ['payrexx', 'CHF'],
            'noxipay' => ['noxipay', 'EUR'],
        ];
    }

    /** Runs $step with the gateway's Perfex fee settings set, and puts them back to 0 afterwards. */
    private function withFee(string $fixed, string $percent, callable $step): void
    {
        Stack::cli('configure-gateway', $this->gateway, 'fee_fixed=' . $fixed, 'fee_percent=' . $percent);
        try {
            $step();
        } finally {
            Stack::cli('configure-gateway', $this->gateway, 'fee_fixed=0', 'fee_percent=0');
        }
    }

    /** The amount the sandbox holds for the payment, in the currency's minor units (NeroPay keeps decimals). */
    private function chargedMinor(array $payment): int
    {
        [, , $raw] = (new Browser())->get(rtrim(Stack::env('SANDBOX_URL'), '/') . '/_control/' . $this->gateway . '/payments/'
            . rawurlencode($payment['provider_payment_id']));
        $state = json_decode($raw, true);
        $this->assertIsArray($state, $raw);
        $amount = $state['amount'] ?? null;
        if (is_int($amount)) {
            return $amount;
        }
        $this->assertIsString($amount, 'sandbox amount: ' . $raw);
        $exp = ['JPY' => 0, 'KWD' => 3][$payment['currency']] ?? 2;
        [$int, $frac] = array_pad(explode('.', $amount, 2), 2, '');

        return (int) ($int . str_pad($frac, $exp, '0'));
    }

    private function perfexAttempts(int $invoiceId): array
    {
        return Stack::rows('SELECT * FROM tblpayment_attempts WHERE invoice_id = ' . $invoiceId);
    }

    /** @dataProvider gateways */
    public function testFeeCarryingPaymentIsChargedWithTheFeeAndRecordedAtTheInvoiceAmount(string $gateway, string $currency): void
    {
        $this->gateway = $gateway;
        $this->withFee('0.30', '2.9', function () use ($currency) {
            $invoice = $this->createInvoice($currency, '120.00');
            ['payment' => $payment] = $this->startCheckout($invoice);

            // 0.30 + 2.9 % of 120.00 = 3.78: Perfex stored it on its attempt, the provider charges 123.78.
            $this->assertSame(['123.78', '12378', '378'], [$payment['amount'], (string) $payment['amount_minor'], (string) $payment['fee_minor']]);
            $attempts = $this->perfexAttempts($invoice['id']);
            $this->assertCount(1, $attempts);
            $this->assertEqualsWithDelta(3.78, (float) $attempts[0]['fee'], 1e-9, 'Perfex stored the fee on its attempt row');
            $this->assertSame(12378, $this->chargedMinor($payment), 'the provider was asked for invoice amount + fee');

            $this->control($payment['provider_payment_id'], 'pay', ['deliver' => true]);
            $this->waitForRecords($invoice['id']);

            $this->assertOnePaymentRecorded($invoice, $payment, '120.00');
            $this->assertSame(2, $this->invoiceStatus($invoice['id']), 'the invoice is paid, not overpaid by the fee');
            $this->assertSame([], $this->perfexAttempts($invoice['id']), "Perfex's attempt row is gone once recorded");
            $after = $this->attemptNow($payment);
            $this->assertSame(['paid', '12378', '378'], [$after['status'], (string) $after['amount_minor'], (string) $after['fee_minor']],
                'the PayBridge attempt keeps what the customer paid and the fee in it');

            // Staff see the fee on the attempt's timeline and on its row in the list.
            $admin = $this->adminBrowser();
            [, , $timeline] = $admin->get($this->perfexUrl('admin/paybridge/timeline/' . $payment['id']));
            $this->assertStringContainsString('class="amount-paid" data-minor="12378">123.78 ' . $payment['currency'] . '<', $timeline);
            $this->assertStringContainsString('class="fee" data-minor="378">3.78 ' . $payment['currency'] . '<', $timeline);
            $this->assertStringContainsString('class="invoice-part">120.00 ' . $payment['currency'] . '<', $timeline);
            [, , $list] = $admin->get($this->perfexUrl('admin/paybridge'));
            $this->assertMatchesRegularExpression('#<tr data-payment-id="' . $payment['id'] . '">.*?class="amount">123\.78 ' . $payment['currency']
                . ' <small class="fee">\(incl\. fee 3\.78\)</small>#s', $list);
        });
    }

    /** @return array<string, array{0:string,1:string,2:string,3:int,4:int}> gateway, currency, total, charged minor, fee minor */
    public static function minorUnitFees(): array
    {
        // JPY: 0.30 + 2.9 % of 1200 = 35.10, which yen cannot hold: charged 35 (half up at exponent 0).
        // KWD: 0.30 + 2.9 % of 12.50 = 0.6625, Perfex rounds to 0.66: 660 fils (exact at exponent 3).
        return [
            'payrexx JPY' => ['payrexx', 'JPY', '1200.00', 1235, 35],
            'payrexx KWD' => ['payrexx', 'KWD', '12.50', 13160, 660],
            'noxipay JPY' => ['noxipay', 'JPY', '1200.00', 1235, 35],
            'noxipay KWD' => ['noxipay', 'KWD', '12.50', 13160, 660],
        ];
    }

    /** @dataProvider minorUnitFees */
    public function testFeeInACurrencyWithoutTwoDecimalsIsChargedInItsMinorUnitsAndTheInvoiceIsPaidExactly(
        string $gateway,
        string $currency,
        string $total,
        int $chargedMinor,
        int $feeMinor
    ): void {
        $this->gateway = $gateway;
        $this->withFee('0.30', '2.9', function () use ($currency, $total, $chargedMinor, $feeMinor) {
            $invoice = $this->createInvoice($currency, $total);
            ['payment' => $payment] = $this->startCheckout($invoice);
            $this->assertSame([$currency, $chargedMinor, $feeMinor], [$payment['currency'], (int) $payment['amount_minor'], (int) $payment['fee_minor']]);
            $this->assertSame($chargedMinor, $this->chargedMinor($payment), 'integer minor units sent to the provider');

            $this->control($payment['provider_payment_id'], 'pay', ['deliver' => true]);
            $this->waitForRecords($invoice['id']);

            $this->assertOnePaymentRecorded($invoice, $payment, $total);
            $this->assertSame(2, $this->invoiceStatus($invoice['id']), "the $currency invoice is paid exactly");
        });
    }

    /** @dataProvider gateways */
    public function testPaymentOfTheInvoiceAmountWithoutTheFeeIsRejectedLikeAnyAmountMismatch(string $gateway, string $currency): void
    {
        $this->gateway = $gateway;
        $this->withFee('0.30', '2.9', function () use ($currency) {
            $invoice = $this->createInvoice($currency, '120.00');
            ['payment' => $payment] = $this->startCheckout($invoice);
            $this->control($payment['provider_payment_id'], 'pay', ['amount' => '120.00', 'deliver' => true]);

            $event = $this->eventually(function () use ($payment) {
                return array_values(array_filter($this->events((int) $payment['id']), static function ($e) {
                    return $e['reason_code'] === 'amount_mismatch';
                }))[0] ?? null;
            });
            $this->assertNotNull($event, 'amount_mismatch: ' . json_encode($this->events((int) $payment['id'])));
            $this->assertSame('rejected', $event['outcome']);
            $this->assertCount(0, $this->paymentRecords($invoice['id']), 'an underpaid fee is never recorded as paid');
            $this->assertSame(1, $this->invoiceStatus($invoice['id']));
            $this->assertSame('rejected', $this->attemptNow($payment)['status']);
        });
    }

    /**
     * A payment that ends (here: Perfex's attempt row is gone, as after an expired attempt) and is paid
     * later still credits the invoice with the invoice amount: without Perfex's row the module passes
     * the invoice part itself instead of the attempt reference.
     */
    public function testLatePaymentWhosePerfexAttemptRowIsGoneIsStillRecordedWithoutTheFee(): void
    {
        $this->withFee('0.30', '2.9', function () {
            $invoice = $this->createInvoice('EUR', '120.00');
            ['payment' => $payment] = $this->startCheckout($invoice);
            Stack::db()->query('DELETE FROM tblpayment_attempts WHERE invoice_id = ' . (int) $invoice['id']);

            $this->control($payment['provider_payment_id'], 'pay', ['deliver' => true]);
            $this->waitForRecords($invoice['id']);

            $this->assertOnePaymentRecorded($invoice, $payment, '120.00');
            $this->assertSame(2, $this->invoiceStatus($invoice['id']));
        });
    }

    /**
     * Fee settings the module cannot read as decimals ("2,9": Perfex's float cast reads 2) make a fee it
     * cannot explain: the customer gets an alert and the provider is never asked.
     */
    public function testFeeTheModuleCannotExplainFromTheSettingsIsRefusedBeforeAnyProviderCall(): void
    {
        $this->withFee('0.30', '2,9', function () {
            $invoice = $this->createInvoice('EUR', '120.00');
            $browser = new Browser();
            [, , $html] = $browser->get($this->invoiceUrl($invoice));
            $form = Browser::findForm($html, static function (array $f) {
                return isset($f['radios']['paymentmode']);
            });
            $this->assertNotNull($form);
            $fields = $form['fields'] + ['make_payment' => '1'];
            $fields['paymentmode'] = 'neropay';
            [$status, $headers] = $browser->post($this->perfexUrl($form['action']), $fields);

            $this->assertContains($status, [302, 303]);
            $this->assertSame($this->invoiceUrl($invoice), $headers['location'] ?? '', 'back to the invoice, not to a checkout');
            [, , $page] = $browser->get($this->invoiceUrl($invoice));
            $this->assertStringContainsString('processing fee could not be confirmed', $page);
            $this->assertSame(0, (int) Stack::one('SELECT COUNT(*) AS n FROM tblpaybridge_payments WHERE invoice_id = ' . (int) $invoice['id'])['n'],
                'no attempt, so no provider call');
        });
    }
}
