<?php
declare(strict_types=1);

namespace PayBridge\Tests;

use PayBridge\Exception\TransportException;
use PayBridge\Gateway;
use PayBridge\Tests\Support\FixtureServer;
use PayBridge\Tests\Support\PayBridgeTestCase;
use PayBridge\Tests\Support\Sandbox;

/**
 * Issue 13 contracts 1–3 through the built extension against the shared sandbox:
 * `Gateway::refundPayment` re-reads the payment, refuses what it does not allow before any
 * request, and sends NeroPay's, Payrexx's and Noxipay's refund calls; payment reads list the
 * refunds with their ids.
 */
final class RefundTest extends PayBridgeTestCase
{
    protected function setUp(): void
    {
        Sandbox::reset();
    }

    protected function tearDown(): void
    {
        Sandbox::reset();
    }

    private static function gateway(string $provider, array $config = []): Gateway
    {
        $base = Sandbox::url();
        return match ($provider) {
            'neropay' => self::sandboxGateway($config),
            'payrexx' => new Gateway('payrexx', $config + ['instance' => 'demo', 'secret_key' => 'px_test_secret', 'base_url' => "$base/payrexx/v1.14"]),
            'noxipay' => new Gateway('noxipay', $config + ['secret_key' => 'nx_test_secret', 'webhook_secret' => 'nxwh_test_secret', 'base_url' => "$base/noxipay/v1"]),
        };
    }

    /** A payment created through the extension and paid in the sandbox (no webhook). */
    private static function paid(string $provider, string $amount = '20.00', string $currency = 'EUR'): string
    {
        $currency = $provider === 'payrexx' && $currency === 'EUR' ? 'CHF' : $currency;
        $p = self::gateway($provider)->createPayment(self::paymentRequest(['amount' => $amount, 'currency' => $currency]));
        [$status, $state] = Sandbox::control('POST', "/$provider/payments/{$p['id']}/pay", ['deliver' => false]);
        if ($status !== 200) {
            throw new \RuntimeException("sandbox pay answered $status: " . json_encode($state));
        }
        return $p['id'];
    }

    /** Every provider API POST the sandbox received since the last reset. */
    private static function posts(string $provider): array
    {
        return array_values(array_filter(Sandbox::requests(), fn ($r) => $r['provider'] === $provider && $r['method'] === 'POST'));
    }

    private static function refundPosts(string $provider): array
    {
        return array_values(array_filter(self::posts($provider), fn ($r) => stripos($r['path'], 'refund') !== false));
    }

    public static function providers(): array
    {
        return ['neropay' => ['neropay'], 'payrexx' => ['payrexx'], 'noxipay' => ['noxipay']];
    }

    public static function keyedProviders(): array
    {
        return ['neropay' => ['neropay'], 'noxipay' => ['noxipay']];
    }

    /** @dataProvider providers */
    public function testAFullRefundSucceedsAndThePaymentThenReadsRefundedWithTheRefundListed(string $provider): void
    {
        $id = self::paid($provider, '20.00');
        $g = self::gateway($provider);
        $r = $g->refundPayment($id);

        $this->assertSame(['id', 'payment_id', 'status', 'amount', 'amount_minor', 'currency', 'provider', 'raw'], array_keys($r));
        $this->assertIsString($r['id']);
        $this->assertNotSame('', $r['id']);
        $this->assertSame($id, $r['payment_id']);
        $this->assertSame('succeeded', $r['status']);
        $this->assertSame('20.00', $r['amount']);
        $this->assertSame(2000, $r['amount_minor']);
        $this->assertSame($provider === 'payrexx' ? 'CHF' : 'EUR', $r['currency']);
        $this->assertSame($provider, $r['provider']);
        if ($provider === 'noxipay') {
            $this->assertStringStartsWith('re_', $r['id']);
        } else {
            $this->assertMatchesRegularExpression('~^\d+$~', $r['id'], 'integer ids as strings');
        }

        $p = $g->retrievePayment($id);
        $this->assertSame('refunded', $p['status']);
        $this->assertSame('20.00', $p['refunded_amount']);
        $this->assertSame(2000, $p['refunded_amount_minor']);
        $this->assertSame([[
            'id' => $r['id'], 'status' => 'succeeded', 'amount' => '20.00', 'amount_minor' => 2000, 'currency' => $r['currency'],
        ]], $p['refunds']);
        $this->assertSame([], $p['chargebacks']);
        $this->assertCount(1, self::refundPosts($provider));
    }

