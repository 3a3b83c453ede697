<?php
declare(strict_types=1);

namespace PayBridge\Tests;

use PayBridge\Gateway;
use PayBridge\Tests\Support\PayBridgeTestCase;
use PayBridge\Tests\Support\Sandbox;

/** Verify-then-parse with a configured webhook secret (providers.md §0, §N5), and confirmWebhook's trust rule. */
final class WebhookSecurityTest extends PayBridgeTestCase
{
    private const WEBHOOK_SECRET = 'whsec_phpunit_secret';
    private const NOW = 1776825615;

    private static function gateway(array $config = []): Gateway
    {
        return new Gateway('neropay', $config + [
            'secret_key' => Sandbox::SECRET_KEY,
            'base_url' => Sandbox::neropayBase(),
            'webhook_secret' => self::WEBHOOK_SECRET,
            'fixed_now' => self::NOW,
        ]);
    }

    public function testACorrectlySignedWebhookIsVerifiedBySignature(): void
    {
        $body = self::ipnBody();
        $e = self::gateway()->parseWebhook($body, self::signedHeaders(self::WEBHOOK_SECRET, self::NOW - 10, $body));
        $this->assertSame('signature', $e['verified']);
        $this->assertSame('paid', $e['status']);
        $this->assertSame('6636598', $e['payment_id']);
        $this->assertSame('15.99', $e['amount']);
        $this->assertSame(1599, $e['amount_minor']);
    }

    public function testTamperedWebhookThrowsSignatureMismatch(): void
    {
        $body = self::ipnBody();
        $headers = self::signedHeaders(self::WEBHOOK_SECRET, self::NOW, $body);
        $tampered = str_replace('"15.99"', '"1599.00"', $body);
        $this->assertNotSame($body, $tampered);
        $this->assertPayBridgeError('SignatureException', 'signature_mismatch', fn () => self::gateway()->parseWebhook($tampered, $headers));
    }

    public function testASignatureOverADifferentTimestampIsAMismatch(): void
    {
        $body = self::ipnBody();
        $headers = self::signedHeaders(self::WEBHOOK_SECRET, self::NOW, $body);
        $headers['X-NeroPay-Timestamp'] = (string) (self::NOW - 1);
        $this->assertPayBridgeError('SignatureException', 'signature_mismatch', fn () => self::gateway()->parseWebhook($body, $headers));
    }

    public function testAStaleWebhookThrowsTimestampOutOfToleranceTooOld(): void
    {
        $body = self::ipnBody();
        $headers = self::signedHeaders(self::WEBHOOK_SECRET, self::NOW - 301, $body);
        $this->assertPayBridgeError('SignatureException', 'timestamp_out_of_tolerance', fn () => self::gateway()->parseWebhook($body, $headers), 'too old');
    }

    public function testAWebhookFromTheFutureThrowsTimestampOutOfToleranceTooNew(): void
    {
        $body = self::ipnBody();
        $headers = self::signedHeaders(self::WEBHOOK_SECRET, self::NOW + 301, $body);
        $this->assertPayBridgeError('SignatureException', 'timestamp_out_of_tolerance', fn () => self::gateway()->parseWebhook($body, $headers), 'too new');
    }

    public function testToleranceSecondsWidensTheWindow(): void
    {
        $body = self::ipnBody();
        $headers = self::signedHeaders(self::WEBHOOK_SECRET, self::NOW - 3000, $body);
        $this->assertSame('signature', self::gateway(['tolerance_seconds' => 3600])->parseWebhook($body, $headers)['verified']);
    }

    public function testAStaleWebhookWithAWrongMacIsAMismatchNotATimestampError(): void
    {
        $body = self::ipnBody();
        $headers = self::signedHeaders('whsec_other', self::NOW - 99999, $body);
        $this->assertPayBridgeError('SignatureException', 'signature_mismatch', fn () => self::gateway()->parseWebhook($body, $headers));
    }

    public function testMissingSignatureHeadersThrowMissingHeader(): void
    {
        $body = self::ipnBody();
        $e = $this->assertPayBridgeError('SignatureException', 'missing_header', fn () => self::gateway()->parseWebhook($body, []));
        $this->assertStringContainsStringIgnoringCase('X-NeroPay-Signature', $e->getMessage());
    }

