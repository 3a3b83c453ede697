<?php

require_once __DIR__ . '/bootstrap.php';
require_once __DIR__ . '/Issue9Steps.php';

/**
 * Issue 13 item 6: the PayBridge admin page as a working tool inside Perfex's admin layout: summary,
 * filters, 50 attempts a page, links to the invoice and to each payment's timeline
 * (admin/paybridge/payment/<id>), the refund link on recorded payments (contract 6), escaping of hostile
 * provider fields, staff-only access. Real HTTP through nginx + php-fpm, real MariaDB; attempts that a
 * listing needs in bulk are fixture rows inserted on a fixed past day, so filters isolate them.
 */
final class AdminToolTest extends ModuleTestCase
{
    use Issue9Steps;

    private static int $fixtureInvoice = 0;

    /** Removes fixture attempts (and their events) of a past day, so every run starts from the same rows. */
    private function clearDay(string $day): void
    {
        $db = Stack::db();
        $ids = "SELECT id FROM tblpaybridge_payments WHERE created_at >= '$day 00:00:00' AND created_at <= '$day 23:59:59'";
        $db->query("DELETE FROM tblpaybridge_events WHERE payment_row_id IN (SELECT id FROM ($ids) x)");
        $db->query("DELETE FROM tblpaybridge_payments WHERE created_at >= '$day 00:00:00' AND created_at <= '$day 23:59:59'");
    }

    /**
     * Inserts $n attempt rows (never due for the cron) created on $day.
     * @return int[] their ids, in insertion order
     */
    private function insertAttempts(int $n, string $day, array $row = []): array
    {
        if (self::$fixtureInvoice === 0) {
            self::$fixtureInvoice = $this->createInvoice('EUR', '10.00')['id'];
        }
        $db = Stack::db();
        $ids = [];
        for ($i = 0; $i < $n; $i++) {
            $values = $row + [
                'provider' => 'neropay', 'invoice_id' => self::$fixtureInvoice, 'status' => 'pending',
                'amount' => '10.00', 'amount_minor' => 1000, 'currency' => 'EUR', 'error_code' => null,
                'provider_payment_id' => 'fixture-' . bin2hex(random_bytes(8)),
            ];
            $values += [
                'token' => bin2hex(random_bytes(16)), 'return_token' => bin2hex(random_bytes(16)),
                'idempotency_key' => bin2hex(random_bytes(16)), 'reference' => 'FIXTURE-' . $i,
                'created_at' => $day . ' ' . sprintf('%02d:%02d:%02d', intdiv($i, 3600) % 24, intdiv($i, 60) % 60, $i % 60),
                'updated_at' => $day . ' 12:00:00', 'reconcile_next_at' => '2099-01-01 00:00:00',
            ];
            $cols = implode(', ', array_map(static fn ($c) => '`' . $c . '`', array_keys($values)));
            $vals = implode(', ', array_map(static fn ($v) => $v === null ? 'NULL' : "'" . $db->real_escape_string((string) $v) . "'", $values));
            $db->query("INSERT INTO tblpaybridge_payments ($cols) VALUES ($vals)");
            $ids[] = (int) $db->insert_id;
        }

        return $ids;
    }

    /** @return int[] data-payment-id of the attempts table's rows, in page order */
    private function listedIds(string $html): array
    {
        preg_match_all('/<tr data-payment-id="(\d+)"/', $html, $m);

        return array_map('intval', $m[1]);
    }

    private function pageInfo(string $html): array
    {
        $this->assertMatchesRegularExpression('/id="paybridge-page-info" data-total="\d+" data-page="\d+" data-pages="\d+"/', $html);
        preg_match('/id="paybridge-page-info" data-total="(\d+)" data-page="(\d+)" data-pages="(\d+)"/', $html, $m);

        return ['total' => (int) $m[1], 'page' => (int) $m[2], 'pages' => (int) $m[3]];
    }

    /**
     * admin/paybridge/payment/<id> (contract 6) is answered by Perfex's router with the Payment controller,
     * which redirects to admin/paybridge/timeline/<id>; the page is read at the end of that redirect.
     */
    private function timeline(Browser $b, int $id): string
    {
        [$status, $headers] = $b->get($this->perfexUrl('admin/paybridge/payment/' . $id));
        $this->assertContains($status, [302, 303]);
        $this->assertSame($this->perfexUrl('admin/paybridge/timeline/' . $id), $headers['location'] ?? '');

        return $this->get($b, 'admin/paybridge/timeline/' . $id);
    }

