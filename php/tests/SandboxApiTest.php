<?php
declare(strict_types=1);

namespace PayBridge\Tests;

use PayBridge\Tests\Support\FixtureServer;
use PayBridge\Tests\Support\FreePort;
use PayBridge\Tests\Support\PayBridgeTestCase;
use PayBridge\Tests\Support\Sandbox;

/** Real calls over loopback HTTP against the shared paybridge-sandbox (providers.md §N1–§N4). */
final class SandboxApiTest extends PayBridgeTestCase
{
    protected function setUp(): void
    {
        Sandbox::reset();
    }

    protected function tearDown(): void
    {
        Sandbox::reset();
    }

    /** The request-log entries of NeroPay writes, oldest first. */
    private static function writes(): array
    {
        return array_values(array_filter(Sandbox::requests(), fn ($r) => $r['method'] === 'POST' && $r['provider'] === 'neropay'));
    }

    public function testCreatePaymentReturnsANormalizedPendingPaymentWithASandboxCheckoutUrl(): void
    {
        $req = self::paymentRequest();
        $p = self::sandboxGateway()->createPayment($req);

        $this->assertIsString($p['id']);
        $this->assertMatchesRegularExpression('~^\d+$~', $p['id']);
        $this->assertSame($req['reference'], $p['reference']);
        $this->assertSame('pending', $p['status']);
        $this->assertStringStartsWith(Sandbox::url() . '/neropay/checkout/', $p['checkout_url']);
        $this->assertSame('12.50', $p['amount']);
        $this->assertSame(1250, $p['amount_minor']);
        $this->assertSame('EUR', $p['currency']);
        $this->assertSame('neropay', $p['provider']);
        $this->assertIsArray($p['raw']);
        $this->assertSame('open', $p['raw']['status']);
        $this->assertSame((int) $p['id'], $p['raw']['id']);
    }

    public function testAnIntAmountIsTakenAsMinorUnits(): void
    {
        $p = self::sandboxGateway()->createPayment(self::paymentRequest(['amount' => 1250]));
        $this->assertSame('12.50', $p['amount']);
        $this->assertSame(1250, $p['amount_minor']);
    }

    public function testCreatePaymentIsSignedAndCarriesAFresh32HexIdempotencyKey(): void
    {
        $g = self::sandboxGateway();
        $g->createPayment(self::paymentRequest());
        $g->createPayment(self::paymentRequest());
        $writes = self::writes();
        $this->assertCount(2, $writes);
        foreach ($writes as $w) {
            $this->assertTrue($w['signature_valid'], 'the sandbox verified the §N1 signature');
            $this->assertSame(201, $w['status']);
            $this->assertMatchesRegularExpression('~^[0-9a-f]{32}$~', $w['idempotency_key']);
        }
        $this->assertNotSame($writes[0]['idempotency_key'], $writes[1]['idempotency_key'], 'one key per operation');
    }

    public function testACallerIdempotencyKeyIsUsedAsGivenAndReusedOnEveryRetry(): void
    {
        Sandbox::faults(['fail_next' => 2, 'provider' => 'neropay']);
        $key = 'perfex-invoice-1001-attempt-1';
        $p = self::sandboxGateway(['max_retries' => 2])->createPayment(self::paymentRequest(['idempotency_key' => $key]));
        $this->assertSame('pending', $p['status']);

        $writes = self::writes();
        $this->assertCount(3, $writes, 'two injected 500s, then success');
        $this->assertSame(['fail', 'fail', null], array_column($writes, 'fault'));
        $this->assertSame([500, 500, 201], array_column($writes, 'status'));
        $this->assertSame([$key, $key, $key], array_column($writes, 'idempotency_key'));
        $this->assertTrue($writes[2]['signature_valid']);
    }

    public function testAGeneratedIdempotencyKeyIsAlsoReusedOnRetries(): void
    {
        Sandbox::faults(['fail_next' => 1, 'provider' => 'neropay']);
        self::sandboxGateway()->createPayment(self::paymentRequest());
        $keys = array_column(self::writes(), 'idempotency_key');
        $this->assertCount(2, $keys);
        $this->assertSame($keys[0], $keys[1]);
        $this->assertMatchesRegularExpression('~^[0-9a-f]{32}$~', $keys[0]);
    }

    public function testRetryingTheSameKeyAndBodyReplaysTheSamePayment(): void
    {
        $g = self::sandboxGateway();
        $req = self::paymentRequest(['idempotency_key' => bin2hex(random_bytes(16))]);
        $first = $g->createPayment($req);
        $second = $g->createPayment($req);
        $this->assertSame($first['id'], $second['id']);
    }

    public function testExhaustedRetriesOnServerErrorsThrowApiException(): void
    {
        Sandbox::faults(['fail_next' => 5, 'provider' => 'neropay']);
        $e = $this->assertPayBridgeError('ApiException', 'provider_rejected', fn () => self::sandboxGateway(['max_retries' => 1])->createPayment(self::paymentRequest()));
        $this->assertSame(500, $e->getHttpStatus());
        $this->assertCount(2, self::writes());
    }