    public function testANonHexSignatureThrowsMalformedSignature(): void
    {
        $body = self::ipnBody();
        $headers = ['X-NeroPay-Timestamp' => (string) self::NOW, 'X-NeroPay-Signature' => str_repeat('zz', 32)];
        $this->assertPayBridgeError('SignatureException', 'malformed_signature', fn () => self::gateway()->parseWebhook($body, $headers));
    }

    public function testANonNumericTimestampThrowsMalformedSignature(): void
    {
        $body = self::ipnBody();
        $headers = self::signedHeaders(self::WEBHOOK_SECRET, self::NOW, $body);
        $headers['X-NeroPay-Timestamp'] = 'yesterday';
        $this->assertPayBridgeError('SignatureException', 'malformed_signature', fn () => self::gateway()->parseWebhook($body, $headers));
    }

    public function testUppercaseHexAndLowercaseHeaderNamesAreAccepted(): void
    {
        $body = self::ipnBody();
        $sig = strtoupper(self::neroPaySignature(self::WEBHOOK_SECRET, self::NOW, $body));
        $e = self::gateway()->parseWebhook($body, ['x-neropay-timestamp' => (string) self::NOW, 'x-neropay-signature' => $sig]);
        $this->assertSame('signature', $e['verified']);
    }

    public function testASignedWebhookIsCheckedBeforeConfirmWebhookCallsTheApi(): void
    {
        Sandbox::reset();
        $body = self::ipnBody();
        $headers = self::signedHeaders('whsec_forger', self::NOW, $body);
        $this->assertPayBridgeError('SignatureException', 'signature_mismatch', fn () => self::gateway()->confirmWebhook($body, $headers, ['payment_id' => '1001']));
        $this->assertSame([], Sandbox::requests(), 'a wrong signature is rejected before any API call');
    }

    public function testConfirmWebhookOnAForgedSucceededEventForAnUnpaidLinkReturnsTheApisPendingStatus(): void
    {
        $api = self::sandboxGateway();
        $link = $api->createPayment(self::paymentRequest(['amount' => '20.00']));
        // No webhook secret: the body is untrusted and claims the link was paid, for a bigger amount.
        $forged = self::ipnBody(['id' => 6636999, 'trx' => $link['raw']['reference'], 'status' => 'succeeded', 'amount' => '999.00', 'currency' => 'EUR']);

        $parsed = $api->parseWebhook($forged, []);
        $this->assertSame('none', $parsed['verified']);

        $e = $api->confirmWebhook($forged, [], ['payment_id' => $link['id']]);
        $this->assertSame('pending', $e['status']);
        $this->assertNotSame('paid', $e['status']);
        $this->assertSame('api', $e['verified']);
        $this->assertSame($link['id'], $e['payment_id']);
        $this->assertSame('20.00', $e['amount']);
        $this->assertSame(2000, $e['amount_minor']);
        $this->assertSame('EUR', $e['currency']);
    }

    public function testConfirmWebhookWithAValidSignatureStillTakesTheStatusFromTheApi(): void
    {
        $link = self::sandboxGateway()->createPayment(self::paymentRequest());
        $body = self::ipnBody(['trx' => $link['raw']['reference']]);
        $now = time();
        $g = self::gateway(['fixed_now' => $now]);
        $e = $g->confirmWebhook($body, self::signedHeaders(self::WEBHOOK_SECRET, $now, $body), ['payment_id' => $link['id']]);
        $this->assertSame('pending', $e['status']);
        $this->assertSame('api', $e['verified']);

        Sandbox::pay($link['id']);
        $e = $g->confirmWebhook($body, self::signedHeaders(self::WEBHOOK_SECRET, $now, $body), ['payment_id' => $link['id']]);
        $this->assertSame('paid', $e['status']);
        $this->assertSame('12.50', $e['amount']);
    }

    public function testConfirmWebhookWithAnEmptyBodyAndAHintReReadsTheLink(): void
    {
        $api = self::sandboxGateway();
        $link = $api->createPayment(self::paymentRequest());
        Sandbox::pay($link['id']);
        $e = $api->confirmWebhook('', [], ['payment_id' => $link['id']]);
        $this->assertSame('paid', $e['status']);
        $this->assertSame('api', $e['verified']);
    }

    public function testConfirmWebhookAcceptsANullHint(): void
    {
        $this->assertPayBridgeError('InvalidPayloadException', 'invalid_payload', fn () => self::sandboxGateway()->confirmWebhook('', [], null));
    }

