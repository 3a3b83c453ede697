<?php

require_once __DIR__ . '/StandinTestCase.php';

/**
 * CodeIgniter 3's db_debug switch (Perfex production runs with it off) and Perfex's staff notifications,
 * as the paybridge module meets them.
 */
final class DbDebugTest extends StandinTestCase
{
    public static function setUpBeforeClass(): void
    {
        self::installFixture();
    }

    public function testWithDbDebugOffAFailedQueryReturnsFalseAndErrorSaysWhyUntilTheNextStatement(): void
    {
        $inv = self::newInvoice('EUR', '10.00');

        $r = $this->json($this->http('GET', "standin_fixture/probe/db_failure/{$inv['id']}", null, ['X-Standin-Db-Debug: 0']));

        $this->assertFalse($r['db_debug']);
        $this->assertFalse($r['thrown'], 'nothing throws with db_debug off');
        $this->assertFalse($r['add'], 'Payments_model::add() returns false');
        $this->assertSame(1054, $r['error_before_rollback']['code']);
        $this->assertFalse($r['trans_status']);
        $this->assertSame(0, $r['error_after_rollback']['code'], 'like CI3, error() describes the last statement (the ROLLBACK)');
        $this->assertSame(1, self::invoice($inv['id'])['status']);
    }

    public function testWithDbDebugOnTheSameFailureThrows(): void
    {
        $inv = self::newInvoice('EUR', '10.00');

        $r = $this->json($this->get("standin_fixture/probe/db_failure/{$inv['id']}"));

        $this->assertTrue($r['db_debug']);
        $this->assertSame('mysqli_sql_exception', $r['thrown']);
    }

    public function testAddNotificationWritesARowForAnActiveStaffMemberOnly(): void
    {
        $db = self::db();
        $admin = $db->query("SELECT staffid FROM tblstaff WHERE active = 1 ORDER BY staffid LIMIT 1")->fetch_assoc();
        $before = (int) $db->query('SELECT COALESCE(MAX(id), 0) AS id FROM tblnotifications')->fetch_assoc()['id'];

        $ok = $this->json($this->get('standin_fixture/probe/notify/' . $admin['staffid']));
        $missing = $this->json($this->get('standin_fixture/probe/notify/999999'));

        $this->assertTrue($ok['ok']);
        $this->assertFalse($missing['ok'], 'no row for an unknown or inactive staff member');
        $rows = $db->query('SELECT * FROM tblnotifications WHERE id > ' . $before)->fetch_all(MYSQLI_ASSOC);
        $this->assertCount(1, $rows);
        $this->assertSame(['standin_fixture_note', (string) $admin['staffid'], '1', '0', 'invoices'],
            [$rows[0]['description'], $rows[0]['touserid'], $rows[0]['fromcompany'], $rows[0]['isread'], $rows[0]['link']]);
    }
}
