<?php

require_once dirname(__DIR__) . '/module/bootstrap.php';
require_once __DIR__ . '/GaleraRefundScenarios.php';

/**
 * Exactly once on several web nodes over a MariaDB Galera cluster (issue 15), run once per provider by
 * NeropayGaleraTest, PayrexxGaleraTest and NoxipayGaleraTest against `scripts/stack up --galera`: web node 1
 * (PERFEX_URLS[0]) on database node 1, web node 2 on database node 2, a third database node, the sandbox.
 *
 * Every webhook these tests send is signed (NeroPay and Payrexx get a webhook secret for the test, Noxipay
 * always signs): a signed webhook is never held back by the unverified-read limit (issue 9 item 8), so
 * every copy really reaches the recording path on its node at the same time, which is the race Galera's
 * optimistic certification decides only at COMMIT.
 *
 * Receipt e-mails are counted in the stand-in's tblstandin_mail_log (one row per contact per
 * Payments_model::add(), written on its own autocommit connection like a mail that cannot be unsent).
 */
abstract class GaleraScenarios extends ModuleTestCase
{
    use GaleraRefundScenarios;

    private const SECRET = 'whsec_galera_test_1';

    /** @var array<int, mysqli> */
    private static array $nodes = [];

    abstract protected function currency(): string;

    /** Event type the sandbox uses for "paid". */
    abstract protected function paidEventType(): string;

    /** Headers that sign $body for this provider with the webhook secret the test configured. */
    abstract protected function signed(string $body): array;

    /** The provider's gateway settings that make the module verify webhook signatures (or '' when it always does). */
    protected function secretSetting(): string
    {
        return 'webhook_secret=' . self::SECRET;
    }

    protected function secret(): string
    {
        return self::SECRET;
    }

    protected function setUp(): void
    {
        if (Stack::env('STACK_MODE') !== 'galera') {
            $this->fail('These tests need the Galera stack: scripts/stack up --galera');
        }
        foreach ([1, 2, 3] as $n) {
            $this->assertTrue($this->nodeUp($n), "database node $n is not up (scripts/stack up --galera)");
        }
        if ($this->secretSetting() !== '') {
            Stack::cli('configure-gateway', $this->provider(), $this->secretSetting());
        }
    }

    protected function tearDown(): void
    {
        if ($this->secretSetting() !== '') {
            Stack::cli('configure-gateway', $this->provider(), 'webhook_secret=');
        }
        Stack::cli('set-option', 'standin_payment_add_cost_ms', '200');
        Stack::cli('set-option', 'paybridge_claim_stale_seconds', '300');
    }

    // ------------------------------------------------------------------ the cluster

    /** @return string[] base URLs of the web nodes, node 1 first */
    protected function webNodes(): array
    {
        $urls = array_values(array_filter(array_map('trim', explode(',', Stack::env('PERFEX_URLS')))));
        $this->assertCount(2, $urls, 'PERFEX_URLS names two web nodes');

        return $urls;
    }

    protected function node(int $n): mysqli
    {
        if (isset(self::$nodes[$n])) {
            try {
                if (@self::$nodes[$n]->query('SELECT 1')) {
                    return self::$nodes[$n];
                }
            } catch (Throwable $e) {
            }
            unset(self::$nodes[$n]);
        }
        mysqli_report(MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT);
        $db = mysqli_init();
        $db->options(MYSQLI_OPT_CONNECT_TIMEOUT, 3);
        $db->real_connect('localhost', Stack::env('DB_USER'), Stack::env('DB_PASSWORD'), Stack::env('DB_NAME'), 0, Stack::env('DB_SOCKET_' . $n));
        $db->set_charset('utf8mb4');
        // Reads wait until this node has applied everything the cluster committed before them.
        $db->query('SET SESSION wsrep_sync_wait = 1');

        return self::$nodes[$n] = $db;
    }

    protected function nodeUp(int $n): bool
    {
        try {
            $row = $this->node($n)->query("SHOW STATUS LIKE 'wsrep_local_state_comment'")->fetch_assoc();

            return ($row['Value'] ?? '') === 'Synced';
        } catch (Throwable $e) {
            return false;
        }
    }

