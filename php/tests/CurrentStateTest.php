<?php
declare(strict_types=1);

namespace PayBridge\Tests;

use PayBridge\Gateway;
use PayBridge\Tests\Support\FixtureServer;
use PayBridge\Tests\Support\PayBridgeTestCase;
use PayBridge\Tests\Support\Sandbox;

/**
 * Issue 9 through the built extension against the shared sandbox: retrievePayment and
 * confirmWebhook report a payment's current state from its settled transaction (contract 2), and
 * every normalized array carries `mode` (contract 1: Payrexx from Transaction/{id}; NeroPay and
 * Noxipay null).
 */
final class CurrentStateTest extends PayBridgeTestCase
{
    /** provider => [currency, paid event type] (sandbox/README.md). */
    private const PROVIDERS = [
        'neropay' => ['EUR', 'transaction.succeeded'],
        'payrexx' => ['CHF', 'confirmed'],
        'noxipay' => ['EUR', 'payment.completed'],
    ];

    protected function setUp(): void
    {
        Sandbox::reset();
    }

    private static function gateway(string $provider): Gateway
    {
        $base = Sandbox::url();
        return match ($provider) {
            'neropay' => self::sandboxGateway(),
            'payrexx' => new Gateway('payrexx', ['instance' => 'demo', 'secret_key' => 'px_test_secret', 'base_url' => "$base/payrexx/v1.14"]),
            'noxipay' => new Gateway('noxipay', ['secret_key' => 'nx_test_secret', 'webhook_secret' => 'nxwh_test_secret', 'base_url' => "$base/noxipay/v1"]),
        };
    }

    private static function act(string $provider, string $id, string $action, array $body = []): array
    {
        [$status, $state] = Sandbox::control('POST', "/$provider/payments/$id/$action", $body + ['deliver' => false]);
        if ($status !== 200) {
            throw new \RuntimeException("sandbox $action answered $status: " . json_encode($state));
        }
        return $state;
    }

    /** The sandbox's success webhook for the payment, replayed after its state moved on. */
    private static function stalePaidClaim(string $provider, string $id): array
    {
        $event = self::PROVIDERS[$provider][1];
        [, $w] = Sandbox::control('GET', "/$provider/payments/$id/webhook?type=" . rawurlencode($event));
        $headers = $w['headers'] + ['Content-Type' => $w['content_type']];
        return self::gateway($provider)->confirmWebhook($w['body'], $headers, ['payment_id' => $id]);
    }

    private static function paidPayment(string $provider, string $amount = '20.00', array $pay = []): array
    {
        $currency = self::PROVIDERS[$provider][0];
        $p = self::gateway($provider)->createPayment(self::paymentRequest(['amount' => $amount, 'currency' => $currency]));
        self::act($provider, $p['id'], 'pay', $pay);
        return $p;
    }

    public function testRefundedPaymentIsNeverReportedPaid(): void
    {
        foreach (array_keys(self::PROVIDERS) as $provider) {
            $p = self::paidPayment($provider);
            $this->assertSame('paid', self::gateway($provider)->retrievePayment($p['id'])['status'], $provider);
            self::act($provider, $p['id'], 'refund');

            $now = self::gateway($provider)->retrievePayment($p['id']);
            $this->assertSame(['refunded', '20.00'], [$now['status'], $now['amount']], $provider);
            $event = self::stalePaidClaim($provider, $p['id']);
            $this->assertSame(['refunded', 'api'], [$event['status'], $event['verified']], "$provider: the body claims success");
        }
    }

    public function testAnEmptyPostToARefundedNeroPayPaymentsWebhookIsNotPaid(): void
    {
        $p = self::paidPayment('neropay');
        self::act('neropay', $p['id'], 'refund');
        $event = self::gateway('neropay')->confirmWebhook('', [], ['payment_id' => $p['id']]);
        $this->assertSame('refunded', $event['status']);
    }

    public function testPartiallyRefundedPaymentReportsPartiallyRefunded(): void
    {
        foreach (array_keys(self::PROVIDERS) as $provider) {
            $p = self::paidPayment($provider);
            self::act($provider, $p['id'], 'partial_refund', ['amount' => '5.00']);
            $now = self::gateway($provider)->retrievePayment($p['id']);
            $this->assertSame(['partially_refunded', 2000], [$now['status'], $now['amount_minor']], $provider);
            $this->assertSame('partially_refunded', self::stalePaidClaim($provider, $p['id'])['status'], $provider);
        }
    }

    public function testChargedBackPaymentReportsChargeback(): void
    {
        foreach (['payrexx', 'noxipay'] as $provider) {
            $p = self::paidPayment($provider);
            self::act($provider, $p['id'], 'chargeback');
            $this->assertSame('chargeback', self::gateway($provider)->retrievePayment($p['id'])['status'], $provider);
            $this->assertSame('chargeback', self::stalePaidClaim($provider, $p['id'])['status'], $provider);
        }
    }

    public function testRefundedNeroPayPaymentReportsTheSettledAmountOfItsTransaction(): void
    {
        $p = self::paidPayment('neropay', '12.50', ['amount' => '10.00', 'currency' => 'GBP']);
        self::act('neropay', $p['id'], 'refund');
        $now = self::gateway('neropay')->retrievePayment($p['id']);
        $this->assertSame(['refunded', '10.00', 'GBP'], [$now['status'], $now['amount'], $now['currency']]);
    }

