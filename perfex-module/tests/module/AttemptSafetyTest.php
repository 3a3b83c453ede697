<?php

require_once __DIR__ . '/bootstrap.php';
require_once __DIR__ . '/Issue9Steps.php';

/**
 * Issue 9 item 10, module side: separate return/webhook tokens (and old attempts still working), the
 * attempt's account, plain-http checkout URLs refused, a database error on attempt creation shown to the
 * customer as an alert, and Payrexx form webhooks through the stand-in's CodeIgniter 3 input cleaning.
 */
final class AttemptSafetyTest extends ModuleTestCase
{
    use Issue9Steps;

    private string $provider = 'neropay';

    protected function provider(): string
    {
        return $this->provider;
    }

    public function testReturnUrlAndWebhookUrlEachAcceptOnlyTheirOwnToken(): void
    {
        $invoice = $this->createInvoice('EUR', '61.00');
        ['payment' => $payment] = $this->startCheckout($invoice);
        $this->assertMatchesRegularExpression('/^[0-9a-f]{32}$/', (string) $payment['return_token']);
        $this->assertNotSame($payment['token'], $payment['return_token']);

        [$status] = (new Browser())->get($this->perfexUrl('paybridge/payment/return_url/neropay/' . $payment['token']));
        $this->assertSame(404, $status, 'the webhook token does not open the return URL (and so not the invoice link)');
        [$status, $headers] = (new Browser())->get($this->perfexUrl('paybridge/payment/return_url/neropay/' . $payment['return_token']));
        $this->assertContains($status, [302, 303]);
        $this->assertSame($this->invoiceUrl($invoice), $headers['location'] ?? '');

        [$status, $json] = $this->postWebhook($payment['return_token'], '');
        $this->assertSame([404, 'unknown_payment'], [$status, $json['error'] ?? null], 'the return token is no webhook token');
    }

    /** Attempts created before the split (one token for both URLs) keep working after the upgrade. */
    public function testAttemptCreatedBeforeTheTokenSplitKeepsItsReturnAndWebhookUrlsAfterUpgrade(): void
    {
        $invoice = $this->createInvoice('EUR', '62.00');
        ['payment' => $payment] = $this->startCheckout($invoice);
        $this->control($payment['provider_payment_id'], 'pay', ['deliver' => false]);
        Stack::db()->query('UPDATE tblpaybridge_payments SET return_token = NULL, account = NULL WHERE id = ' . (int) $payment['id']);

        Stack::cli('activate', 'paybridge'); // runs install.php again, like an upgrade
        Stack::cli('activate', 'paybridge'); // and twice changes nothing

        $this->assertSame($payment['token'], $this->attemptRow((int) $payment['id'])['return_token']);
        [$status, $headers] = (new Browser())->get($this->perfexUrl('paybridge/payment/return_url/neropay/' . $payment['token']));
        $this->assertContains($status, [302, 303], 'the return URL handed to the provider still works');
        $this->assertSame($this->invoiceUrl($invoice), $headers['location'] ?? '');
        $this->assertOnePaymentRecorded($invoice, $payment, '62.00');
        [$status, $json] = $this->postWebhook($payment['token'], $this->ipnBody('evt_legacy_' . $payment['id'], 'transaction.succeeded', $payment));
        $this->assertSame(200, $status, json_encode($json));
    }