    protected function rowsOn(int $n, string $sql): array
    {
        return $this->node($n)->query($sql)->fetch_all(MYSQLI_ASSOC);
    }

    /** Payment records, guard rows and receipt e-mails of an invoice as database node $n has them. */
    protected function stateOn(int $n, int $invoiceId): array
    {
        return [
            'payments' => $this->rowsOn($n, 'SELECT id, amount, paymentmode, transactionid FROM tblinvoicepaymentrecords WHERE invoiceid = ' . $invoiceId . ' ORDER BY id'),
            'guards'   => $this->rowsOn($n, 'SELECT id, provider, provider_payment_id, paymentrecord_id FROM tblpaybridge_recorded WHERE invoice_id = ' . $invoiceId . ' ORDER BY id'),
            'mails'    => $this->rowsOn($n, 'SELECT id, paymentid, email FROM tblstandin_mail_log WHERE invoiceid = ' . $invoiceId . ' ORDER BY id'),
        ];
    }

    /**
     * One payment and one receipt e-mail per contact, and the same rows on all three database nodes.
     * @return array the state (as node 1 or, when $nodes says so, another node has it)
     */
    protected function assertRecordedOnceEverywhere(array $invoice, array $payment, string $amount, array $nodes = [1, 2, 3]): array
    {
        $first = $this->stateOn($nodes[0], $invoice['id']);
        $this->assertCount(1, $first['payments'], 'exactly one payment record: ' . json_encode($first['payments']));
        $this->assertSame([$amount, $this->provider(), $payment['provider_payment_id']],
            [$first['payments'][0]['amount'], $first['payments'][0]['paymentmode'], $first['payments'][0]['transactionid']]);
        $this->assertCount(1, $first['guards'], 'one guard row');
        $contacts = (int) $this->rowsOn($nodes[0], 'SELECT COUNT(*) AS n FROM tblcontacts c JOIN tblinvoices i ON i.clientid = c.userid'
            . ' WHERE c.active = 1 AND i.id = ' . (int) $invoice['id'])[0]['n'];
        $this->assertGreaterThan(0, $contacts);
        $this->assertCount($contacts, $first['mails'], 'one receipt e-mail per contact for the one payment, not one per node or per copy: '
            . json_encode($first['mails']));
        foreach (array_slice($nodes, 1) as $n) {
            $this->assertSame($first, $this->stateOn($n, $invoice['id']), "database node $n has the same rows as node {$nodes[0]}");
        }

        return $first;
    }

    // ------------------------------------------------------------------ steps

    protected function paidWithoutDelivery(string $total): array
    {
        $invoice = $this->createInvoice($this->currency(), $total);
        ['payment' => $payment] = $this->startCheckout($invoice);
        $this->control($payment['provider_payment_id'], 'pay', ['deliver' => false]);

        return [$invoice, $payment];
    }

    /** Where a webhook for $payment goes on web node $base: NeroPay's per-payment URL, else the global one. */
    protected function webhookOn(string $base, array $payment): string
    {
        return rtrim($base, '/') . '/paybridge/webhook/' . $this->provider()
            . ($this->provider() === 'neropay' ? '/' . $payment['token'] : '');
    }

    protected function returnUrlOn(string $base, array $payment): string
    {
        return rtrim($base, '/') . '/paybridge/payment/return_url/' . $this->provider() . '/' . $payment['return_token'];
    }

    /** The sandbox's webhook body for the payment ("paid" unless $type says otherwise), signed with the test's secret. */
    protected function signedWebhook(array $payment, ?string $type = null): array
    {
        $url = rtrim(Stack::env('SANDBOX_URL'), '/') . '/_control/' . $this->provider() . '/payments/'
            . rawurlencode($payment['provider_payment_id']) . '/webhook?type=' . rawurlencode($type ?? $this->paidEventType()) . '&format=json';
        [$status, , $raw] = (new Browser())->get($url);
        $this->assertSame(200, $status, "sandbox webhook builder: $raw");
        $body = json_decode($raw, true)['body'];

        return [$body, array_merge(['Content-Type: application/json'], $this->signed($body))];
    }

