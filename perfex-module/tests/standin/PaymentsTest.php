<?php

final class PaymentsTest extends StandinTestCase
{
    public static function setUpBeforeClass(): void
    {
        self::installFixture();
    }

    public function testPartialPaymentMarksInvoicePartiallyPaid(): void
    {
        $inv = self::newInvoice('EUR', '100.00');
        $r = $this->json($this->get("standin_fixture/probe/pay/{$inv['id']}/40.00/txn_part_{$inv['id']}"));
        $this->assertTrue($r['ok']);
        $this->assertSame(3, $r['status']);
        $this->assertSame('60.00', $r['left']);
        $this->assertTrue($r['exists']);
    }

    public function testPaymentBringingTotalToZeroMarksInvoicePaid(): void
    {
        $inv = self::newInvoice('EUR', '100.00');
        $this->json($this->get("standin_fixture/probe/pay/{$inv['id']}/40.00"));
        $r = $this->json($this->get("standin_fixture/probe/pay/{$inv['id']}/60.00"));
        $this->assertSame(2, $r['status']);
        $this->assertSame('0.00', $r['left']);
        $json = self::invoice($inv['id']);
        $this->assertSame(2, $json['status']);
        $this->assertCount(2, $json['payments']);
        $this->assertSame('fixture', $json['payments'][0]['paymentmode']);
    }

    public function testCentsAddUpWithoutFloatDrift(): void
    {
        $inv = self::newInvoice('EUR', '0.30');
        $this->json($this->get("standin_fixture/probe/pay/{$inv['id']}/0.10"));
        $r = $this->json($this->get("standin_fixture/probe/pay/{$inv['id']}/0.20"));
        $this->assertSame(2, $r['status']);
        $this->assertSame('0.00', $r['left']);
    }

    public function testRecordedPaymentHasDateDaterecordedAndOnlyRealColumns(): void
    {
        $inv = self::newInvoice('USD', '10.00');
        $this->json($this->get("standin_fixture/probe/pay/{$inv['id']}/10.00/txn_cols_{$inv['id']}"));
        $row = self::db()->query("SELECT * FROM tblinvoicepaymentrecords WHERE invoiceid = {$inv['id']}")->fetch_assoc();
        $this->assertSame(date('Y-m-d'), $row['date']);
        $this->assertMatchesRegularExpression('/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/', $row['daterecorded']);
        $this->assertSame('fixture', $row['paymentmode']);
        $this->assertSame('Fixture', $row['paymentmethod']);
        $this->assertSame("txn_cols_{$inv['id']}", $row['transactionid']);
    }

    public function testAnUnknownColumnMakesTheInsertThrowAndRecordsNothing(): void
    {
        $inv = self::newInvoice('EUR', '10.00');
        $r = $this->json($this->get("standin_fixture/probe/bad_insert/{$inv['id']}"));
        $this->assertTrue($r['thrown']);
        $this->assertSame(1054, $r['code']);
        $this->assertSame(1054, $r['error']['code']);
        $this->assertSame(1, self::invoice($inv['id'])['status']);
    }

    public function testTransactionsRollBackAndCompleteLikeCodeIgniter(): void
    {
        $r = $this->json($this->get('standin_fixture/probe/transaction'));
        $this->assertTrue($r['rolled_back']);
        $this->assertTrue($r['completed']);
        $this->assertSame('kept', $r['kept']);
        $this->assertSame(['a' => "x'y", 'b' => '5'], $r['binds']);
    }

    public function testDuplicatePaymentsAreNotPreventedByTheHost(): void
    {
        // Perfex has no unique key on transactionid: guarding duplicates is the module's job.
        $inv = self::newInvoice('EUR', '100.00');
        $this->json($this->get("standin_fixture/probe/pay/{$inv['id']}/10.00/txn_dup_{$inv['id']}"));
        $this->json($this->get("standin_fixture/probe/pay/{$inv['id']}/10.00/txn_dup_{$inv['id']}"));
        $this->assertCount(2, self::invoice($inv['id'])['payments']);
    }
}
