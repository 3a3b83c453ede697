<?php

/**
 * Issue 13: the stand-in's credit notes behave as Perfex's (standin README "Credit notes"): add() numbers the
 * note from next_credit_note_number and fires before_create_credit_note / after_create_credit_note;
 * create_refund() writes tblcreditnote_refunds (note through nl2br), fires credit_note_refund_created, and the
 * note closes (status 2) only once refunds + credits used equal its total.
 */
final class CreditNotesTest extends StandinTestCase
{
    public static function setUpBeforeClass(): void
    {
        self::installFixture();
    }

    public function testPartialRefundsLeaveTheCreditNoteOpenUntilTheyAddUpToItsTotal(): void
    {
        $inv = self::newInvoice('EUR', '50.00');

        $r = $this->json($this->get("standin_fixture/probe/credit_note/{$inv['id']}/30.00/10.00/20.00"));

        $this->assertSame([1, 1, 2], $r['statuses'], 'open, still open after 10.00 of 30.00, closed after 30.00');
        $this->assertSame('0.00', $r['remaining']);
        $this->assertSame(['Probe line'], $r['items']);
        $this->assertSame((string) ((int) $r['next_number_before'] + 1), $r['next_number_after']);
        $this->assertSame('CN-' . str_pad($r['next_number_before'], 6, '0', STR_PAD_LEFT), $r['number']);
        $this->assertSame(['before_create_credit_note:1', 'after_create_credit_note:' . $r['id'],
            'credit_note_refund_created:' . $r['id'] . ':10.00', 'credit_note_refund_created:' . $r['id'] . ':20.00'], $r['fired']);
        $this->assertSame(["probe<br />\nrefund", "probe<br />\nrefund"], $r['refund_notes']);
        $row = self::db()->query('SELECT clientid, currency, total, status FROM tblcreditnotes WHERE id = ' . (int) $r['id'])->fetch_assoc();
        $invoice = self::db()->query('SELECT clientid, currency FROM tblinvoices WHERE id = ' . (int) $inv['id'])->fetch_assoc();
        $this->assertSame([$invoice['clientid'], $invoice['currency'], '30.00', '2'], [$row['clientid'], $row['currency'], $row['total'], $row['status']]);
    }

    public function testAZeroRefundIsRefusedAndWritesNothing(): void
    {
        $inv = self::newInvoice('EUR', '50.00');

        $r = $this->json($this->get("standin_fixture/probe/credit_note/{$inv['id']}/5.00/0.00"));

        $this->assertSame([false], $r['refund_ids']);
        $this->assertSame([1, 1], $r['statuses']);
        $this->assertSame('0', self::db()->query('SELECT COUNT(*) FROM tblcreditnote_refunds WHERE credit_note_id = ' . (int) $r['id'])->fetch_row()[0]);
    }
}