    /** Result label of one answer: the JSON result / error, or http_<status>. */
    protected static function label(array $response): string
    {
        $json = json_decode((string) $response[1], true);

        return (string) ($json['result'] ?? $json['error'] ?? ('http_' . $response[0]));
    }

    // ------------------------------------------------------------------ scenarios

    public function testThirtyDuplicateWebhooksSplitAcrossBothWebNodesRecordOnePaymentAndOneReceiptMail(): void
    {
        [$invoice, $payment] = $this->paidWithoutDelivery('71.30');
        [$body, $headers] = $this->signedWebhook($payment);
        [$web1, $web2] = $this->webNodes();
        $requests = [];
        for ($i = 0; $i < 30; $i++) {
            $requests[] = ['POST', $this->webhookOn($i % 2 === 0 ? $web1 : $web2, $payment), $body, $headers];
        }

        $responses = Browser::parallel($requests, 30.0);

        $labels = array_map([self::class, 'label'], $responses);
        $byNode = [[], []];
        foreach ($responses as $i => $r) {
            $byNode[$i % 2][] = $r[0] . ' ' . $labels[$i];
        }
        fwrite(STDERR, "\n[galera] " . $this->provider() . ': 30 duplicate webhooks over 2 web nodes: node 1 '
            . json_encode(array_count_values($byNode[0])) . ', node 2 ' . json_encode(array_count_values($byNode[1])) . "\n");
        foreach ($responses as $i => $r) {
            $this->assertContains($r[0], [200, 503], "copy $i: only 2xx (recorded/duplicate) or 503, never a 500: " . $r[0] . ' ' . $r[1]);
            // 503: another copy holds the live claim (the provider retries and then finds it done), or the
            // retried transaction kept conflicting. Anything else (e.g. internal_error) is a bug.
            $this->assertContains($labels[$i], $r[0] === 200 ? ['recorded', 'duplicate'] : ['recording_in_progress', 'database_unavailable'], "copy $i");
        }
        $this->assertSame(1, count(array_keys($labels, 'recorded', true)), 'exactly one copy recorded: ' . json_encode(array_count_values($labels)));
        $this->assertRecordedOnceEverywhere($invoice, $payment, '71.30');
    }

    public function testReturnUrlOnNodeOneRacingTheWebhookOnNodeTwoRecordsOnePayment(): void
    {
        [$invoice, $payment] = $this->paidWithoutDelivery('45.50');
        [$body, $headers] = $this->signedWebhook($payment);
        [$web1, $web2] = $this->webNodes();
        $requests = [];
        for ($i = 0; $i < 8; $i++) {
            $requests[] = ['GET', $this->returnUrlOn($web1, $payment), null, []];
            $requests[] = ['POST', $this->webhookOn($web2, $payment), $body, $headers];
        }

        $responses = Browser::parallel($requests, 30.0);

        fwrite(STDERR, "\n[galera] " . $this->provider() . ': 8 return URLs on node 1 + 8 webhooks on node 2: '
            . json_encode(array_count_values(array_map(static function ($r) {
                return $r[0] . ' ' . self::label($r);
            }, $responses))) . "\n");
        foreach ($responses as $i => $r) {
            $this->assertContains($r[0], $i % 2 === 0 ? [302, 303] : [200, 503], "request $i: " . $r[0] . ' ' . $r[1]);
        }
        $this->assertRecordedOnceEverywhere($invoice, $payment, '45.50');
    }