    public function testAVoidedNeroPayTransactionReportsCancelledWhileItsLinkStillSaysPaid(): void
    {
        $p = self::paidPayment('neropay');
        $tx = Sandbox::control('GET', "/neropay/payments/{$p['id']}")[1]['transaction']['id'];
        // §N4 cancel is a signed write (§N1), sent here as the merchant's back office would.
        $ts = (string) time();
        $opts = ['http' => ['method' => 'POST', 'ignore_errors' => true, 'content' => '{}', 'header' => implode("\r\n", [
            'Authorization: Bearer ' . Sandbox::SECRET_KEY,
            'Content-Type: application/json',
            "X-NeroPay-Timestamp: $ts",
            'X-NeroPay-Signature: ' . self::neroPaySignature(Sandbox::SECRET_KEY, $ts, '{}'),
            'Idempotency-Key: ' . bin2hex(random_bytes(16)),
        ])]];
        file_get_contents(Sandbox::neropayBase() . "/transactions/$tx/cancel", false, stream_context_create($opts));
        $this->assertSame('paid', Sandbox::control('GET', "/neropay/payments/{$p['id']}")[1]['status'], 'the link keeps saying paid');

        $this->assertSame('cancelled', self::gateway('neropay')->retrievePayment($p['id'])['status']);
        $this->assertSame('cancelled', self::stalePaidClaim('neropay', $p['id'])['status']);
    }

    public function testPayrexxTestModeTransactionReportsModeTest(): void
    {
        $g = self::gateway('payrexx');
        $test = self::paidPayment('payrexx', '9.00', ['mode' => 'TEST']);
        $live = self::paidPayment('payrexx', '9.00');

        $this->assertSame(['paid', 'test'], [$g->retrievePayment($test['id'])['status'], $g->retrievePayment($test['id'])['mode']]);
        $this->assertSame('live', $g->retrievePayment($live['id'])['mode']);
        [, $w] = Sandbox::control('GET', "/payrexx/payments/{$test['id']}/webhook?type=confirmed");
        $this->assertSame('test', $g->parseWebhook($w['body'], ['Content-Type' => $w['content_type']])['mode']);
        $this->assertSame('test', self::stalePaidClaim('payrexx', $test['id'])['mode']);
        $this->assertArrayHasKey('mode', $test);
        $this->assertNull($test['mode'], 'no transaction at creation, no mode');
    }

    public function testAPayrexxWebhookBodyClaimingLiveModeGetsTheApisTestMode(): void
    {
        $test = self::paidPayment('payrexx', '9.00', ['mode' => 'TEST']);
        [, $w] = Sandbox::control('GET', "/payrexx/payments/{$test['id']}/webhook?type=confirmed");
        $forged = str_replace('"mode":"TEST"', '"mode":"LIVE"', $w['body']);
        $this->assertNotSame($w['body'], $forged);
        $g = self::gateway('payrexx');
        $this->assertSame('live', $g->parseWebhook($forged, ['Content-Type' => 'application/json'])['mode'], 'parse reports the claim');
        $event = $g->confirmWebhook($forged, ['Content-Type' => 'application/json'], ['payment_id' => $test['id']]);
        $this->assertSame(['test', 'api'], [$event['mode'], $event['verified']]);
    }

    public function testNeroPayAndNoxipayReportANullMode(): void
    {
        foreach (['neropay', 'noxipay'] as $provider) {
            $p = self::paidPayment($provider);
            $now = self::gateway($provider)->retrievePayment($p['id']);
            $this->assertArrayHasKey('mode', $now, $provider);
            $this->assertNull($now['mode'], $provider);
            $event = self::stalePaidClaim($provider, $p['id']);
            $this->assertArrayHasKey('mode', $event, $provider);
            $this->assertNull($event['mode'], $provider);
        }
    }

    public function testAPaidNeroPayLinkWithoutAReadableTransactionIsNeverPaid(): void
    {
        // Every request gets this answer: the link says paid, and what comes back for its
        // transaction is not a transaction of this link.
        $server = new FixtureServer(200, json_encode(['success' => true, 'data' => [
            'id' => 1001, 'identifier' => 'PERFEX_CRM-1', 'reference' => 'NP-1', 'amount' => '12.50', 'currency' => 'EUR', 'status' => 'paid',
        ]]));
        $g = new Gateway('neropay', ['secret_key' => 'k', 'base_url' => $server->url, 'max_retries' => 0]);
        $p = $g->retrievePayment('1001');
        $this->assertNotSame('paid', $p['status']);
        $this->assertSame('unknown', $p['status']);
        $this->assertNotSame('paid', $g->confirmWebhook('', [], ['payment_id' => '1001'])['status']);
    }

    public function testAConfirmedPayrexxGatewayWithoutATransactionIsNeverPaid(): void
    {
        $server = new FixtureServer(200, json_encode(['status' => 'success', 'data' => [[
            'id' => 5, 'status' => 'confirmed', 'referenceId' => 'INV-5', 'amount' => 1250, 'currency' => 'CHF', 'invoices' => [],
        ]]]));
        $g = new Gateway('payrexx', ['instance' => 'demo', 'secret_key' => 's', 'base_url' => $server->url, 'max_retries' => 0]);
        $this->assertSame('unknown', $g->retrievePayment('5')['status']);
        $this->assertSame('unknown', $g->confirmWebhook('', [], ['payment_id' => '5'])['status']);
    }
}
