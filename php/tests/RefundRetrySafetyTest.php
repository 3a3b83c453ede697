<?php
declare(strict_types=1);

namespace PayBridge\Tests;

use PayBridge\Gateway;
use PayBridge\Tests\Support\PayBridgeTestCase;
use PayBridge\Tests\Support\Sandbox;

/**
 * isRetrySafe() of a NeroPay or Noxipay refund whose answer never came, by the rule of creates
 * (README "Retries and idempotency"): with the caller's own idempotency_key a new call sends the
 * same key and the provider answers with the same refund; without one, the key the extension made
 * died with the call, and a new call could refund twice.
 */
final class RefundRetrySafetyTest extends PayBridgeTestCase
{
    protected function setUp(): void
    {
        Sandbox::reset();
    }

    protected function tearDown(): void
    {
        Sandbox::reset();
    }

    /** @return array<string, array{string}> */
    public static function keyedProviders(): array
    {
        return ['neropay' => ['neropay'], 'noxipay' => ['noxipay']];
    }

    private static function gateway(string $provider, array $config = []): Gateway
    {
        return $provider === 'neropay'
            ? self::sandboxGateway($config)
            : new Gateway('noxipay', $config + ['secret_key' => 'nx_test_secret', 'base_url' => Sandbox::url() . '/noxipay/v1']);
    }

    /** @dataProvider keyedProviders */
    public function testARefundThatTimedOutAfterSendingIsRetrySafeOnlyWithTheCallersOwnKey(string $provider): void
    {
        $p = self::gateway($provider)->createPayment(self::paymentRequest(['amount' => '20.00']));
        [$status] = Sandbox::control('POST', "/$provider/payments/{$p['id']}/pay", ['deliver' => false]);
        $this->assertSame(200, $status, 'sandbox pay');
        $g = self::gateway($provider, ['timeout_ms' => 800, 'max_retries' => 0]);
        $slow = ['timeout_after_accept_next' => 1, 'latency_ms' => 1500, 'method' => 'POST', 'provider' => $provider];

        Sandbox::faults($slow);
        $e = $this->assertPayBridgeError('TransportException', 'timeout', fn () => $g->refundPayment($p['id'], ['amount' => '3.00']));
        $this->assertFalse($e->isRetrySafe(), 'a new call would carry another key: it could refund twice');

        Sandbox::faults($slow);
        $key = 'perfex-refund-' . bin2hex(random_bytes(4));
        $e = $this->assertPayBridgeError('TransportException', 'timeout', fn () => $g->refundPayment($p['id'], ['amount' => '3.00', 'idempotency_key' => $key]));
        $this->assertTrue($e->isRetrySafe(), 'the same key makes the same refund');
    }
}