    /**
     * The attempt keeps the account it was created with. After the admin switches the NeroPay account, the
     * old account's attempt is never read with the new credentials: webhook 200 ignored/other_account, the
     * return URL and re-check read nothing, staff see "other_account"; switched back, it records normally.
     */
    public function testAttemptOfAnotherAccountIsNeverReadWithTheCurrentCredentials(): void
    {
        $invoice = $this->createInvoice('EUR', '63.00');
        ['payment' => $payment] = $this->startCheckout($invoice);
        $account = json_decode((string) $payment['account'], true);
        $this->assertSame(rtrim(Stack::env('NEROPAY_BASE_URL'), '/'), $account['base_url'] ?? null, 'the attempt records its account');
        $this->assertArrayHasKey('account', $account);
        $this->control($payment['provider_payment_id'], 'pay', ['deliver' => false]);
        $reads = $this->apiReads($payment['provider_payment_id']);

        Stack::cli('configure-gateway', 'neropay', 'account=acct_other_merchant');
        try {
            [$status, $json] = $this->postWebhook($payment['token'], $this->ipnBody('evt_acct_' . $payment['id'], 'transaction.succeeded', $payment));
            [$returnStatus] = (new Browser())->get($this->perfexUrl('paybridge/payment/return_url/neropay/' . $payment['return_token']));
            $admin = $this->adminBrowser();
            [$recheckStatus] = $admin->post($this->perfexUrl('admin/paybridge/recheck/' . $payment['id']), $this->csrfFields($admin));
            [, , $page] = $admin->get($this->perfexUrl('admin/paybridge'));
        } finally {
            Stack::cli('configure-gateway', 'neropay', 'account=');
        }

        $this->assertSame([200, ['result' => 'ignored', 'reason' => 'other_account']], [$status, $json]);
        $this->assertContains($returnStatus, [302, 303]);
        $this->assertContains($recheckStatus, [302, 303]);
        $this->assertSame($reads, $this->apiReads($payment['provider_payment_id']), 'not one read with the other account\'s credentials');
        $this->assertCount(0, $this->paymentRecords($invoice['id']));
        $this->assertMatchesRegularExpression('/data-payment-id="' . $payment['id'] . '".*?class="status">[a-z_]+ \(other_account\)/s', $page, 'staff see it');

        [$status, $json] = $this->postWebhook($payment['token'], $this->ipnBody('evt_acct2_' . $payment['id'], 'transaction.succeeded', $payment));
        $this->assertSame([200, 'recorded'], [$status, $json['result'] ?? null], json_encode($json));
        $this->assertOnePaymentRecorded($invoice, $payment, '63.00');
    }

    public function testCheckoutUrlThatIsNotHttpsIsRefusedBeforeRedirectingTheCustomer(): void
    {
        $port = $this->freePort();
        $proxy = proc_open([PHP_BINARY, '-S', '127.0.0.1:' . $port, __DIR__ . '/fixtures/plain_http_checkout_proxy.php'],
            [1 => ['file', '/dev/null', 'w'], 2 => ['file', '/dev/null', 'w']], $pipes, null,
            array_merge(getenv(), ['PROXY_UPSTREAM' => Stack::env('SANDBOX_URL')]));
        $this->eventually(static function () use ($port) {
            $s = @fsockopen('127.0.0.1', $port);

            return $s ? fclose($s) : false;
        }, 5.0);
        $base = rtrim(Stack::env('NEROPAY_BASE_URL'), '/');
        $viaProxy = preg_replace('#^http://127\.0\.0\.1:\d+#', 'http://127.0.0.1:' . $port, $base);
        Stack::cli('configure-gateway', 'neropay', 'base_url=' . $viaProxy);
        try {
            $invoice = $this->createInvoice('EUR', '64.00');
            $browser = new Browser();
            [, , $html] = $browser->get($this->invoiceUrl($invoice));
            $form = Browser::findForm($html, static fn (array $f) => isset($f['radios']['paymentmode']) || isset($f['fields']['paymentmode']));
            $fields = $form['fields'];
            foreach ($form['buttons'] as [$name, $value]) {
                if ($name !== '') {
                    $fields[$name] = $value;
                }
            }
            $fields['paymentmode'] = 'neropay';
            [$status, $headers] = $browser->post($this->perfexUrl($form['action']), $fields);
        } finally {
            Stack::cli('configure-gateway', 'neropay', 'base_url=' . $base);
            proc_terminate($proxy);
            proc_close($proxy);
        }

        $this->assertContains($status, [302, 303]);
        $this->assertSame($this->invoiceUrl($invoice), $headers['location'] ?? '', 'back to the invoice, not to http://pay.example.test');
        $attempt = Stack::one('SELECT * FROM tblpaybridge_payments WHERE invoice_id = ' . (int) $invoice['id'] . ' ORDER BY id DESC LIMIT 1');
        $this->assertSame(['create_failed', 'insecure_checkout_url'], [$attempt['status'], $attempt['error_code']]);
        [, , $page] = $browser->get($this->invoiceUrl($invoice));
        $this->assertStringContainsString('id="alert-danger"', $page, 'the customer sees an error alert');
    }

