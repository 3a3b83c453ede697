<?php

require_once __DIR__ . '/bootstrap.php';

/**
 * Issue 10: Perfex 3.0.5+ writes a tblpayment_attempts row for every Pay click and deletes it in
 * addPayment() when it gets the attempt's reference. The module removes the row once the payment is
 * recorded or the attempt ends, so the table does not grow by one row per click forever.
 */
final class PerfexAttemptTest extends ModuleTestCase
{
    private function perfexAttempts(int $invoiceId): int
    {
        return (int) Stack::one('SELECT COUNT(*) AS n FROM tblpayment_attempts WHERE invoice_id = ' . $invoiceId)['n'];
    }

    public function testThePayClicksPerfexAttemptRowIsRemovedOnceThePaymentIsRecorded(): void
    {
        $invoice = $this->createInvoice('EUR', '26.00');
        ['payment' => $payment] = $this->startCheckout($invoice);
        $this->assertSame(1, $this->perfexAttempts($invoice['id']), 'Perfex wrote its attempt row on Pay');
        $this->control($payment['provider_payment_id'], 'pay', ['deliver' => true]);
        $this->waitForRecords($invoice['id']);
        $this->eventually(fn () => $this->perfexAttempts($invoice['id']) === 0);
        $this->assertSame(0, $this->perfexAttempts($invoice['id']));
    }

    public function testThePayClicksPerfexAttemptRowIsRemovedWhenTheAttemptEnds(): void
    {
        $invoice = $this->createInvoice('EUR', '27.00');
        ['payment' => $payment] = $this->startCheckout($invoice);
        $this->control($payment['provider_payment_id'], 'fail', ['deliver' => true]);
        $ended = $this->eventually(fn () => in_array($this->attemptStatus((int) $payment['id']), ['cancelled', 'failed', 'expired'], true));
        $this->assertTrue($ended, 'the attempt ended: ' . $this->attemptStatus((int) $payment['id']));
        $this->assertSame(0, $this->perfexAttempts($invoice['id']));
    }

    private function attemptStatus(int $id): string
    {
        return (string) Stack::one('SELECT status FROM tblpaybridge_payments WHERE id = ' . $id)['status'];
    }
}
