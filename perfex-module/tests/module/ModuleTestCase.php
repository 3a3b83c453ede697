<?php

use PHPUnit\Framework\TestCase;

require_once __DIR__ . '/Stack.php';
require_once __DIR__ . '/Browser.php';

/**
 * Shared steps for the module tests: real HTTP through nginx, real MariaDB, the real extension (loaded
 * by php-fpm) and the real provider sandbox. Steps act on provider() (NeroPay unless a test overrides it).
 */
abstract class ModuleTestCase extends TestCase
{
    private static bool $prepared = false;

    public static function setUpBeforeClass(): void
    {
        if (!self::$prepared) {
            self::prepareStack();
            self::$prepared = true;
        }
    }

    /** The gateway id the steps below use. */
    protected function provider(): string
    {
        return 'neropay';
    }

    /** Module installed + active, the three gateways configured against the sandbox. Idempotent. */
    protected static function prepareStack(): void
    {
        $perfex = Stack::env('PERFEX_URL');
        [$status] = (new Browser())->get($perfex . '/');
        if ($status === 0 || $status >= 500) {
            throw new RuntimeException("The stand-in at $perfex is not answering (HTTP $status); run `scripts/stack up`.");
        }
        [$status] = (new Browser())->get(Stack::env('SANDBOX_URL') . '/_control/deliveries');
        if ($status !== 200) {
            throw new RuntimeException('The sandbox at ' . Stack::env('SANDBOX_URL') . " is not answering (HTTP $status).");
        }
        $modules = json_decode(Stack::cli('modules'), true) ?: [];
        if (!in_array('paybridge', array_column($modules, 'name'), true)) {
            Stack::cli('link-module', Stack::root() . '/perfex-module/paybridge');
        }
        Stack::cli('activate', 'paybridge');
        Stack::cli('set-option', 'allow_payment_amount_to_be_modified', '1');
        Stack::cli('configure-gateway', 'neropay',
            'active=1',
            'secret_key=' . Stack::env('NEROPAY_SECRET_KEY'),
            'webhook_secret=',
            'base_url=' . Stack::env('NEROPAY_BASE_URL'),
            'currencies=EUR,GBP,USD',
            'test_mode_enabled=1'
        );
        Stack::cli('configure-gateway', 'payrexx',
            'active=1',
            'instance=' . Stack::env('PAYREXX_INSTANCE'),
            'secret_key=' . Stack::env('PAYREXX_SECRET_KEY'),
            'webhook_secret=',
            'base_url=' . Stack::env('PAYREXX_BASE_URL'),
            'currencies=CHF,EUR,USD,JPY,KWD',
            // The sandbox plays a live Payrexx instance: its transactions are `mode` LIVE unless
            // paid with {"mode": "TEST"} (sandbox/README.md, issue 9 contract 5).
            'test_mode_enabled=0'
        );
        Stack::cli('configure-gateway', 'noxipay',
            'active=1',
            'secret_key=' . Stack::env('NOXIPAY_SECRET_KEY'),
            'webhook_secret=' . Stack::env('NOXIPAY_WEBHOOK_SECRET'),
            'base_url=' . Stack::env('NOXIPAY_BASE_URL'),
            'currencies=EUR,USD,GBP,CHF,JPY,KWD',
            'test_mode_enabled=1'
        );
    }

    protected function perfexUrl(string $path = ''): string
    {
        if (preg_match('#^https?://#', $path)) {
            return $path;
        }

        return rtrim(Stack::env('PERFEX_URL'), '/') . '/' . ltrim($path, '/');
    }

    /** @return array{id:int, hash:string} */
    protected function createInvoice(string $currency = 'EUR', string $total = '120.00', array $extra = []): array
    {
        $out = Stack::cli('create-invoice', '--currency', $currency, '--total', $total, ...$extra);
        $id = $this->parseId($out);
        $row = Stack::one('SELECT id, hash FROM tblinvoices WHERE id = ' . $id);
        $this->assertNotNull($row, "create-invoice printed id $id but no row exists: $out");

        return ['id' => (int) $row['id'], 'hash' => $row['hash']];
    }

    private function parseId(string $out): int
    {
        $json = json_decode(trim($out), true);
        if (is_array($json) && isset($json['id'])) {
            return (int) $json['id'];
        }
        if (preg_match('/\b(\d+)\b/', $out, $m)) {
            return (int) $m[1];
        }
        $this->fail("cannot read the invoice id from create-invoice output: $out");
    }

    protected function invoiceUrl(array $invoice): string
    {
        return $this->perfexUrl('invoice/' . $invoice['id'] . '/' . $invoice['hash']);
    }