    /** @dataProvider providers */
    public function testPartialRefundsAddUpAndTheDefaultRefundsWhatIsLeft(string $provider): void
    {
        $id = self::paid($provider, '20.00');
        $g = self::gateway($provider);
        $this->assertSame('0.00', $g->retrievePayment($id)['refunded_amount']);
        $this->assertSame([], $g->retrievePayment($id)['refunds']);

        $a = $g->refundPayment($id, ['amount' => '5.00', 'reason' => 'damaged item']);
        $b = $g->refundPayment($id, ['amount' => 700]);
        $this->assertSame(['5.00', '7.00'], [$a['amount'], $b['amount']]);
        $this->assertNotSame($a['id'], $b['id']);

        $p = $g->retrievePayment($id);
        $this->assertSame('partially_refunded', $p['status']);
        $this->assertSame('12.00', $p['refunded_amount']);
        $this->assertSame(1200, $p['refunded_amount_minor']);
        $this->assertSame([$a['id'], $b['id']], array_column($p['refunds'], 'id'));

        $rest = $g->refundPayment($id);
        $this->assertSame('8.00', $rest['amount']);
        $p = $g->retrievePayment($id);
        $this->assertSame('refunded', $p['status']);
        $this->assertSame(2000, $p['refunded_amount_minor']);
        $this->assertSame(2000, array_sum(array_column($p['refunds'], 'amount_minor')));
    }

    /** @dataProvider providers */
    public function testARefundLargerThanRefundableIsRefusedBeforeAnyRequest(string $provider): void
    {
        $id = self::paid($provider, '10.00');
        $g = self::gateway($provider);
        $g->refundPayment($id, ['amount' => '4.00']);
        Sandbox::reset();

        $this->assertPayBridgeError('InvalidPayloadException', 'refund_exceeds_refundable', fn () => $g->refundPayment($id, ['amount' => '6.01']));
        $this->assertSame([], self::posts($provider), 'no refund request reached the provider');
        $this->assertSame('6.00', $g->refundPayment($id, ['amount' => '6.00'])['amount']);
    }

    /** @dataProvider providers */
    public function testAnUnpaidPaymentIsNotRefundableAndNothingIsSent(string $provider): void
    {
        $currency = $provider === 'payrexx' ? 'CHF' : 'EUR';
        $g = self::gateway($provider);
        $p = $g->createPayment(self::paymentRequest(['currency' => $currency]));
        Sandbox::reset();

        $this->assertPayBridgeError('InvalidPayloadException', 'payment_not_refundable', fn () => $g->refundPayment($p['id']));
        $this->assertSame([], self::posts($provider));
    }

    /** @dataProvider providers */
    public function testARefundInAnotherCurrencyIsRefusedBeforeAnyRequest(string $provider): void
    {
        $id = self::paid($provider);
        $g = self::gateway($provider);
        Sandbox::reset();

        $this->assertPayBridgeError('InvalidPayloadException', 'currency_mismatch', fn () => $g->refundPayment($id, ['amount' => '1.00', 'currency' => 'USD']));
        $this->assertSame([], self::posts($provider));
    }

    /** @dataProvider keyedProviders */
    public function testReplayingARefundWithTheSameKeyReturnsTheSameRefund(string $provider): void
    {
        $id = self::paid($provider, '20.00');
        $g = self::gateway($provider);
        $key = 'perfex-refund-' . bin2hex(random_bytes(4));

        $first = $g->refundPayment($id, ['amount' => '5.00', 'idempotency_key' => $key]);
        $again = $g->refundPayment($id, ['amount' => '5.00', 'idempotency_key' => $key]);
        $this->assertSame($first['id'], $again['id']);

        $p = $g->retrievePayment($id);
        $this->assertCount(1, $p['refunds']);
        $this->assertSame('5.00', $p['refunded_amount']);
        $this->assertSame([$key, $key], array_column(self::refundPosts($provider), 'idempotency_key'), 'the key is sent as given');
    }

    /** @dataProvider keyedProviders */
    public function testARefundWhoseAnswerTimedOutIsRetriedWithItsKeyAndMakesOneRefund(string $provider): void
    {
        $id = self::paid($provider, '20.00');
        // latency 0: the accepted POST is held 30 s, the client gives up after 0.8 s and retries.
        Sandbox::faults(['timeout_after_accept_next' => 1, 'method' => 'POST', 'provider' => $provider]);
        $g = self::gateway($provider, ['timeout_ms' => 800, 'max_retries' => 2]);

        $r = $g->refundPayment($id, ['amount' => '3.00']);
        $posts = self::refundPosts($provider);
        $this->assertCount(2, $posts, 'the timed-out POST, then its retry');
        $this->assertSame($posts[0]['idempotency_key'], $posts[1]['idempotency_key']);
        $this->assertCount(1, $g->retrievePayment($id)['refunds'], 'one refund, however many sends');
        $this->assertSame('3.00', $r['amount']);
    }

