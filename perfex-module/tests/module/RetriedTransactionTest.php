<?php

require_once __DIR__ . '/bootstrap.php';

/**
 * Issue 15: a deadlock / Galera certification conflict (1213), a lock wait timeout (1205) or a Galera node
 * that is not ready (1047) while the claim is written makes the WHOLE claim transaction run again, a
 * bounded number of times (3 tries), then 503 so the provider retries; never a 500, never two payments.
 * The error is injected by a trigger on the guard table that fails its first N inserts (a sequence is not
 * transactional, so the count survives the rollbacks). Runs on the single-node stack with db_debug off
 * (Perfex's production setting: CI3 returns FALSE and error() tells why).
 */
final class RetriedTransactionTest extends ModuleTestCase
{
    private function failGuardInserts(array $invoice, int $errno, int $times): void
    {
        $db = Stack::db();
        $db->query('DROP TRIGGER IF EXISTS tblpbtest_guard_fault');
        $db->query('DROP SEQUENCE IF EXISTS tblpbtest_guard_seq');
        $db->query('CREATE SEQUENCE tblpbtest_guard_seq START WITH 1 INCREMENT BY 1 NOCACHE');
        $db->query('CREATE TRIGGER tblpbtest_guard_fault BEFORE INSERT ON tblpaybridge_recorded FOR EACH ROW BEGIN
            IF NEW.invoice_id = ' . (int) $invoice['id'] . ' AND NEXTVAL(tblpbtest_guard_seq) <= ' . $times . " THEN
                SIGNAL SQLSTATE '40001' SET MYSQL_ERRNO = " . $errno . ", MESSAGE_TEXT = 'injected by the test';
            END IF; END");
    }

    protected function tearDown(): void
    {
        Stack::db()->query('DROP TRIGGER IF EXISTS tblpbtest_guard_fault');
        Stack::db()->query('DROP SEQUENCE IF EXISTS tblpbtest_guard_seq');
    }

    private function paid(string $total): array
    {
        $invoice = $this->createInvoice('EUR', $total);
        ['payment' => $payment] = $this->startCheckout($invoice);
        $this->control($payment['provider_payment_id'], 'pay', ['deliver' => false]);

        return [$invoice, $payment];
    }

    private function mails(array $invoice): int
    {
        return (int) Stack::one('SELECT COUNT(*) AS n FROM tblstandin_mail_log WHERE invoiceid = ' . (int) $invoice['id'])['n'];
    }

    /** @return array<string, array{0:int}> */
    public static function conflicts(): array
    {
        return [
            'certification conflict / deadlock (1213) twice' => [1213],
            'Galera node not ready (1047) twice' => [1047],
        ];
    }

    /** @dataProvider conflicts */
    public function testClaimTransactionHittingAConflictTwiceIsRetriedAsAWholeAndRecordsOnce(int $errno): void
    {
        [$invoice, $payment] = $this->paid('52.' . ($errno % 100));
        $this->failGuardInserts($invoice, $errno, 2);

        [$status, $json] = $this->postWebhook($payment['token'], $this->ipnBody('evt_retry_' . $errno . '_' . $payment['id'], 'transaction.succeeded', $payment),
            ['X-Standin-Db-Debug: 0']);

        $this->assertSame([200, 'recorded'], [$status, $json['result'] ?? null], 'the third try went through: ' . json_encode($json));
        $this->assertOnePaymentRecorded($invoice, $payment, '52.' . ($errno % 100));
        $this->assertSame(1, $this->mails($invoice), 'one receipt mail');
    }

    public function testConflictsBeyondTheRetryBudgetAnswer503AndTheProvidersRetryRecordsOnce(): void
    {
        [$invoice, $payment] = $this->paid('53.00');
        $body = $this->ipnBody('evt_retry_budget_' . $payment['id'], 'transaction.succeeded', $payment);
        $this->failGuardInserts($invoice, 1213, 3);

        [$status, $json] = $this->postWebhook($payment['token'], $body, ['X-Standin-Db-Debug: 0']);
        $this->assertSame([503, 'database_unavailable'], [$status, $json['error'] ?? null], 'bounded: 3 tries, then the provider retries');
        $tries = (int) Stack::one('SELECT next_not_cached_value - 1 AS n FROM tblpbtest_guard_seq')['n'];
        $this->assertSame(3, $tries, 'the claim transaction ran exactly 3 times in that request');
        $this->assertCount(0, $this->paymentRecords($invoice['id']));
        $this->assertSame(0, $this->mails($invoice), 'nothing was mailed for the failed tries');

        [$status, $json] = $this->postWebhook($payment['token'], $body, ['X-Standin-Db-Debug: 0']);
        $this->assertSame([200, 'recorded'], [$status, $json['result'] ?? null], json_encode($json));
        $this->assertOnePaymentRecorded($invoice, $payment, '53.00');
        $this->assertSame(1, $this->mails($invoice));
    }
}
