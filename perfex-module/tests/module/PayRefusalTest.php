<?php

require_once __DIR__ . '/bootstrap.php';

/**
 * Issue 10 stand-in item 2: like real Perfex, the stand-in's process_payment() no longer checks the amount,
 * the invoice status or the allowed modes and hands the gateway a float. The module refuses, before any
 * provider call and with an alert on the invoice page.
 */
final class PayRefusalTest extends ModuleTestCase
{
    /** Reads the Pay form while the invoice is payable, lets $change alter the invoice, then posts the form. */
    private function pressPay(array $invoice, ?string $amount, ?callable $change = null): array
    {
        $browser = new Browser();
        [$status, , $html] = $browser->get($this->invoiceUrl($invoice));
        $this->assertSame(200, $status);
        $form = Browser::findForm($html, static function (array $f) {
            return isset($f['radios']['paymentmode']) || isset($f['fields']['paymentmode']);
        });
        $this->assertNotNull($form);
        $fields = $form['fields'];
        foreach ($form['buttons'] as [$name, $value]) {
            if ($name !== '') {
                $fields[$name] = $value;
            }
        }
        $fields['paymentmode'] = 'neropay';
        if ($amount !== null) {
            $fields['amount'] = $amount;
        }
        if ($change) {
            $change();
        }
        [$status, $headers] = $browser->post($this->perfexUrl($form['action']), $fields);
        $this->assertContains($status, [302, 303]);
        $this->assertSame($this->invoiceUrl($invoice), $headers['location'] ?? '', 'back to the invoice, not to a checkout');
        // The attempt row is written before the provider is called, so no row means no provider call.
        $this->assertSame(0, (int) Stack::one('SELECT COUNT(*) AS n FROM tblpaybridge_payments WHERE invoice_id = ' . (int) $invoice['id'])['n'],
            'no attempt and so no provider call');
        [, , $page] = $browser->get($this->invoiceUrl($invoice));
        preg_match('#id="alert-danger"[^>]*>([^<]*)<#', $page, $m);

        return ['alert' => html_entity_decode($m[1] ?? '', ENT_QUOTES)];
    }

    public function testAnAmountOverWhatIsLeftToPayIsRefusedBeforeTheProvider(): void
    {
        $invoice = $this->createInvoice('EUR', '40.00');
        $r = $this->pressPay($invoice, '40.01');
        $this->assertStringContainsString('more than what is left to pay', $r['alert']);
    }

    public function testAnAmountWithMoreDecimalsThanTheCurrencyIsRefusedNotRounded(): void
    {
        $invoice = $this->createInvoice('EUR', '40.00');
        $r = $this->pressPay($invoice, '10.005');
        $this->assertStringContainsString('no more decimals than the invoice currency has', $r['alert']);
    }

    /** @dataProvider unpayableStatuses */
    public function testAPaidCancelledOrDraftInvoiceIsRefused(int $status): void
    {
        $invoice = $this->createInvoice('EUR', '40.00');
        $r = $this->pressPay($invoice, null, static function () use ($invoice, $status) {
            Stack::db()->query('UPDATE tblinvoices SET status = ' . $status . ' WHERE id = ' . (int) $invoice['id']);
        });
        $this->assertStringContainsString('cannot be paid online now', $r['alert']);
    }

    public static function unpayableStatuses(): array
    {
        return ['paid' => [2], 'cancelled' => [5], 'draft' => [6]];
    }

    public function testAModeNotAllowedForTheInvoiceIsRefused(): void
    {
        $invoice = $this->createInvoice('EUR', '40.00');
        $r = $this->pressPay($invoice, null, static function () use ($invoice) {
            Stack::db()->query("UPDATE tblinvoices SET allowed_payment_modes = '" . serialize(['noxipay']) . "' WHERE id = " . (int) $invoice['id']);
        });
        $this->assertStringContainsString('not available for this invoice', $r['alert']);
    }
}
