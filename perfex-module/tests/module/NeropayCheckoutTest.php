<?php

require_once __DIR__ . '/bootstrap.php';

/** NeroPay-specific checkout journeys (the shared paid/partial journeys are in ProviderScenarios). */
final class NeropayCheckoutTest extends ModuleTestCase
{

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
