<?php
declare(strict_types=1);

namespace PayBridge\Tests\Support;

use PayBridge\Exception\PayBridgeException;
use PayBridge\Gateway;
use PHPUnit\Framework\TestCase;

abstract class PayBridgeTestCase extends TestCase
{
    public const SHORT_NS = 'PayBridge\\Exception\\';

    /** A NeroPay gateway on the shared sandbox; `$config` overrides the defaults. */
    protected static function sandboxGateway(array $config = []): Gateway
    {
        return new Gateway('neropay', $config + [
            'secret_key' => Sandbox::SECRET_KEY,
            'base_url' => Sandbox::neropayBase(),
        ]);
    }

    /** A valid createPayment request; `$overrides` replace or add keys (null removes one). */
    protected static function paymentRequest(array $overrides = []): array
    {
        $req = array_merge([
            'amount' => '12.50',
            'currency' => 'EUR',
            'reference' => 'PERFEX_CRM-' . bin2hex(random_bytes(4)),
            'description' => 'Invoice INV-001001',
            'success_url' => 'https://crm.example/ok',
            'cancel_url' => 'https://crm.example/cancel',
            'notify_url' => 'https://crm.example/ipn',
        ], $overrides);
        return array_filter($req, fn ($v) => $v !== null);
    }

    /** §N5 [ours]: lowercase hex HMAC-SHA256(secret, timestamp "." body). */
    protected static function neroPaySignature(string $secret, int|string $timestamp, string $body): string
    {
        return hash_hmac('sha256', $timestamp . '.' . $body, $secret);
    }

    protected static function signedHeaders(string $secret, int $timestamp, string $body): array
    {
        return [
            'X-NeroPay-Timestamp' => (string) $timestamp,
            'X-NeroPay-Signature' => self::neroPaySignature($secret, $timestamp, $body),
        ];
    }

    /** The §N5 documented IPN body, with optional changes to its transaction. */
    protected static function ipnBody(array $transaction = [], string $type = 'transaction.succeeded'): string
    {
        return json_encode([
            'id' => 'evt_' . bin2hex(random_bytes(8)),
            'type' => $type,
            'created_at' => '2026-04-22T03:40:15+01:00',
            'account_id' => 'NPEE4E742AB2_6165',
            'transaction' => $transaction + [
                'id' => 6636598, 'trx' => 'NP-ORDER1001', 'status' => 'succeeded', 'amount' => '15.99', 'currency' => 'GBP',
            ],
        ], JSON_UNESCAPED_SLASHES);
    }

    /**
     * Runs `$fn` and checks the catch-all rule for bad input: whatever is thrown is a paybridge
     * exception, a TypeError or a ValueError, and no message in its chain says "Rust panic".
     * Returns the result, or the Throwable.
     */
    protected function assertNeverPanics(callable $fn): mixed
    {
        try {
            return $fn();
        } catch (\Throwable $e) {
            $this->assertNotPanic($e);
            return $e;
        }
    }

    protected function assertNotPanic(\Throwable $e): void
    {
        for ($t = $e; $t !== null; $t = $t->getPrevious()) {
            $this->assertStringNotContainsStringIgnoringCase('panic', $t->getMessage(), get_class($t) . ' carries a Rust panic');
        }
        $this->assertTrue(
            $e instanceof PayBridgeException || $e instanceof \TypeError || $e instanceof \ValueError,
            'unexpected ' . get_class($e) . ': ' . $e->getMessage(),
        );
    }

    /**
     * Asserts `$fn` throws exactly `$class` (short name under PayBridge\Exception) with `$code`.
     */
    protected function assertPayBridgeError(string $class, string $code, callable $fn, ?string $messageContains = null): PayBridgeException
    {
        $e = $this->assertNeverPanics($fn);
        $this->assertInstanceOf(\Throwable::class, $e, "expected $class($code), but nothing was thrown");
        $this->assertSame(self::SHORT_NS . $class, get_class($e), 'class; message: ' . $e->getMessage());
        $this->assertSame($code, $e->getErrorCode(), 'error code; message: ' . $e->getMessage());
        if ($messageContains !== null) {
            $this->assertStringContainsString($messageContains, $e->getMessage());
        }
        return $e;
    }

    protected function assertTypeError(callable $fn): \TypeError
    {
        $e = $this->assertNeverPanics($fn);
        $this->assertInstanceOf(\TypeError::class, $e);
        return $e;
    }
}