    /**
     * Database node 1 is killed (SIGKILL) while web node 1 is inside the recording of a delivery (the
     * stand-in's Payments_model::add() takes 1.5 s). The provider retries on web node 2 until it gets a 2xx.
     * Afterwards node 1 rejoins (IST) and all three nodes hold the same single payment and one e-mail.
     */
    public function testDatabaseNodeKilledDuringADeliveryIsRecordedOnceByTheRetriesOnTheOtherWebNode(): void
    {
        [$invoice, $payment] = $this->paidWithoutDelivery('58.20');
        [$body, $headers] = $this->signedWebhook($payment);
        [$web1, $web2] = $this->webNodes();
        Stack::cli('set-option', 'standin_payment_add_cost_ms', '1500');
        Stack::cli('set-option', 'paybridge_claim_stale_seconds', '2');

        $first = null;
        try {
            // The first delivery on web node 1, in the background; node 1's database dies under it.
            $mh = curl_multi_init();
            $ch = curl_init($this->webhookOn($web1, $payment));
            curl_setopt_array($ch, [CURLOPT_POST => true, CURLOPT_POSTFIELDS => $body, CURLOPT_HTTPHEADER => $headers,
                CURLOPT_RETURNTRANSFER => true, CURLOPT_TIMEOUT => 30]);
            curl_multi_add_handle($mh, $ch);
            $until = microtime(true) + 0.7; // into add(): the payment row is written, its cost is being spent
            do {
                curl_multi_exec($mh, $running);
                curl_multi_select($mh, 0.05);
            } while ($running && microtime(true) < $until);
            Stack::dropDb();
            Stack::script('kill-db-node', '1');
            do {
                curl_multi_exec($mh, $running);
                curl_multi_select($mh, 0.1);
            } while ($running);
            $first = [(int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE), (string) curl_multi_getcontent($ch)];
            curl_multi_remove_handle($mh, $ch);
            curl_multi_close($mh);

            // The provider's retries (the sandbox's schedule: 200 ms, 500 ms, 1 s, 2 s, 4 s) on web node 2.
            $answers = [];
            foreach ([0.2, 0.5, 1.0, 2.0, 4.0, 4.0, 4.0] as $wait) {
                usleep((int) ($wait * 1000000));
                [$status, , $raw] = (new Browser())->request('POST', $this->webhookOn($web2, $payment), $body, $headers);
                $answers[] = $status . ' ' . self::label([$status, $raw]);
                if ($status >= 200 && $status < 300) {
                    break;
                }
            }
            fwrite(STDERR, "\n[galera] " . $this->provider() . ': DB node 1 killed during a delivery on web node 1: first answer '
                . $first[0] . ' ' . self::label($first) . ', retries on web node 2: ' . json_encode($answers) . "\n");
            $this->assertNotSame(500, $first[0], 'the delivery whose database died is never answered 500');
            $this->assertNotSame(200, $first[0], 'it did not finish: ' . $first[1]);
            $this->assertMatchesRegularExpression('/^200 (recorded|duplicate)$/', (string) end($answers), 'a retry was acknowledged');
            foreach ($answers as $a) {
                $this->assertMatchesRegularExpression('/^(200|503) /', $a);
            }
            $this->assertRecordedOnceEverywhere($invoice, $payment, '58.20', [2, 3]);
        } finally {
            Stack::script('start-db-node', '1');
            Stack::dropDb();
            unset(self::$nodes[1]);
        }
        $this->assertTrue($this->nodeUp(1), 'node 1 rejoined');
        $this->assertRecordedOnceEverywhere($invoice, $payment, '58.20', [1, 2, 3]);
    }

    /** A guard row as a recording that died after its claim committed would leave it (on database node $n). */
    protected function leaveClaim(int $n, array $payment, string $claimedAt): void
    {
        $db = $this->node($n);
        $st = $db->prepare('INSERT INTO tblpaybridge_recorded (provider, provider_payment_id, payment_row_id, invoice_id, amount, currency,'
            . " state, claim_token, claimed_at, created_at) VALUES (?, ?, ?, ?, ?, ?, 'claimed', ?, ?, ?)");
        $token = bin2hex(random_bytes(16));
        $id = (int) $payment['id'];
        $invoiceId = (int) $payment['invoice_id'];
        $st->bind_param('ssiisssss', $payment['provider'], $payment['provider_payment_id'], $id, $invoiceId, $payment['amount'],
            $payment['currency'], $token, $claimedAt, $claimedAt);
        $st->execute();
    }