    // ---- every provider's signature (providers.md §N5, §P4, §X1) ---------------------------

    /**
     * One signed "paid 15.99" webhook per provider: [provider, config, body, headers(secret, body),
     * signature header, the amount's text in the body].
     *
     * @return array<string, array{string, array, string, \Closure, string, string}>
     */
    public static function signedProviders(): array
    {
        $base = ['secret_key' => 'sk_phpunit', 'webhook_secret' => self::WEBHOOK_SECRET, 'fixed_now' => self::NOW];
        return [
            'neropay' => ['neropay', $base, self::ipnBody(), fn (string $secret, string $body) => self::signedHeaders($secret, self::NOW - 10, $body), 'X-NeroPay-Signature', '"15.99"'],
            'payrexx' => ['payrexx', $base + ['instance' => 'demo'],
                json_encode(['transaction' => ['id' => 1841, 'uuid' => '6f1a2b3c', 'status' => 'confirmed', 'amount' => 1599,
                    'invoice' => ['currency' => 'CHF', 'paymentRequestId' => 77]]]),
                fn (string $secret, string $body) => ['Content-Type' => 'application/json', 'X-Webhook-Signature' => hash_hmac('sha256', $body, $secret)],
                'X-Webhook-Signature', '1599'],
            'noxipay' => ['noxipay', $base,
                json_encode(['id' => 'evt_nx_1', 'type' => 'payment.completed', 'created' => '2026-04-22T02:40:00Z',
                    'data' => ['id' => 'pay_9f8e7d', 'status' => 'completed', 'amount' => 1599, 'currency' => 'EUR']]),
                fn (string $secret, string $body) => ['X-Noxipay-Signature' => 'sha256=' . hash_hmac('sha256', $body, $secret)],
                'X-Noxipay-Signature', '1599'],
        ];
    }

    /** @dataProvider signedProviders */
    public function testACorrectlySignedWebhookOfEveryProviderIsVerifiedBySignature(string $provider, array $config, string $body, \Closure $sign, string $sigHeader, string $amount): void
    {
        $e = (new Gateway($provider, $config))->parseWebhook($body, $sign(self::WEBHOOK_SECRET, $body));
        $this->assertSame(['signature', 'paid', 1599, $provider], [$e['verified'], $e['status'], $e['amount_minor'], $e['provider']]);
    }

    /** @dataProvider signedProviders */
    public function testATamperedAmountInAnyProvidersWebhookIsASignatureMismatch(string $provider, array $config, string $body, \Closure $sign, string $sigHeader, string $amount): void
    {
        $headers = $sign(self::WEBHOOK_SECRET, $body);
        $tampered = str_replace($amount, str_replace('1599', '159900', str_replace('15.99', '1599.00', $amount)), $body);
        $this->assertNotSame($body, $tampered);
        $this->assertPayBridgeError('SignatureException', 'signature_mismatch', fn () => (new Gateway($provider, $config))->parseWebhook($tampered, $headers));
    }

    /** @dataProvider signedProviders */
    public function testAnyProvidersWebhookSignedWithAnotherSecretIsASignatureMismatch(string $provider, array $config, string $body, \Closure $sign): void
    {
        $this->assertPayBridgeError('SignatureException', 'signature_mismatch', fn () => (new Gateway($provider, $config))->parseWebhook($body, $sign('whsec_another_secret', $body)));
    }

    /** @dataProvider signedProviders */
    public function testAnyProvidersWebhookWithoutItsSignatureHeaderIsMissingHeader(string $provider, array $config, string $body, \Closure $sign, string $sigHeader): void
    {
        $headers = $sign(self::WEBHOOK_SECRET, $body);
        unset($headers[$sigHeader]);
        $this->assertPayBridgeError('SignatureException', 'missing_header', fn () => (new Gateway($provider, $config))->parseWebhook($body, $headers));
    }

    /** @dataProvider signedProviders */
    public function testAnyProvidersNonHexSignatureIsMalformed(string $provider, array $config, string $body, \Closure $sign, string $sigHeader): void
    {
        $headers = $sign(self::WEBHOOK_SECRET, $body);
        $headers[$sigHeader] = ($provider === 'noxipay' ? 'sha256=' : '') . str_repeat('zz', 32);
        $this->assertPayBridgeError('SignatureException', 'malformed_signature', fn () => (new Gateway($provider, $config))->parseWebhook($body, $headers));
    }
}
