<?php

require_once __DIR__ . '/bootstrap.php';

/**
 * Issue 10 stand-in item 4: real Perfex still routes an inactive module's controllers but does not load its
 * init file. Every module controller then answers 404 (never a fatal error / 500).
 */
final class InactiveModuleTest extends ModuleTestCase
{
    public function testEveryModuleControllerAnswers404WhileTheModuleIsInactive(): void
    {
        $invoice = $this->createInvoice('EUR', '21.00');
        ['payment' => $payment] = $this->startCheckout($invoice);
        $admin = $this->adminBrowser();
        Stack::cli('deactivate', 'paybridge');
        try {
            $answers = [];
            foreach (['paybridge/admin', 'admin/paybridge', 'paybridge/admin/recheck/' . (int) $payment['id'],
                'paybridge/payment/return_url/neropay/' . $payment['return_token'],
                'paybridge/webhook/neropay/' . $payment['token'], 'paybridge/webhook/payrexx'] as $path) {
                [$status] = $admin->get($this->perfexUrl($path));
                $answers['GET ' . $path] = $status;
            }
            [$status] = (new Browser())->postJson($this->perfexUrl('paybridge/webhook/neropay/' . $payment['token']), ['id' => 'evt_x']);
            $answers['POST webhook'] = $status;
            $this->assertSame(array_fill_keys(array_keys($answers), 404), $answers);
        } finally {
            Stack::cli('activate', 'paybridge');
        }
        [$status] = $admin->get($this->perfexUrl('admin/paybridge'));
        $this->assertContains($status, [200, 301, 302, 303], 'back once active');
    }
}