    /**
     * Customer presses "Pay" on the invoice page with provider() selected.
     * @return array{browser:Browser, checkout:string, payment:array}
     */
    protected function startCheckout(array $invoice, ?string $amount = null): array
    {
        $browser = new Browser();
        [$status, , $html] = $browser->get($this->invoiceUrl($invoice));
        $this->assertSame(200, $status, 'invoice page');
        $form = Browser::findForm($html, static function (array $f) {
            return isset($f['fields']['paymentmode']) || isset($f['radios']['paymentmode']);
        });
        $this->assertNotNull($form, 'the invoice page has a payment form');
        $fields = $form['fields'];
        foreach ($form['buttons'] as [$name, $value]) {
            if ($name !== '') {
                $fields[$name] = $value; // make_payment=1
            }
        }
        $this->assertArrayHasKey($this->provider(), array_flip($form['radios']['paymentmode'] ?? [$fields['paymentmode'] ?? '']),
            'the invoice page offers ' . $this->provider());
        $fields['paymentmode'] = $this->provider();
        if ($amount !== null) {
            $fields['amount'] = $amount;
        }
        [$status, $headers] = $browser->post($this->perfexUrl($form['action']), $fields);
        $this->assertContains($status, [301, 302, 303], 'Pay redirects to the checkout');
        $location = $headers['location'] ?? '';
        $this->assertStringStartsWith(rtrim(Stack::env('SANDBOX_URL'), '/'), $location, 'redirected to the sandbox checkout');
        $payment = Stack::one('SELECT * FROM tblpaybridge_payments WHERE invoice_id = ' . (int) $invoice['id'] . ' ORDER BY id DESC LIMIT 1');
        $this->assertNotNull($payment);
        $this->assertSame($location, $payment['checkout_url']);

        return ['browser' => $browser, 'checkout' => $location, 'payment' => $payment];
    }

    /** POST $SANDBOX_URL/_control/<provider>/payments/{id}/{action}. */
    protected function control(string $providerPaymentId, string $action, array $body = []): array
    {
        [$status, , $raw] = (new Browser())->postJson(
            rtrim(Stack::env('SANDBOX_URL'), '/') . '/_control/' . $this->provider() . '/payments/' . rawurlencode($providerPaymentId) . '/' . $action,
            $body ?: new stdClass()
        );
        $this->assertLessThan(300, $status, "sandbox control $action: $raw");

        return json_decode($raw, true) ?: [];
    }

    protected function webhookUrl(string $token): string
    {
        return $this->perfexUrl('paybridge/webhook/' . $this->provider() . '/' . $token);
    }

    /** A NeroPay-shaped IPN body (providers.md §N5) for a payment link. */
    protected function ipnBody(string $eventId, string $type, array $payment, string $status = 'succeeded', ?string $amount = null): string
    {
        return json_encode([
            'id'         => $eventId,
            'type'       => $type,
            'created_at' => gmdate('Y-m-d\TH:i:s\Z'),
            'account_id' => 'NPTEST_1',
            'transaction' => [
                'id'       => $payment['provider_payment_id'],
                'trx'      => $payment['reference'],
                'status'   => $status,
                'amount'   => $amount ?? $payment['amount'],
                'currency' => $payment['currency'],
            ],
        ]);
    }

    protected function paymentRecords(int $invoiceId): array
    {
        return Stack::rows('SELECT * FROM tblinvoicepaymentrecords WHERE invoiceid = ' . $invoiceId . ' ORDER BY id');
    }

    protected function invoiceStatus(int $invoiceId): int
    {
        return (int) Stack::one('SELECT status FROM tblinvoices WHERE id = ' . $invoiceId)['status'];
    }

    protected function events(int $paymentRowId): array
    {
        return Stack::rows('SELECT * FROM tblpaybridge_events WHERE payment_row_id = ' . $paymentRowId . ' ORDER BY id');
    }

    /** Polls until $probe returns a truthy value or the timeout passes; returns the last value. */
    protected function eventually(callable $probe, float $seconds = 10.0)
    {
        $deadline = microtime(true) + $seconds;
        do {
            $v = $probe();
            if ($v) {
                return $v;
            }
            usleep(100000);
        } while (microtime(true) < $deadline);

        return $v;
    }

    /** Staff session on the stand-in (ADMIN_EMAIL / ADMIN_PASSWORD). */
    protected function adminBrowser(): Browser
    {
        $b = new Browser();
        [, , $html] = $b->get($this->perfexUrl('admin/authentication'));
        $form = Browser::findForm($html, static function (array $f) {
            return isset($f['fields']['password']);
        });
        $this->assertNotNull($form, 'admin login form');
        $fields = $form['fields'];
        $fields['email'] = Stack::env('ADMIN_EMAIL');
        $fields['password'] = Stack::env('ADMIN_PASSWORD');
        [$status] = $b->post($this->perfexUrl($form['action'] ?: 'admin/authentication'), $fields);
        $this->assertContains($status, [200, 302, 303]);

        return $b;
    }