    public function testClaimLeftWithoutItsPaymentIsFinishedByTheNextWebhookOnTheOtherNode(): void
    {
        [$invoice, $payment] = $this->paidWithoutDelivery('33.10');
        $this->leaveClaim(1, $payment, date('Y-m-d H:i:s', time() - 3600));
        [$body, $headers] = $this->signedWebhook($payment);
        [, $web2] = $this->webNodes();

        [$status, , $raw] = (new Browser())->request('POST', $this->webhookOn($web2, $payment), $body, $headers);
        [$again, , $rawAgain] = (new Browser())->request('POST', $this->webhookOn($web2, $payment), $body, $headers);

        $this->assertSame([200, 'recorded'], [$status, self::label([$status, $raw])], $raw);
        $this->assertSame([200, 'duplicate'], [$again, self::label([$again, $rawAgain])], $rawAgain);
        $this->assertRecordedOnceEverywhere($invoice, $payment, '33.10');
    }

    public function testClaimLeftWithoutItsPaymentIsFinishedByTheStaffRecheck(): void
    {
        [$invoice, $payment] = $this->paidWithoutDelivery('36.60');
        $this->leaveClaim(2, $payment, date('Y-m-d H:i:s', time() - 3600));

        $this->recheckAsStaff($payment); // web node 1, database node 1

        $this->assertRecordedOnceEverywhere($invoice, $payment, '36.60');
        $this->assertSame('paid', $this->rowsOn(3, 'SELECT status FROM tblpaybridge_payments WHERE id = ' . (int) $payment['id'])[0]['status']);
    }

    public function testClaimWhoseOwnerDiedAfterAddingThePaymentIsFinishedWithoutAddingItAgain(): void
    {
        [$invoice, $payment] = $this->paidWithoutDelivery('27.40');
        $this->leaveClaim(2, $payment, date('Y-m-d H:i:s', time() - 3600));
        // What the dead owner's Payments_model::add() had written (its receipt mail went out with it).
        $db = $this->node(2);
        $db->query("INSERT INTO tblinvoicepaymentrecords (invoiceid, amount, paymentmode, paymentmethod, date, daterecorded, note, transactionid) VALUES ("
            . (int) $invoice['id'] . ", '27.40', " . "'" . $db->real_escape_string($this->provider()) . "', '', CURDATE(), NOW(), '', '"
            . $db->real_escape_string($payment['provider_payment_id']) . "')");
        $recordId = (int) $db->insert_id;
        $db->query("INSERT INTO tblstandin_mail_log (template, invoiceid, paymentid, email, sent_at) SELECT 'Invoice_payment_recorded_to_customer', "
            . (int) $invoice['id'] . ', ' . $recordId . ', c.email, NOW() FROM tblcontacts c JOIN tblinvoices i ON i.clientid = c.userid'
            . ' WHERE c.active = 1 AND i.id = ' . (int) $invoice['id']);
        [$body, $headers] = $this->signedWebhook($payment);
        [$web1] = $this->webNodes();

        [$status, , $raw] = (new Browser())->request('POST', $this->webhookOn($web1, $payment), $body, $headers);

        $this->assertSame([200, 'recorded'], [$status, self::label([$status, $raw])], $raw);
        $state = $this->assertRecordedOnceEverywhere($invoice, $payment, '27.40');
        $this->assertSame((string) $recordId, $state['guards'][0]['paymentrecord_id'], 'the guard points at the payment the dead owner added');
    }

    public function testLiveClaimOfAnotherRequestIsNotRacedAndTheWebhookIsAskedToRetry(): void
    {
        [$invoice, $payment] = $this->paidWithoutDelivery('19.90');
        $this->leaveClaim(1, $payment, date('Y-m-d H:i:s'));
        [$body, $headers] = $this->signedWebhook($payment);
        [, $web2] = $this->webNodes();

        [$status, $responseHeaders, $raw] = (new Browser())->request('POST', $this->webhookOn($web2, $payment), $body, $headers);

        $this->assertSame([503, 'recording_in_progress'], [$status, self::label([$status, $raw])], $raw);
        $this->assertGreaterThan(0, (int) ($responseHeaders['retry-after'] ?? 0), 'the provider is told when to retry');
        $this->assertSame([], $this->stateOn(2, $invoice['id'])['payments'], 'the live owner is not raced: nothing added');
    }
}
