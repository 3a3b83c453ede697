<?php

require_once __DIR__ . '/bootstrap.php';

/** The customer's journey: invoice page -> Pay -> sandbox checkout -> back on a paid invoice. */
final class NeropayCheckoutTest extends ModuleTestCase
{
    public function testPaidInvoiceEndToEndRecordsExactlyOnePayment(): void
    {
        $invoice = $this->createInvoice('EUR', '120.00');
        $this->assertSame(1, $this->invoiceStatus($invoice['id']), 'new invoice is unpaid');

        ['browser' => $browser, 'checkout' => $checkout, 'payment' => $payment] = $this->startCheckout($invoice);
        $this->assertSame('120.00', $payment['amount']);
        $this->assertSame('EUR', $payment['currency']);
        $this->assertMatchesRegularExpression('/^[a-f0-9]{32}$/', $payment['token']);

        $response = $browser->follow($this->pressCheckoutButton($browser, $checkout, 'pay'));
        $visited = $response[3];
        $this->assertNotEmpty(array_filter($visited, static function ($u) use ($payment) {
            return strpos($u, 'paybridge/payment/return_url/neropay/' . $payment['token']) !== false;
        }), 'the sandbox sent the browser to the return URL: ' . implode(' -> ', $visited));
        $this->assertSame($this->invoiceUrl($invoice), end($visited), 'and the module sent it on to the invoice');
        $this->assertSame(200, $response[0]);

        $this->waitForRecords($invoice['id']);
        $this->assertOnePaymentRecorded($invoice, $payment, '120.00');
        $this->assertSame(2, $this->invoiceStatus($invoice['id']), 'invoice is paid');
        // Webhook delivery and return URL both arrived; only one of them recorded.
        $this->eventually(function () use ($payment) {
            return count($this->events((int) $payment['id'])) >= 2;
        });
        $outcomes = array_column($this->events((int) $payment['id']), 'outcome');
        $this->assertSame(1, count(array_keys($outcomes, 'recorded', true)), 'one recording event: ' . implode(',', $outcomes));
        $this->assertSame(1, count($this->paymentRecords($invoice['id'])));
    }

    public function testCancelledCheckoutRecordsNothingAndLogsTheEvent(): void
    {
        $invoice = $this->createInvoice('EUR', '30.00');
        ['browser' => $browser, 'checkout' => $checkout, 'payment' => $payment] = $this->startCheckout($invoice);
        $browser->follow($this->pressCheckoutButton($browser, $checkout, 'cancel'));
        $events = $this->eventually(function () use ($payment) {
            return array_values(array_filter($this->events((int) $payment['id']), static function ($e) {
                return $e['type'] === 'transaction.cancelled';
            }));
        });
        $this->assertNotEmpty($events, 'the cancellation webhook was logged');
        // The IPN only wakes the module up; the API says the link is still open (the customer may retry).
        $this->assertSame(['pending', 'logged', 'not_paid'], [$events[0]['status'], $events[0]['outcome'], $events[0]['reason_code']]);
        $this->assertCount(0, $this->paymentRecords($invoice['id']));
        $this->assertSame(1, $this->invoiceStatus($invoice['id']));
    }

    public function testPartialPaymentLeavesTheInvoicePartiallyPaid(): void
    {
        $invoice = $this->createInvoice('EUR', '120.00');
        ['payment' => $payment] = $this->startCheckout($invoice, '50.00');
        $this->assertSame('50.00', $payment['amount'], 'the customer-chosen amount is what was requested');
        $this->control($payment['provider_payment_id'], 'pay', ['deliver' => true]);
        $this->waitForRecords($invoice['id']);
        $this->assertOnePaymentRecorded($invoice, $payment, '50.00');
        $this->assertSame(3, $this->invoiceStatus($invoice['id']), 'invoice is partially paid');
    }

    public function testGbpInvoiceIsPaidInGbp(): void
    {
        $invoice = $this->createInvoice('GBP', '15.99');
        ['payment' => $payment] = $this->startCheckout($invoice);
        $this->assertSame('GBP', $payment['currency']);
        $this->assertSame('1599', (string) $payment['amount_minor']);
        $this->control($payment['provider_payment_id'], 'pay', ['deliver' => true]);
        $this->waitForRecords($invoice['id']);
        $this->assertOnePaymentRecorded($invoice, $payment, '15.99');
        $this->assertSame(2, $this->invoiceStatus($invoice['id']));
    }
}