    private function get(Browser $b, string $path): string
    {
        [$status, , $html] = $b->get($this->perfexUrl($path));
        $this->assertSame(200, $status, $path);

        return $html;
    }

    public function testOneHundredTwentyAttemptsAreListedFiftyToAPageOnThreePagesNewestFirst(): void
    {
        $day = '2001-02-03';
        $this->clearDay($day);
        $ids = $this->insertAttempts(120, $day);
        $admin = $this->adminBrowser();

        $seen = [];
        foreach ([1 => 50, 2 => 50, 3 => 20] as $page => $rows) {
            $html = $this->get($admin, 'admin/paybridge?from=' . $day . '&to=' . $day . '&page=' . $page);
            $this->assertSame(['total' => 120, 'page' => $page, 'pages' => 3], $this->pageInfo($html));
            $listed = $this->listedIds($html);
            $this->assertCount($rows, $listed, "page $page");
            $seen = array_merge($seen, $listed);
        }
        $this->assertSame(array_reverse($ids), $seen, 'every attempt exactly once, newest first');

        // The page links keep the filters; a page past the end shows the last page.
        $html = $this->get($admin, 'admin/paybridge?from=' . $day . '&to=' . $day);
        $this->assertStringContainsString('href="' . htmlspecialchars($this->perfexUrl('admin/paybridge?from=' . $day . '&to=' . $day . '&page=2')) . '"', $html);
        $html = $this->get($admin, 'admin/paybridge?from=' . $day . '&to=' . $day . '&page=99');
        $this->assertSame(3, $this->pageInfo($html)['page']);
        $this->assertCount(20, $this->listedIds($html));
    }

    public function testFiltersByProviderStatusAndDateListOnlyMatchingAttemptsAndInvalidValuesAreIgnored(): void
    {
        foreach (['2001-03-04', '2001-03-05'] as $d) {
            $this->clearDay($d);
        }
        $neropay  = $this->insertAttempts(3, '2001-03-04', ['status' => 'paid']);
        $rejected = $this->insertAttempts(2, '2001-03-04', ['provider' => 'payrexx', 'status' => 'rejected', 'error_code' => 'amount_mismatch', 'currency' => 'CHF']);
        $noxipay  = $this->insertAttempts(1, '2001-03-04', ['provider' => 'noxipay', 'status' => 'pending']);
        $nextDay  = $this->insertAttempts(1, '2001-03-05', ['status' => 'paid']);
        $admin = $this->adminBrowser();
        $day = 'from=2001-03-04&to=2001-03-04';

        $this->assertSame(array_reverse($neropay), $this->listedIds($this->get($admin, "admin/paybridge?provider=neropay&$day")));
        $this->assertSame(array_reverse($rejected), $this->listedIds($this->get($admin, "admin/paybridge?status=rejected&$day")));
        $this->assertSame(array_reverse($noxipay), $this->listedIds($this->get($admin, "admin/paybridge?provider=noxipay&status=pending&$day")));
        $this->assertSame([], $this->listedIds($this->get($admin, "admin/paybridge?provider=noxipay&status=paid&$day")));
        $this->assertSame(array_reverse(array_merge($neropay, $nextDay)),
            $this->listedIds($this->get($admin, 'admin/paybridge?provider=neropay&from=2001-03-04&to=2001-03-05')), 'a date range covers whole days');
        $this->assertSame(array_reverse($nextDay), $this->listedIds($this->get($admin, 'admin/paybridge?from=2001-03-05&to=2001-03-05&status=paid')));

        // Invalid values are named, dropped, and never echoed; the other filters still apply.
        $html = $this->get($admin, 'admin/paybridge?provider=%3Cscript%3Ex&status=bogus&from=2001-02-30&to=2001-03-04&page=-1');
        $this->assertStringContainsString('id="paybridge-filter-invalid"', $html);
        foreach (['provider', 'status', 'from', 'page'] as $name) {
            $this->assertMatchesRegularExpression('/id="paybridge-filter-invalid">[^<]*\b' . $name . '\b/', $html);
        }
        $this->assertStringNotContainsString('<script>x', $html);
        $this->assertStringNotContainsString('bogus', $html);
        $this->assertContains($noxipay[0], $this->listedIds($html), 'to=2001-03-04 still applies');
        $this->assertNotContains($nextDay[0], $this->listedIds($html));
    }

