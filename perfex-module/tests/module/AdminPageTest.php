<?php

require_once __DIR__ . '/bootstrap.php';

/** The staff page: attempts, events with reason codes, and re-check with the provider. */
final class AdminPageTest extends ModuleTestCase
{
    public function testAdminPageRequiresAStaffLogin(): void
    {
        [$status, $headers] = (new Browser())->get($this->perfexUrl('admin/paybridge'));
        $this->assertContains($status, [302, 303]);
        $this->assertStringContainsString('admin/authentication', $headers['location'] ?? '');
    }

    /**
     * Issue 10: the page lives under admin_url('paybridge'), so an IP restriction on /admin covers it; the
     * same controller reached outside /admin answers 404, and the old paybridge/admin address redirects.
     */
    public function testTheAdminPageAnswersOnlyUnderTheAdminUrlAndTheOldAddressRedirects(): void
    {
        $admin = $this->adminBrowser();
        [$status, , $html] = $admin->get($this->perfexUrl('admin/paybridge'));
        $this->assertSame(200, $status);
        $this->assertStringContainsString('PayBridge', $html);
        [$status] = $admin->get($this->perfexUrl('paybridge'));
        $this->assertSame(404, $status, 'not reachable outside /admin');
        [$status] = $admin->get($this->perfexUrl('paybridge/paybridge/index'));
        $this->assertSame(404, $status, 'not reachable outside /admin');
        [$status, $headers] = $admin->get($this->perfexUrl('paybridge/admin'));
        $this->assertContains($status, [301, 302, 303]);
        $this->assertSame($this->perfexUrl('admin/paybridge'), $headers['location'] ?? '');
    }

    public function testRecheckWithProviderRecordsAPaidPaymentWhoseWebhookNeverCame(): void
    {
        $invoice = $this->createInvoice('EUR', '88.00');
        ['payment' => $payment] = $this->startCheckout($invoice);
        $this->control($payment['provider_payment_id'], 'pay', ['deliver' => false]);

        $admin = $this->adminBrowser();
        [$status, , $html] = $admin->get($this->perfexUrl('admin/paybridge'));
        $this->assertSame(200, $status);
        $form = Browser::findForm($html, static function (array $f) use ($payment) {
            return substr($f['action'], -strlen('/admin/paybridge/recheck/' . $payment['id'])) === '/admin/paybridge/recheck/' . $payment['id'];
        });
        $this->assertNotNull($form, 'pending payment has a re-check button');

        [$status, $headers] = $admin->post($form['action'], $form['fields']);
        $this->assertContains($status, [302, 303], 'the POST (with its CSRF token) was accepted');
        $this->assertStringEndsWith('/admin/paybridge', $headers['location'] ?? '');

        $this->assertOnePaymentRecorded($invoice, $payment, '88.00');
        $this->assertSame(2, $this->invoiceStatus($invoice['id']));
        $events = $this->events((int) $payment['id']);
        $this->assertSame('recheck', end($events)['source']);
    }

    public function testRecheckWithoutCsrfTokenIsRefused(): void
    {
        $invoice = $this->createInvoice('EUR', '89.00');
        ['payment' => $payment] = $this->startCheckout($invoice);
        $this->control($payment['provider_payment_id'], 'pay', ['deliver' => false]);

        [$status] = $this->adminBrowser()->post($this->perfexUrl('admin/paybridge/recheck/' . $payment['id']), []);

        $this->assertContains($status, [403, 419]);
        $this->assertCount(0, $this->paymentRecords($invoice['id']));
    }

    public function testNoSecretAppearsInTheAdminPageOrEventRows(): void
    {
        [, , $html] = $this->adminBrowser()->get($this->perfexUrl('admin/paybridge'));
        $secret = Stack::env('NEROPAY_SECRET_KEY');
        $this->assertStringNotContainsString($secret, $html);
        $dump = json_encode(Stack::rows('SELECT * FROM tblpaybridge_events')) . json_encode(Stack::rows('SELECT * FROM tblpaybridge_payments'))
            . json_encode(Stack::rows('SELECT description FROM tblactivity_log'));
        $this->assertStringNotContainsString($secret, $dump);
    }
}