    public function testRetrievePaymentAfterPayingThroughTheControlEndpointReportsPaid(): void
    {
        $g = self::sandboxGateway();
        $p = $g->createPayment(self::paymentRequest(['amount' => '7.05', 'currency' => 'GBP']));
        $this->assertSame('pending', $g->retrievePayment($p['id'])['status']);

        Sandbox::pay($p['id']);
        $fresh = $g->retrievePayment($p['id']);
        $this->assertSame('paid', $fresh['status']);
        $this->assertSame($p['id'], $fresh['id']);
        $this->assertSame('7.05', $fresh['amount']);
        $this->assertSame(705, $fresh['amount_minor']);
        $this->assertSame('GBP', $fresh['currency']);
        $this->assertSame('succeeded', $fresh['raw']['transaction']['status']);
    }

    public function testAWrongSecretKeyThrowsApiExceptionWithStatusProviderCodeAndRequestId(): void
    {
        $g = self::sandboxGateway(['secret_key' => 'sk_test_wrong']);
        foreach ([fn () => $g->createPayment(self::paymentRequest()), fn () => $g->retrievePayment('1001')] as $call) {
            $e = $this->assertPayBridgeError('ApiException', 'provider_rejected', $call);
            $this->assertSame(401, $e->getHttpStatus());
            $this->assertSame('authentication_failed', $e->getProviderCode());
            $this->assertStringStartsWith('req_', (string) $e->getRequestId());
        }
        $this->assertCount(1, self::writes(), 'a 401 is never retried');
    }

    public function testAnUnknownPaymentThrowsApiExceptionWith404(): void
    {
        $e = $this->assertPayBridgeError('ApiException', 'provider_rejected', fn () => self::sandboxGateway()->retrievePayment('999999999'));
        $this->assertSame(404, $e->getHttpStatus());
        $this->assertSame('resource_not_found', $e->getProviderCode());
        $this->assertStringStartsWith('req_', (string) $e->getRequestId());
    }

    public function testAnIdWithSlashesCannotEscapeThePaymentLinksPath(): void
    {
        $e = $this->assertPayBridgeError('ApiException', 'provider_rejected', fn () => self::sandboxGateway()->retrievePayment('../transactions/6636001'));
        $this->assertSame(404, $e->getHttpStatus());
        $paths = array_column(Sandbox::requests(), 'path');
        $this->assertNotContains('/neropay/v2/transactions/6636001', $paths);
    }

    public function testAValidationErrorCarriesTheProvidersCode(): void
    {
        // §N3: the sandbox enforces the vendor module's currencies (GBP, EUR, USD); the client does not.
        $e = $this->assertPayBridgeError('ApiException', 'provider_rejected', fn () => self::sandboxGateway()->createPayment(self::paymentRequest(['currency' => 'JPY', 'amount' => '1250'])));
        $this->assertSame(422, $e->getHttpStatus());
        $this->assertSame('validation_failed', $e->getProviderCode());
    }

    public function testASuccessAnswerThatIsNotAnEnvelopeThrowsInvalidResponse(): void
    {
        $server = new FixtureServer(200, '{"hello":"world"}');
        $g = new \PayBridge\Gateway('neropay', ['secret_key' => 'k', 'base_url' => $server->url, 'max_retries' => 0]);
        $e = $this->assertPayBridgeError('ApiException', 'invalid_response', fn () => $g->retrievePayment('1'));
        $this->assertSame(200, $e->getHttpStatus());
    }

    public function testAClosedPortThrowsARetrySafeConnectionFailed(): void
    {
        $port = FreePort::pick();
        $g = new \PayBridge\Gateway('neropay', ['secret_key' => 'k', 'base_url' => "http://127.0.0.1:$port/neropay/v2", 'max_retries' => 0]);
        foreach ([fn () => $g->createPayment(self::paymentRequest()), fn () => $g->retrievePayment('1001')] as $call) {
            $e = $this->assertPayBridgeError('TransportException', 'connection_failed', $call);
            $this->assertTrue($e->isRetrySafe());
        }
    }

    /** @return array<string, array{string}> the providers that honour an idempotency key */
    public static function keyedProviders(): array
    {
        return ['neropay' => ['neropay'], 'noxipay' => ['noxipay']];
    }

    /**
     * A NeroPay or Noxipay create that timed out after sending may have made the payment. With the
     * caller's own idempotency_key, calling again sends that key again and the provider answers with
     * the same payment: retry-safe. Without one, the extension made a key for that call only and a new
     * call makes another, which the provider takes for a second payment: not retry-safe. A read is
     * always retry-safe.
     * @dataProvider keyedProviders
     */
    public function testASlowProvidersCreateIsRetrySafeOnlyWithTheCallersOwnIdempotencyKey(string $provider): void
    {
        Sandbox::faults(['latency_ms' => 1500, 'provider' => $provider]);
        $g = self::providerGateway($provider, ['timeout_ms' => 200, 'max_retries' => 0]);
        $start = microtime(true);
        $keyed = self::paymentRequest(['idempotency_key' => 'order-1001-' . bin2hex(random_bytes(4))]);
        $e = $this->assertPayBridgeError('TransportException', 'timeout', fn () => $g->createPayment($keyed));
        $this->assertLessThan(1.2, microtime(true) - $start, 'timeout_ms is honoured');
        $this->assertTrue($e->isRetrySafe(), 'the same key makes the same payment');
        $e = $this->assertPayBridgeError('TransportException', 'timeout', fn () => $g->createPayment(self::paymentRequest()));
        $this->assertFalse($e->isRetrySafe(), 'a new call would carry another key');
        $e = $this->assertPayBridgeError('TransportException', 'timeout', fn () => $g->retrievePayment('1001'));
        $this->assertTrue($e->isRetrySafe());
    }