    /** On the sandbox's hosted checkout, presses the button with id pay|cancel|fail; returns the response. */
    protected function pressCheckoutButton(Browser $browser, string $checkoutUrl, string $button = 'pay'): array
    {
        [$status, , $html] = $browser->get($checkoutUrl);
        $this->assertSame(200, $status, 'sandbox checkout page');
        $form = Browser::findForm($html, static function (array $f) use ($button) {
            return isset($f['buttons'][$button]);
        });
        $this->assertNotNull($form, "checkout page has a '$button' button");
        $fields = $form['fields'];
        [$name, $value] = $form['buttons'][$button];
        if ($name !== '') {
            $fields[$name] = $value;
        }
        $action = $form['action'] === '' ? $checkoutUrl : $form['action'];
        if (!preg_match('#^https?://#', $action)) {
            $parts = parse_url($checkoutUrl);
            $action = $parts['scheme'] . '://' . $parts['host'] . (isset($parts['port']) ? ':' . $parts['port'] : '') . '/' . ltrim($action, '/');
        }

        return $browser->post($action, $fields);
    }

    protected function assertOnePaymentRecorded(array $invoice, array $payment, string $amount): array
    {
        $records = $this->paymentRecords($invoice['id']);
        $this->assertCount(1, $records, 'exactly one row in tblinvoicepaymentrecords');
        $this->assertSame($amount, $records[0]['amount']);
        $this->assertSame($this->provider(), $records[0]['paymentmode']);
        $this->assertSame($payment['provider_payment_id'], $records[0]['transactionid']);
        $this->assertCount(1, Stack::rows('SELECT id FROM tblpaybridge_recorded WHERE provider = ' . $this->quote($this->provider())
            . ' AND provider_payment_id = ' . $this->quote($payment['provider_payment_id'])));

        return $records[0];
    }

    protected function quote(string $s): string
    {
        return "'" . Stack::db()->real_escape_string($s) . "'";
    }

    protected function waitForRecords(int $invoiceId, int $count = 1, float $seconds = 10.0): array
    {
        return $this->eventually(function () use ($invoiceId, $count) {
            $rows = $this->paymentRecords($invoiceId);

            return count($rows) >= $count ? $rows : [];
        }, $seconds) ?: [];
    }

    /** Largest id in a table now (to look only at rows a test step adds). */
    protected function maxId(string $table): int
    {
        return (int) Stack::one('SELECT COALESCE(MAX(id), 0) AS id FROM ' . $table)['id'];
    }

    /** Staff notifications (tblnotifications) written after row $since. */
    protected function notificationsSince(int $since): array
    {
        return Stack::rows('SELECT * FROM tblnotifications WHERE id > ' . $since . ' ORDER BY id');
    }

    /** Activity-log descriptions written after row $since. */
    protected function activitySince(int $since): array
    {
        return array_column(Stack::rows('SELECT description FROM tblactivity_log WHERE id > ' . $since . ' ORDER BY id'), 'description');
    }

    protected function attemptNow(array $payment): array
    {
        return Stack::one('SELECT * FROM tblpaybridge_payments WHERE id = ' . (int) $payment['id']);
    }

    /** The customer's browser comes back on the payment's return URL; returns the response (not followed). */
    protected function visitReturnUrl(array $payment): array
    {
        // The return URL has its own token where the schema has one (issue 9 item 10), else the payment's token.
        $token = ($payment['return_token'] ?? '') !== '' ? $payment['return_token'] : $payment['token'];

        return (new Browser())->get($this->perfexUrl('paybridge/payment/return_url/' . $payment['provider'] . '/' . $token));
    }

    /** Staff press "Re-check with provider" for the payment on the admin page (with the form's CSRF token). */
    protected function recheckAsStaff(array $payment): void
    {
        $admin = $this->adminBrowser();
        [$status, , $html] = $admin->get($this->perfexUrl('admin/paybridge'));
        $this->assertSame(200, $status);
        $suffix = '/admin/paybridge/recheck/' . $payment['id'];
        $form = Browser::findForm($html, static function (array $f) use ($suffix) {
            return substr($f['action'], -strlen($suffix)) === $suffix;
        });
        $this->assertNotNull($form, 'the payment has a re-check button');
        [$status] = $admin->post($form['action'], $form['fields']);
        $this->assertContains($status, [302, 303], 'the re-check POST was accepted');
    }

    protected function postWebhook(string $token, string $body, array $headers = []): array
    {
        [$status, , $raw] = (new Browser())->postJson($this->webhookUrl($token), $body, $headers);

        return [$status, json_decode($raw, true) ?: ['raw' => $raw]];
    }
}