    public function testAPayrexxRefundGetsNoKeyAndIsNeverReSentOnceItMayHaveArrived(): void
    {
        $id = self::paid('payrexx', '20.00');
        Sandbox::faults(['timeout_after_accept_next' => 1, 'latency_ms' => 1500, 'method' => 'POST', 'provider' => 'payrexx']);
        $g = self::gateway('payrexx', ['timeout_ms' => 800, 'max_retries' => 2]);

        $e = $this->assertPayBridgeError('TransportException', 'timeout', fn () => $g->refundPayment($id, ['amount' => '3.00', 'idempotency_key' => 'kept-by-the-caller']));
        $this->assertInstanceOf(TransportException::class, $e);
        $this->assertFalse($e->isRetrySafe(), 'the refund may have been made: re-read first');
        $posts = self::refundPosts('payrexx');
        $this->assertCount(1, $posts, 'never re-sent');
        $this->assertNull($posts[0]['idempotency_key'], 'Payrexx honours no key, so none is sent');
        $this->assertSame('3.00', $g->retrievePayment($id)['refunded_amount'], 'the read tells what happened');
    }

    public static function exoticCurrencies(): array
    {
        return [
            'payrexx JPY' => ['payrexx', 'JPY', '1000', '300', 300, '1.5'],
            'payrexx KWD' => ['payrexx', 'KWD', '1.250', '0.125', 125, '0.0001'],
            'noxipay JPY' => ['noxipay', 'JPY', '1000', '300', 300, '1.5'],
            'noxipay KWD' => ['noxipay', 'KWD', '1.250', '0.125', 125, '0.0001'],
        ];
    }

    /** @dataProvider exoticCurrencies */
    public function testZeroAndThreeDecimalRefundsKeepTheCurrencysExponent(string $provider, string $currency, string $paid, string $refund, int $minor, string $tooPrecise): void
    {
        $id = self::paid($provider, $paid, $currency);
        $g = self::gateway($provider);
        $r = $g->refundPayment($id, ['amount' => $refund]);
        $this->assertSame([$refund, $minor, $currency], [$r['amount'], $r['amount_minor'], $r['currency']]);
        $p = $g->retrievePayment($id);
        $this->assertSame([$refund, $minor], [$p['refunded_amount'], $p['refunded_amount_minor']]);
        $this->assertSame($refund, $p['refunds'][0]['amount']);

        Sandbox::reset();
        $this->assertPayBridgeError('InvalidPayloadException', 'invalid_amount', fn () => $g->refundPayment($id, ['amount' => $tooPrecise]));
        $this->assertSame([], self::posts($provider));
    }

    public function testAUnicodeReasonReachesTheProviderIntactAndControlCharactersAreRefused(): void
    {
        $id = self::paid('neropay');
        $g = self::gateway('neropay');
        $reason = 'Rückerstattung – 返金 💶 "quoted" \\ back';
        $g->refundPayment($id, ['amount' => '1.00', 'reason' => $reason]);
        [, $state] = Sandbox::control('GET', "/neropay/payments/$id");
        $this->assertSame($reason, $state['transaction']['refunds'][0]['reason']);

        Sandbox::reset();
        foreach (["line\nbreak", "nul\0byte", "esc\x1b[31m", "del\x7f"] as $bad) {
            $this->assertPayBridgeError('InvalidPayloadException', 'invalid_request', fn () => $g->refundPayment($id, ['amount' => '1.00', 'reason' => $bad]));
        }
        $this->assertSame([], self::posts('neropay'));
    }

    public function testTheRequestIsCheckedLikeACreate(): void
    {
        $g = self::gateway('neropay');
        $this->assertPayBridgeError('InvalidPayloadException', 'invalid_request', fn () => $g->refundPayment('1', ['amount_minor' => 100]));
        $this->assertPayBridgeError('InvalidPayloadException', 'invalid_amount', fn () => $g->refundPayment('1', ['amount' => 1.5]));
        $this->assertPayBridgeError('InvalidPayloadException', 'invalid_amount', fn () => $g->refundPayment('1', ['amount' => 0]));
        $this->assertPayBridgeError('InvalidPayloadException', 'invalid_request', fn () => $g->refundPayment('1', ['idempotency_key' => 'has space']));
        $this->assertPayBridgeError('InvalidPayloadException', 'unsupported_currency', fn () => $g->refundPayment('1', ['currency' => 'XXY']));
        $this->assertSame([], Sandbox::requests(), 'nothing was read or sent');
    }