    private function summaryValue(string $html, string $id): string
    {
        $this->assertMatchesRegularExpression('/id="' . $id . '">([^<]*)</', $html);
        preg_match('/id="' . $id . '">([^<]*)</', $html, $m);

        return $m[1];
    }

    public function testSummaryCountsOpenRejectedAndOverpaidAttemptsPendingRefundsAndShowsWebhookHealth(): void
    {
        $day = '2001-04-05';
        $this->clearDay($day);
        $admin = $this->adminBrowser();
        $before = $this->get($admin, 'admin/paybridge');
        $open = (int) $this->summaryValue($before, 'paybridge-count-open');
        $rejected = (int) $this->summaryValue($before, 'paybridge-count-rejected');
        $overpaid = (int) $this->summaryValue($before, 'paybridge-count-overpaid');

        $this->insertAttempts(2, $day, ['status' => 'pending']);
        $this->insertAttempts(1, $day, ['status' => 'waiting', 'provider' => 'payrexx', 'currency' => 'CHF']);
        $this->insertAttempts(1, $day, ['status' => 'creating']);
        $this->insertAttempts(2, $day, ['status' => 'rejected', 'error_code' => 'currency_mismatch']);
        $paid = $this->insertAttempts(1, $day, ['status' => 'overpaid', 'error_code' => 'overpaid']);
        $this->insertAttempts(3, $day, ['status' => 'paid']);
        $this->insertAttempts(1, $day, ['status' => 'expired']);

        $failureBefore = [trim(Stack::cli('get-option', 'paybridge_payrexx_webhook_last_failure')), trim(Stack::cli('get-option', 'paybridge_payrexx_webhook_last_failure_reason'))];
        Stack::cli('set-option', 'paybridge_payrexx_webhook_last_failure', '2001-04-05 06:07:08');
        Stack::cli('set-option', 'paybridge_payrexx_webhook_last_failure_reason', '<b>bad_signature</b>');
        $createdRefunds = false;
        try {
            $html = $this->get($admin, 'admin/paybridge');
            $this->assertSame((string) ($open + 4), $this->summaryValue($html, 'paybridge-count-open'), 'pending, waiting and creating are open');
            $this->assertSame((string) ($rejected + 2), $this->summaryValue($html, 'paybridge-count-rejected'));
            $this->assertSame((string) ($overpaid + 1), $this->summaryValue($html, 'paybridge-count-overpaid'));
            $this->assertMatchesRegularExpression('#<tr data-webhook-health="payrexx">.*?class="last-failure">2001-04-05 06:07:08 \(<span class="reason">&lt;b&gt;bad_signature&lt;/b&gt;</span>\)#s', $html);
            $cron = trim(Stack::cli('get-option', 'paybridge_cron_last_run'));
            $this->assertSame($cron !== '' ? $cron : 'never', $this->summaryValue($html, 'paybridge-summary-cron'));

            // Pending refunds come from the refund feature's table: "not available" until it exists.
            $exists = Stack::rows("SHOW TABLES LIKE 'tblpaybridge_refunds'") !== [];
            if (!$exists) {
                $this->assertSame('not available', $this->summaryValue($html, 'paybridge-count-pending-refunds'));
                Stack::db()->query('CREATE TABLE tblpaybridge_refunds (id int AUTO_INCREMENT PRIMARY KEY, provider varchar(20) NOT NULL,'
                    . ' payment_row_id int NOT NULL, invoice_id int NOT NULL, provider_payment_id varchar(191) NOT NULL, source varchar(20) NOT NULL,'
                    . " status varchar(20) NOT NULL, amount_minor bigint NOT NULL, currency char(3) NOT NULL, created_at datetime NOT NULL,"
                    . ' updated_at datetime NOT NULL) ENGINE=InnoDB');
                $createdRefunds = true;
            }
            $pendingBefore = (int) Stack::one("SELECT COUNT(*) AS n FROM tblpaybridge_refunds WHERE status = 'pending'")['n'];
            $column = Stack::rows("SHOW COLUMNS FROM tblpaybridge_refunds LIKE 'payment_row_id'") !== [] ? 'payment_row_id' : null;
            if ($createdRefunds || $column !== null) {
                foreach (['pending', 'pending', 'succeeded'] as $s) {
                    // The refund feature's NOT NULL columns (issue 13 items 3-4: provider, invoice, source, currency, updated_at).
                    Stack::db()->query('INSERT INTO tblpaybridge_refunds (provider, payment_row_id, invoice_id, provider_payment_id, source, status, amount_minor,'
                        . " currency, created_at, updated_at) VALUES ('neropay', {$paid[0]}, 0, '', 'admin', '$s', 100, 'EUR', NOW(), NOW())");
                }
                $pendingBefore += 0;
                $html = $this->get($admin, 'admin/paybridge');
                $this->assertSame((string) ($pendingBefore + 2), $this->summaryValue($html, 'paybridge-count-pending-refunds'));
                $timeline = $this->timeline($admin, $paid[0]);
                $this->assertSame(3, substr_count($timeline, '<tr data-refund-id="'), 'the payment timeline lists its refunds');
            } else {
                $this->assertSame((string) $pendingBefore, $this->summaryValue($html, 'paybridge-count-pending-refunds'));
            }
        } finally {
            if ($createdRefunds) {
                Stack::db()->query('DROP TABLE tblpaybridge_refunds');
            } elseif (Stack::rows("SHOW COLUMNS FROM tblpaybridge_refunds LIKE 'payment_row_id'") !== []) {
                Stack::db()->query('DELETE FROM tblpaybridge_refunds WHERE payment_row_id = ' . (int) $paid[0]);
            }
            Stack::cli('set-option', 'paybridge_payrexx_webhook_last_failure', $failureBefore[0]);
            Stack::cli('set-option', 'paybridge_payrexx_webhook_last_failure_reason', $failureBefore[1]);
        }
    }

