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
}
