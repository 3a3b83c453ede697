<?php

require_once __DIR__ . '/bootstrap.php';
require_once __DIR__ . '/Issue9Steps.php';

/**
 * Issue 9 item 7: the PayBridge page needs staff_can('view', 'payments'), re-check needs
 * staff_can('create', 'payments'), the menu entry shows only to those who may view, everyone else gets
 * Perfex's access_denied(); the page renders inside the admin layout (init_head / init_tail).
 */
final class AdminPermissionsTest extends ModuleTestCase
{
    use Issue9Steps;

    /** A NeroPay attempt paid at the provider whose webhook never came: a re-check would record it. */
    private function pendingPaidAttempt(string $total): array
    {
        $invoice = $this->createInvoice('EUR', $total);
        ['payment' => $payment] = $this->startCheckout($invoice);
        $this->control($payment['provider_payment_id'], 'pay', ['deliver' => false]);

        return [$invoice, $payment];
    }

    public function testStaffWithoutPaymentsPermissionGetsAccessDeniedOnThePageAndOnReCheck(): void
    {
        [$invoice, $payment] = $this->pendingPaidAttempt('41.00');
        $staff = $this->staffBrowser('no-payments@example.test', ['invoices:view']);

        [$status, $headers] = $staff->get($this->perfexUrl('admin/paybridge'));
        $this->assertContains($status, [302, 303], 'page refused');
        $this->assertStringEndsWith('/admin/access_denied', $headers['location'] ?? '');
        [$status, , $html] = $staff->get($headers['location']);
        $this->assertSame(200, $status);
        $this->assertStringContainsString('id="alert-danger"', $html);
        $this->assertStringContainsString('Access denied', $html);
        $this->assertStringNotContainsString('id="menu-paybridge"', $html, 'no menu entry');

        $reads = $this->apiReads($payment['provider_payment_id']);
        [$status, $headers] = $staff->post($this->perfexUrl('admin/paybridge/recheck/' . $payment['id']), $this->csrfFields($staff));
        $this->assertContains($status, [302, 303], 're-check refused');
        $this->assertStringEndsWith('/admin/access_denied', $headers['location'] ?? '');
        $this->assertCount(0, $this->paymentRecords($invoice['id']));
        $this->assertSame($reads, $this->apiReads($payment['provider_payment_id']), 'nothing was read from the provider');
    }

    public function testStaffWithViewPermissionSeesThePageButCannotReCheck(): void
    {
        [$invoice, $payment] = $this->pendingPaidAttempt('42.00');
        $staff = $this->staffBrowser('view-payments@example.test', ['payments:view']);

        [$status, , $html] = $staff->get($this->perfexUrl('admin/paybridge'));
        $this->assertSame(200, $status);
        $this->assertStringContainsString('data-payment-id="' . $payment['id'] . '"', $html, 'the attempt is listed');
        $this->assertStringNotContainsString('admin/paybridge/recheck/' . $payment['id'], $html, 'no re-check button');
        $this->assertStringContainsString('id="menu-paybridge"', $html, 'the menu entry shows');

        [$status, $headers] = $staff->post($this->perfexUrl('admin/paybridge/recheck/' . $payment['id']),
            $this->csrfFields($staff));
        $this->assertContains($status, [302, 303]);
        $this->assertStringEndsWith('/admin/access_denied', $headers['location'] ?? '');
        $this->assertCount(0, $this->paymentRecords($invoice['id']), 're-check refused: nothing recorded');
    }

    public function testStaffWithCreatePermissionCanReCheck(): void
    {
        [$invoice, $payment] = $this->pendingPaidAttempt('43.00');
        $staff = $this->staffBrowser('create-payments@example.test', ['payments:view', 'payments:create']);

        [$status, , $html] = $staff->get($this->perfexUrl('admin/paybridge'));
        $this->assertSame(200, $status);
        $form = Browser::findForm($html, static function (array $f) use ($payment) {
            return substr($f['action'], -strlen('/admin/paybridge/recheck/' . $payment['id'])) === '/admin/paybridge/recheck/' . $payment['id'];
        });
        $this->assertNotNull($form, 'the re-check button shows');
        [$status] = $staff->post($form['action'], $form['fields']);
        $this->assertContains($status, [302, 303]);

        $this->assertOnePaymentRecorded($invoice, $payment, '43.00');
    }

    public function testAdminSeesTheMenuEntryAndThePageInsidePerfexsAdminLayout(): void
    {
        $admin = $this->staffBrowser('second-admin@example.test', [], true);

        [$status, , $html] = $admin->get($this->perfexUrl('admin/paybridge'));

        $this->assertSame(200, $status);
        $this->assertStringContainsString('id="menu-paybridge"', $html, 'menu entry');
        $this->assertMatchesRegularExpression('#<header>.*id="logout".*</header>\s*<main>.*<div id="paybridge-admin">.*</main>\s*</body>#s', $html,
            'the page body sits between init_head() and init_tail()');
        $this->assertSame(1, substr_count($html, '<html'), 'one document, not a page inside a page');
    }
}