    public function testTimelineShowsTheAttemptItsEventsInOrderTheRecordedPaymentAndLinks(): void
    {
        $invoice = $this->createInvoice('EUR', '61.00');
        ['payment' => $payment] = $this->startCheckout($invoice);
        $this->control($payment['provider_payment_id'], 'pay', ['deliver' => true]); // the webhook records it
        $records = $this->waitForRecords($invoice['id']);
        $this->visitReturnUrl($payment); // then the customer's return: a second, later event
        $this->assertCount(1, $records);
        $events = $this->eventually(fn () => count($this->events((int) $payment['id'])) >= 2 ? $this->events((int) $payment['id']) : []);
        $this->assertNotEmpty($events);
        $pending = $this->startCheckout($this->createInvoice('EUR', '62.00'))['payment'];

        $admin = $this->adminBrowser();
        $html = $this->timeline($admin, (int) $payment['id']);
        $this->assertMatchesRegularExpression('#<header>.*id="logout".*</header>\s*<main>.*<div id="paybridge-payment" data-payment-id="' . $payment['id'] . '">.*</main>\s*</body>#s', $html,
            'inside the admin layout');
        preg_match_all('/<tr data-timeline-event="(\d+)"/', $html, $m);
        $this->assertSame(array_map('intval', array_column($events, 'id')), array_map('intval', $m[1]), 'every event, oldest first');
        $this->assertStringContainsString('data-paymentrecord-id="' . $records[0]['id'] . '"', $html, 'the Perfex payment it became');
        $this->assertStringContainsString('class="status">paid<', $html);
        $this->assertStringContainsString('href="' . $this->perfexUrl('admin/paybridge/refund/' . $payment['id']) . '"', $html, 'refund link (contract 6)');
        $this->assertStringContainsString('href="' . $this->perfexUrl('admin/invoices/list_invoices/' . $invoice['id']) . '"', $html);
        [$status] = $admin->get($this->perfexUrl('admin/invoices/list_invoices/' . $invoice['id']));
        $this->assertSame(200, $status, 'the invoice link opens');

        $list = $this->get($admin, 'admin/paybridge');
        $this->assertMatchesRegularExpression('#<tr data-payment-id="' . $payment['id'] . '">.*?href="' . preg_quote($this->perfexUrl('admin/paybridge/payment/' . $payment['id']), '#')
            . '".*?href="' . preg_quote($this->perfexUrl('admin/invoices/list_invoices/' . $invoice['id']), '#') . '".*?admin/paybridge/refund/' . $payment['id'] . '".*?</tr>#s', $list);
        $this->assertMatchesRegularExpression('#<tr data-payment-id="' . $pending['id'] . '">(?:(?!</tr>).)*admin/paybridge/payment/' . $pending['id'] . '#s', $list);
        $this->assertDoesNotMatchRegularExpression('#admin/paybridge/refund/' . $pending['id'] . '"#', $list, 'nothing to refund on an unpaid attempt');

        // Staff who may view payments but not delete them (issue 13 item 3) get no refund link.
        $viewer = $this->staffBrowser('timeline-viewer@example.test', ['payments:view']);
        $this->assertStringNotContainsString('admin/paybridge/refund/', $this->timeline($viewer, (int) $payment['id']));
        $this->assertStringNotContainsString('admin/paybridge/refund/', $this->get($viewer, 'admin/paybridge'));
    }

