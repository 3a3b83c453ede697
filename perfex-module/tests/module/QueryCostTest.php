<?php

require_once __DIR__ . '/bootstrap.php';

/**
 * Issue 10 item 6: like Perfex, get_option() caches autoloaded options and queries for every other name,
 * so a module that reads options on every request shows up in the query count. Pages that have nothing
 * to do with payments must cost the same number of queries with the module active as with it inactive.
 */
final class QueryCostTest extends ModuleTestCase
{
    /**
     * Queries per page, as the stand-in reports them. The customer invoice page is not here: it lists the
     * gateways, and Perfex's own initMode()/is_payment_mode_allowed_for_invoice() cost queries per gateway.
     * @return array<string, int>
     */
    private function queryCounts(Browser $admin, array $invoice): array
    {
        $out = [];
        foreach (['home' => [new Browser(), ''], 'admin invoices' => [$admin, 'admin/invoices']] as $page => [$browser, $path]) {
            [$status, $headers] = $browser->get($this->perfexUrl($path));
            $this->assertSame(200, $status, $page);
            $this->assertArrayHasKey('x-standin-queries', $headers, $page);
            $out[$page] = (int) $headers['x-standin-queries'];
        }

        return $out;
    }

    public function testPagesUnrelatedToPaymentsCostNoExtraQueryWithTheModuleActive(): void
    {
        $invoice = $this->createInvoice('EUR', '12.00');
        // As on a fresh install: the webhook-health options do not exist yet, so each read of them is a query.
        Stack::db()->query("DELETE FROM tbloptions WHERE name LIKE 'paybridge\\_%\\_webhook\\_last\\_%'");
        $admin = $this->adminBrowser();
        $this->queryCounts($admin, $invoice); // warm-up (sessions, first-run option writes)
        $active = $this->queryCounts($admin, $invoice);
        Stack::cli('deactivate', 'paybridge');
        try {
            $inactive = $this->queryCounts($admin, $invoice);
        } finally {
            Stack::cli('activate', 'paybridge');
        }
        fwrite(STDERR, "\n[query cost] active " . json_encode($active) . ' inactive ' . json_encode($inactive) . "\n");
        $this->assertSame($inactive, $active);
    }
}