    public function testDatabaseErrorWhileCreatingTheAttemptShowsTheCustomerAnAlertNotA500(): void
    {
        $invoice = $this->createInvoice('EUR', '65.00');
        $browser = new Browser();
        [, , $html] = $browser->get($this->invoiceUrl($invoice));
        $form = Browser::findForm($html, static fn (array $f) => isset($f['radios']['paymentmode']) || isset($f['fields']['paymentmode']));
        $fields = $form['fields'];
        foreach ($form['buttons'] as [$name, $value]) {
            if ($name !== '') {
                $fields[$name] = $value;
            }
        }
        $fields['paymentmode'] = 'neropay';
        // The INSERT of the attempt row fails the way a full disk or a broken table would.
        Stack::db()->query("CREATE TRIGGER paybridge_test_refuse_attempt BEFORE INSERT ON tblpaybridge_payments FOR EACH ROW
            SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused by test'");
        try {
            [$status, $headers] = $browser->post($this->perfexUrl($form['action']), $fields);
        } finally {
            Stack::db()->query('DROP TRIGGER IF EXISTS paybridge_test_refuse_attempt');
        }

        $this->assertContains($status, [302, 303], 'no 500 page');
        $this->assertSame($this->invoiceUrl($invoice), $headers['location'] ?? '');
        [$status, , $page] = $browser->get($this->invoiceUrl($invoice));
        $this->assertSame(200, $status);
        $this->assertStringContainsString('id="alert-danger"', $page, 'the customer sees an error alert');
        $this->assertNull(Stack::one('SELECT id FROM tblpaybridge_payments WHERE invoice_id = ' . (int) $invoice['id']));
    }

    /**
     * Payrexx "Normal (PHP-Post)" webhooks have bracketed keys (transaction[invoice][referenceId]); the
     * stand-in cleans $_POST like CodeIgniter 3.1 and a hostile extra key only collapses to key 0 there.
     * The module reads the raw body, so the payment is recorded all the same.
     */
    public function testPayrexxFormWebhookWithAHostileKeyStillRecordsThePayment(): void
    {
        $this->provider = 'payrexx';
        $invoice = $this->createInvoice('CHF', '66.00');
        ['payment' => $payment] = $this->startCheckout($invoice);
        $this->control($payment['provider_payment_id'], 'pay', ['deliver' => false]);
        [$code, , $raw] = (new Browser())->get(rtrim(Stack::env('SANDBOX_URL'), '/') . '/_control/payrexx/payments/'
            . rawurlencode($payment['provider_payment_id']) . '/webhook?type=confirmed&format=form');
        $this->assertSame(200, $code);
        $wh = json_decode($raw, true);
        $this->assertStringContainsString('transaction%5Binvoice%5D%5BreferenceId%5D=', $wh['body']);
        $body = $wh['body'] . '&' . rawurlencode('b@d key') . '=1&' . rawurlencode('transaction[é<x>]') . '=2';
        $headers = [];
        foreach ($wh['headers'] as $name => $value) {
            $headers[] = $name . ': ' . $value;
        }

        [$status, , $answer] = (new Browser())->request('POST', $this->perfexUrl('paybridge/webhook/payrexx'), $body, $headers);

        $this->assertSame([200, 'recorded'], [$status, json_decode($answer, true)['result'] ?? null], $answer);
        $this->assertOnePaymentRecorded($invoice, $payment, '66.00');
    }

    private function freePort(): int
    {
        $s = stream_socket_server('tcp://127.0.0.1:0');
        $port = (int) substr(strrchr(stream_socket_get_name($s, false), ':'), 1);
        fclose($s);

        return $port;
    }
}