    public function testHostileRefundRequestsAreTypedErrorsNeverPanics(): void
    {
        $g = self::gateway('neropay');
        $id = self::paid('neropay');
        Sandbox::reset();
        foreach ([
            [0 => 'x'], ["\xff\xfe" => 1], ['amount' => ['1.00']], ['amount' => null, 'reason' => 5],
            ['amount' => "1.0\u{0301}"], ['amount' => '١٢'], ['amount' => PHP_INT_MAX . '0'], ['amount' => true],
            ['reason' => str_repeat('é', 256)], ['reason' => "\xc3"], ['currency' => "\u{20AC}UR"],
            ['idempotency_key' => str_repeat('k', 256)], ['idempotency_key' => "ключ"],
        ] as $i => $request) {
            $e = $this->assertNeverPanics(fn () => $g->refundPayment($id, $request));
            $this->assertInstanceOf(\PayBridge\Exception\InvalidPayloadException::class, $e, "request #$i");
        }
        $this->assertNeverPanics(fn () => $g->refundPayment("\0/../x"));
        $this->assertSame([], array_filter(Sandbox::requests(), fn ($r) => $r['method'] === 'POST'), 'nothing was sent');
    }

    /** @dataProvider providers */
    public function testARefundThatFailsAsynchronouslyIsPendingThenFailedAndFreesItsMoney(string $provider): void
    {
        $id = self::paid($provider, '20.00');
        Sandbox::faults(['refund_fails_async' => true]);
        $g = self::gateway($provider);

        $r = $g->refundPayment($id, ['amount' => '5.00']);
        $this->assertSame('pending', $r['status']);
        $p = $g->retrievePayment($id);
        $this->assertSame('pending', $p['refunds'][0]['status']);
        $this->assertSame('0.00', $p['refunded_amount']);
        $this->assertPayBridgeError('InvalidPayloadException', 'refund_exceeds_refundable', fn () => $g->refundPayment($id, ['amount' => '20.00']));

        $deadline = microtime(true) + 5;
        do {
            usleep(100_000);
            $p = $g->retrievePayment($id);
        } while ($p['refunds'][0]['status'] === 'pending' && microtime(true) < $deadline);
        $this->assertSame('failed', $p['refunds'][0]['status']);
        $this->assertSame('paid', $p['status']);
        $this->assertSame('0.00', $p['refunded_amount']);
        $this->assertSame('20.00', $g->refundPayment($id)['amount'], 'a failed refund holds no money');
    }

    /** @dataProvider providers */
    public function testARefundMadeInTheProvidersDashboardShowsInTheRead(string $provider): void
    {
        $id = self::paid($provider, '20.00');
        [$status] = Sandbox::control('POST', "/$provider/payments/$id/partial_refund", ['amount' => '2.50', 'deliver' => false]);
        $this->assertSame(200, $status);
        $p = self::gateway($provider)->retrievePayment($id);
        $this->assertSame('partially_refunded', $p['status']);
        $this->assertCount(1, $p['refunds']);
        $this->assertNotSame('', $p['refunds'][0]['id']);
        $this->assertSame(['succeeded', '2.50'], [$p['refunds'][0]['status'], $p['refunds'][0]['amount']]);
        $this->assertSame('2.50', $p['refunded_amount']);
    }

    public function testAConfirmedRefundWebhookCarriesTheApisRefunds(): void
    {
        $id = self::paid('noxipay', '20.00');
        $g = self::gateway('noxipay');
        $r = $g->refundPayment($id, ['amount' => '4.00']);
        [, $w] = Sandbox::control('GET', "/noxipay/payments/$id/webhook?type=refund.completed");
        $e = $g->confirmWebhook($w['body'], $w['headers'] + ['Content-Type' => $w['content_type']], ['payment_id' => $id]);
        $this->assertSame('partially_refunded', $e['status']);
        $this->assertSame('4.00', $e['refunded_amount']);
        $this->assertSame([$r['id']], array_column($e['refunds'], 'id'));

        $parsed = $g->parseWebhook($w['body'], $w['headers']);
        $this->assertNull($parsed['refunded_amount'], 'a body alone states no refund facts');
        $this->assertSame([], $parsed['refunds']);
    }

    public function testARedirectingProviderIsATypedErrorAndNothingIsFollowed(): void
    {
        $server = new FixtureServer(302, '', ['Location' => 'http://127.0.0.1:9/elsewhere']);
        $g = new Gateway('noxipay', ['secret_key' => 'k', 'webhook_secret' => 'w', 'base_url' => $server->url, 'max_retries' => 0]);
        $e = $this->assertPayBridgeError('ApiException', 'invalid_response', fn () => $g->refundPayment('pay_1', ['amount' => 100]));
        $this->assertSame(302, $e->getHttpStatus());
        $this->assertCount(1, $server->requests(), 'only the re-read; no refund sent, no redirect followed');
    }
}