    /**
     * isRetrySafe() says whether repeating the call could make a second payment. A Payrexx create
     * carries no idempotency key Payrexx honours (issue 9's decision), so once its bytes were sent
     * a timeout is not retry-safe: the gateway may exist. The same create refused at connect time
     * never reached Payrexx, so repeating it is safe (contract 3).
     */
    public function testAPayrexxCreateThatTimedOutAfterSendingIsNotRetrySafe(): void
    {
        Sandbox::faults(['latency_ms' => 1500, 'provider' => 'payrexx']);
        $g = new \PayBridge\Gateway('payrexx', ['instance' => 'demo', 'secret_key' => 'px_test_secret',
            'base_url' => Sandbox::url() . '/payrexx/v1.14', 'timeout_ms' => 200, 'max_retries' => 0]);
        $e = $this->assertPayBridgeError('TransportException', 'timeout', fn () => $g->createPayment(self::paymentRequest()));
        $this->assertFalse($e->isRetrySafe(), 'the create may have been processed');
    }

    public function testAPayrexxCreateRefusedAtConnectIsRetrySafe(): void
    {
        $port = FreePort::pick();
        $g = new \PayBridge\Gateway('payrexx', ['instance' => 'demo', 'secret_key' => 'px_test_secret',
            'base_url' => "http://127.0.0.1:$port/payrexx/v1.14", 'max_retries' => 0]);
        $e = $this->assertPayBridgeError('TransportException', 'connection_failed', fn () => $g->createPayment(self::paymentRequest()));
        $this->assertTrue($e->isRetrySafe(), 'nothing was sent');
    }

    // ---- every provider (sandbox/README.md; the Rust conformance suite runs the same steps) ----

    /** @return array<string, array{string, string}> provider => [provider, currency] */
    public static function providers(): array
    {
        return ['neropay' => ['neropay', 'EUR'], 'payrexx' => ['payrexx', 'CHF'], 'noxipay' => ['noxipay', 'EUR']];
    }

    private static function providerGateway(string $provider, array $config = []): \PayBridge\Gateway
    {
        $base = Sandbox::url();
        return new \PayBridge\Gateway($provider, $config + match ($provider) {
            'neropay' => ['secret_key' => Sandbox::SECRET_KEY, 'base_url' => Sandbox::neropayBase()],
            'payrexx' => ['instance' => 'demo', 'secret_key' => 'px_test_secret', 'base_url' => "$base/payrexx/v1.14"],
            'noxipay' => ['secret_key' => 'nx_test_secret', 'base_url' => "$base/noxipay/v1"],
        });
    }

    /** @dataProvider providers */
    public function testEveryProviderCreatesAPendingPaymentWithASandboxCheckoutUrlAndReportsItPaidOncePaid(string $provider, string $currency): void
    {
        $g = self::providerGateway($provider);
        $p = $g->createPayment(self::paymentRequest(['currency' => $currency]));
        $this->assertIsString($p['id']);
        $this->assertSame(['pending', '12.50', 1250, $currency, $provider], [$p['status'], $p['amount'], $p['amount_minor'], $p['currency'], $p['provider']]);
        $this->assertStringStartsWith(Sandbox::url() . '/', (string) $p['checkout_url']);
        $this->assertSame('pending', $g->retrievePayment($p['id'])['status']);
        Sandbox::control('POST', "/$provider/payments/{$p['id']}/pay", ['deliver' => false]);
        $paid = $g->retrievePayment($p['id']);
        $this->assertSame(['paid', $p['id'], 1250, $currency], [$paid['status'], $paid['id'], $paid['amount_minor'], $paid['currency']]);
    }

    /** @dataProvider providers */
    public function testEveryProviderAnswersAWrongSecretKeyWithAnApiExceptionOf401Or403(string $provider, string $currency): void
    {
        $g = self::providerGateway($provider, ['secret_key' => 'wrong_secret_key']);
        $e = $this->assertPayBridgeError('ApiException', 'provider_rejected', fn () => $g->createPayment(self::paymentRequest(['currency' => $currency])));
        $this->assertContains($e->getHttpStatus(), [401, 403]);
    }

    /** @dataProvider providers */
    public function testEveryProviderAnswersAnUnknownPaymentWithAnApiExceptionOf404(string $provider): void
    {
        $e = $this->assertPayBridgeError('ApiException', 'provider_rejected', fn () => self::providerGateway($provider)->retrievePayment('999999999'));
        $this->assertSame(404, $e->getHttpStatus());
    }
}