    public function testHostileProviderFieldsRenderAsInertTextOnTheListAndTheTimeline(): void
    {
        $day = '2001-05-06';
        $this->clearDay($day);
        $hostile = "<script>alert(1)</script>\x1b[31m\u{202E}gpj.exe\u{200B}";
        [$id] = $this->insertAttempts(1, $day, [
            'provider_payment_id' => $hostile, 'reference' => "R\x00<b>", 'status' => 'rejected',
            'error_code' => '"><img src=x onerror=alert(2)>', 'checkout_url' => 'javascript:alert(3)',
        ]);
        $db = Stack::db();
        $db->query("INSERT INTO tblpaybridge_events (provider, event_id, source, payment_row_id, invoice_id, provider_payment_id, type, status, outcome, reason_code, created_at) VALUES ('neropay', '"
            . $db->real_escape_string("evt<svg onload=alert(4)>\u{2066}") . "', 'webhook', $id, " . self::$fixtureInvoice . ", '" . $db->real_escape_string($hostile)
            . "', '" . $db->real_escape_string("</td><script>alert(5)</script>") . "', 'paid', 'rejected', 'amount_mismatch', '$day 01:00:00')");
        $admin = $this->adminBrowser();

        foreach (['admin/paybridge?from=' . $day . '&to=' . $day, 'admin/paybridge/timeline/' . $id] as $path) {
            $html = $this->get($admin, $path);
            $this->assertStringContainsString('&lt;script&gt;alert(1)&lt;/script&gt;', $html, $path);
            foreach (['<script>alert(', '<img src=x', '<svg', "\x1b", "\x00", "\u{202E}", "\u{2066}", "\u{200B}", 'href="javascript:'] as $raw) {
                $this->assertStringNotContainsString($raw, $html, "$path must not contain " . json_encode($raw));
            }
            $this->assertStringContainsString('\u{001B}[31m\u{202E}gpj.exe\u{200B}', $html, 'controls shown as visible code points');
            $this->assertStringContainsString('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;', $html);
        }
    }

    public function testPageAndTimelineAreRefusedToVisitorsAndToStaffWithoutPaymentsPermission(): void
    {
        $day = '2001-06-07';
        $this->clearDay($day);
        [$id] = $this->insertAttempts(1, $day);

        foreach (['admin/paybridge', 'admin/paybridge/timeline/' . $id, 'admin/paybridge?status=paid', 'admin/paybridge/payment/' . $id] as $path) {
            $b = new Browser();
            $response = $b->follow($b->get($this->perfexUrl($path)));
            $this->assertStringContainsString('admin/authentication', (string) end($response[3]), $path . ' ends at the login');
            $this->assertStringNotContainsString('fixture-', $response[2]);
        }
        $admin = $this->adminBrowser();
        foreach (['paybridge/paybridge/timeline/' . $id, 'paybridge/payment/' . $id] as $path) {
            [$status] = $admin->get($this->perfexUrl($path));
            $this->assertSame(404, $status, $path . ': not reachable outside /admin');
        }

        $staff = $this->staffBrowser('timeline-no-payments@example.test', ['invoices:view']);
        foreach (['admin/paybridge', 'admin/paybridge/timeline/' . $id] as $path) {
            [$status, $headers] = $staff->get($this->perfexUrl($path));
            $this->assertContains($status, [302, 303], $path);
            $this->assertStringEndsWith('/admin/access_denied', $headers['location'] ?? '', $path);
        }
    }

    public function testTimelineOfAnUnknownPaymentSendsStaffBackToTheList(): void
    {
        $admin = $this->adminBrowser();
        foreach (['admin/paybridge/timeline/999999999', 'admin/paybridge/timeline/abc', 'admin/paybridge/timeline'] as $path) {
            [$status, $headers] = $admin->get($this->perfexUrl($path));
            $this->assertContains($status, [302, 303], $path);
            $this->assertSame($this->perfexUrl('admin/paybridge'), $headers['location'] ?? '', $path);
        }
    }
}
