<?php
declare(strict_types=1);

namespace PayBridge\Tests;

use PayBridge\Gateway;
use PayBridge\Tests\Support\FixtureServer;
use PayBridge\Tests\Support\FreePort;
use PayBridge\Tests\Support\PayBridgeTestCase;

/**
 * Bad input from PHP never crashes the process and never surfaces as a "Rust panic" \Error:
 * it is a paybridge exception with a stable code, or a TypeError for a wrongly typed argument.
 */
final class HostileInputTest extends PayBridgeTestCase
{
    private const NOW = 1776825615;

    /** Unsigned gateway whose API calls go to a closed port (valid requests end in connection_failed). */
    private static function offline(): Gateway
    {
        static $port = null;
        $port ??= FreePort::pick();
        return new Gateway('neropay', ['secret_key' => 'k', 'base_url' => "http://127.0.0.1:$port/v2", 'max_retries' => 0]);
    }

    private static function signing(): Gateway
    {
        return new Gateway('neropay', ['secret_key' => 'k', 'webhook_secret' => 'w', 'fixed_now' => self::NOW]);
    }

    // ---- webhook bodies -------------------------------------------------------------------

    public function testANonUtf8BodyIsAnInvalidPayload(): void
    {
        $this->assertPayBridgeError('InvalidPayloadException', 'invalid_payload', fn () => self::offline()->parseWebhook("\xff\xfe", []));
        $body = "\xff\xfe";
        $this->assertPayBridgeError('InvalidPayloadException', 'invalid_payload', fn () => self::signing()->parseWebhook($body, self::signedHeaders('w', self::NOW, $body)));
    }

    public function testANonUtf8StringInsideValidJsonIsAnInvalidPayload(): void
    {
        $this->assertPayBridgeError('InvalidPayloadException', 'invalid_payload', fn () => self::offline()->parseWebhook("{\"type\":\"\xff\"}", []));
    }

    public function testAnEmptyBodyIsAnInvalidPayload(): void
    {
        $this->assertPayBridgeError('InvalidPayloadException', 'invalid_payload', fn () => self::offline()->parseWebhook('', []));
    }

    public function testAnEmptyBodyWithASecretConfiguredIsMissingHeaders(): void
    {
        $this->assertPayBridgeError('SignatureException', 'missing_header', fn () => self::signing()->parseWebhook('', []));
    }

    public function testABodyOverOneMebibyteIsAnInvalidPayload(): void
    {
        $huge = '{"type":"transaction.succeeded","pad":"' . str_repeat('a', 2 << 20) . '"}';
        $this->assertPayBridgeError('InvalidPayloadException', 'invalid_payload', fn () => self::offline()->parseWebhook($huge, []));
        $this->assertPayBridgeError('InvalidPayloadException', 'invalid_payload', fn () => self::signing()->parseWebhook($huge, self::signedHeaders('w', self::NOW, $huge)));
    }

    public function testABodyOfExactlyOneMebibyteIsStillAccepted(): void
    {
        $prefix = '{"type":"transaction.succeeded","pad":"';
        $body = $prefix . str_repeat('a', (1 << 20) - strlen($prefix) - 2) . '"}';
        $this->assertSame(1 << 20, strlen($body));
        $e = self::signing()->parseWebhook($body, self::signedHeaders('w', self::NOW, $body));
        $this->assertSame('signature', $e['verified']);
    }

    public function testDeeplyNestedJsonIsAnInvalidPayloadNotAStackOverflow(): void
    {
        foreach ([str_repeat('[', 100_000), str_repeat('{"a":', 100_000), '{"type":"x","a":' . str_repeat('[', 100_000) . str_repeat(']', 100_000) . '}'] as $body) {
            $this->assertPayBridgeError('InvalidPayloadException', 'invalid_payload', fn () => self::offline()->parseWebhook($body, []));
        }
    }

    public function testModeratelyNestedJsonComesBackAsNestedArrays(): void
    {
        $e = self::offline()->parseWebhook('{"type":"x","a":' . str_repeat('[', 100) . str_repeat(']', 100) . '}', []);
        $this->assertSame('unknown', $e['status']);
        $this->assertIsArray($e['raw']['a']);
    }

    public function testNulBytesInBodiesNeverCrash(): void
    {
        $this->assertPayBridgeError('InvalidPayloadException', 'invalid_payload', fn () => self::offline()->parseWebhook("{\"type\":\"x\0\"}", []));
        $e = self::offline()->parseWebhook('{"type":"a\u0000b","id":"evt\u0000"}', []);
        $this->assertSame("a\0b", $e['type']);
        $this->assertSame("evt\0", $e['id']);
        $this->assertPayBridgeError('InvalidPayloadException', 'invalid_payload', fn () => self::offline()->parseWebhook("\0", []));
    }

    public function testAJsonArrayScalarOrEventWithoutTypeIsAnInvalidPayload(): void
    {
        foreach (['[1,2]', '"s"', '42', 'null', 'true', '{}', '{"type":5}'] as $body) {
            $this->assertPayBridgeError('InvalidPayloadException', 'invalid_payload', fn () => self::offline()->parseWebhook($body, []));
        }
    }

    public function testHugeNumbersInAnEventNeverBecomeFloats(): void
    {
        $e = self::offline()->parseWebhook('{"type":"x","n":123456789012345678901234567890,"f":0.1}', []);
        $this->assertSame('123456789012345678901234567890', $e['raw']['n']);
        $this->assertSame('0.1', $e['raw']['f']);
    }

    // ---- headers ----------------------------------------------------------------------------

    public function testMissingHeadersThrowMissingHeader(): void
    {
        $body = self::ipnBody();
        $this->assertPayBridgeError('SignatureException', 'missing_header', fn () => self::signing()->parseWebhook($body, []));
        $this->assertPayBridgeError('SignatureException', 'missing_header', fn () => self::signing()->parseWebhook($body, ['X-NeroPay-Timestamp' => (string) self::NOW]));
    }

    public function testHeaderArraysWithIntKeysAreIgnored(): void
    {
        $body = self::ipnBody();
        $h = self::signedHeaders('w', self::NOW, $body);
        $this->assertPayBridgeError('SignatureException', 'missing_header', fn () => self::signing()->parseWebhook($body, array_values($h)));
        $this->assertPayBridgeError('SignatureException', 'missing_header', fn () => self::signing()->parseWebhook($body, ['X-NeroPay-Signature: ' . $h['X-NeroPay-Signature']]));
    }

    public function testHeaderValuesGivenAsListsUseTheirFirstString(): void
    {
        $body = self::ipnBody();
        $h = self::signedHeaders('w', self::NOW, $body);
        $e = self::signing()->parseWebhook($body, array_map(fn ($v) => [$v], $h));
        $this->assertSame('signature', $e['verified']);
        $this->assertNeverPanics(fn () => self::signing()->parseWebhook($body, ['X-NeroPay-Signature' => [[['deep']], 1.5, null], 'X-NeroPay-Timestamp' => [new \stdClass()]]));
    }

    public function testNonStringHeaderValuesNeverCrash(): void
    {
        $body = self::ipnBody();
        $sig = self::neroPaySignature('w', self::NOW, $body);
        // An int timestamp is what `getallheaders()`-style code may hand over: accepted as its digits.
        $this->assertSame('signature', self::signing()->parseWebhook($body, ['X-NeroPay-Timestamp' => self::NOW, 'X-NeroPay-Signature' => $sig])['verified']);
        foreach ([1.5, true, false, null, new \stdClass(), fopen('php://memory', 'r'), fn () => 1] as $odd) {
            $e = $this->assertNeverPanics(fn () => self::signing()->parseWebhook($body, ['X-NeroPay-Timestamp' => $odd, 'X-NeroPay-Signature' => $odd]));
            $this->assertInstanceOf(\PayBridge\Exception\SignatureException::class, $e, get_debug_type($odd));
        }
    }

    public function testNonUtf8AndNulHeaderBytesNeverCrash(): void
    {
        $body = self::ipnBody();
        $this->assertPayBridgeError('SignatureException', 'malformed_signature', fn () => self::signing()->parseWebhook($body, ['X-NeroPay-Signature' => "\xff\xfe", 'X-NeroPay-Timestamp' => "\xff"]));
        $this->assertPayBridgeError('SignatureException', 'missing_header', fn () => self::signing()->parseWebhook($body, ["X-NeroPay-Signature\0" => 'a', 'X-NeroPay-Timestamp' => "1\0"]));
        $sig = self::neroPaySignature('w', self::NOW, $body);
        $this->assertNeverPanics(fn () => self::signing()->parseWebhook($body, ['X-NeroPay-Signature' => "$sig\0", 'X-NeroPay-Timestamp' => self::NOW . "\0"]));
    }

    public function testANonUtf8HeaderNameIsIgnoredWithoutAPanic(): void
    {
        $body = self::ipnBody();
        $e = $this->assertNeverPanics(fn () => self::offline()->parseWebhook($body, ["X-Odd-\xff" => 'b']));
        $this->assertIsArray($e, 'an unsigned webhook does not look at headers');
        $this->assertPayBridgeError('SignatureException', 'missing_header', fn () => self::signing()->parseWebhook($body, ["\xff\xfe" => 'b']));
    }

    public function testANonUtf8KeyInsideAHeaderValueListNeverPanics(): void
    {
        $e = $this->assertNeverPanics(fn () => self::offline()->parseWebhook('{"type":"x"}', ['X-List' => ["\xff" => 'b']]));
        $this->assertIsArray($e, 'an unsigned webhook does not look at headers');
        $e = $this->assertNeverPanics(fn () => self::signing()->parseWebhook('{"type":"x"}', ['X-NeroPay-Signature' => ["\xff" => 'b']]));
        $this->assertInstanceOf(\PayBridge\Exception\SignatureException::class, $e);
    }

    public function testTenThousandHeadersAreRefusedAsAnInvalidPayload(): void
    {
        $h = [];
        for ($i = 0; $i < 10_000; $i++) {
            $h["X-Header-$i"] = str_repeat('v', 16);
        }
        $this->assertPayBridgeError('InvalidPayloadException', 'invalid_payload', fn () => self::offline()->parseWebhook('{"type":"x"}', $h));
        $this->assertPayBridgeError('InvalidPayloadException', 'invalid_payload', fn () => self::signing()->parseWebhook('{"type":"x"}', $h));
    }

    public function testAHugeHeaderValueNeverCrashes(): void
    {
        $body = self::ipnBody();
        $this->assertPayBridgeError('SignatureException', 'malformed_signature', fn () => self::signing()->parseWebhook($body, ['X-NeroPay-Signature' => str_repeat('a', 4 << 20), 'X-NeroPay-Timestamp' => (string) self::NOW]));
        $this->assertPayBridgeError('SignatureException', 'malformed_signature', fn () => self::signing()->parseWebhook($body, ['X-NeroPay-Signature' => str_repeat('ab', 32), 'X-NeroPay-Timestamp' => str_repeat('9', 100)]));
    }

    // ---- argument types ---------------------------------------------------------------------

    public function testWrongArgumentTypesAreTypeErrorsNotPanics(): void
    {
        $g = self::offline();
        $this->assertTypeError(fn () => new Gateway('neropay', 'secret'));
        $this->assertTypeError(fn () => new Gateway(null, []));
        $this->assertTypeError(fn () => new Gateway(['neropay'], []));
        $this->assertTypeError(fn () => $g->parseWebhook(123, []));
        $this->assertTypeError(fn () => $g->parseWebhook(null, []));
        $this->assertTypeError(fn () => $g->parseWebhook('{}', 'X-NeroPay-Signature: x'));
        $this->assertTypeError(fn () => $g->parseWebhook('{}', null));
        $this->assertTypeError(fn () => $g->createPayment('amount=12.50'));
        $this->assertTypeError(fn () => $g->createPayment(new \ArrayObject(['amount' => '1.00'])));
        $this->assertTypeError(fn () => $g->retrievePayment(['1001']));
        $this->assertTypeError(fn () => $g->retrievePayment(1001));
        $this->assertTypeError(fn () => $g->confirmWebhook('{}', [], 'pay_1'));
        $this->assertTypeError(fn () => $g->confirmWebhook('{}', new \stdClass()));
        $e = $this->assertNeverPanics(fn () => $g->parseWebhook('{}'));
        $this->assertInstanceOf(\ArgumentCountError::class, $e);
    }

    public function testANonUtf8PaymentIdIsATypeError(): void
    {
        $this->assertTypeError(fn () => self::offline()->retrievePayment("\xff\xfe"));
    }

    // ---- hostile Unicode amounts (issue 9 item 1) -------------------------------------------

    /** Amounts that once reached a byte-index split inside a multi-byte character. */
    public static function hostileAmounts(): array
    {
        return [
            'e acute' => ['1.1é'], 'euro sign' => ['12.5€'], 'euro after point' => ['1.€'],
            'zero width space' => ["15.99\u{200B}"], 'right-to-left override' => ["1.00\u{202E}"],
            'emoji' => ['1.😀'], 'combining accent' => ["1.1\u{0301}"], 'arabic digits' => ['١.٢٣٤'],
            'nul' => ["1.00\0"], 'control' => ["1.0\x01"],
        ];
    }

    /** @dataProvider hostileAmounts */
    public function testAHostileUnicodeAmountInAnUnsignedNeroPayIpnIsInvalidAmountNotAPanic(string $amount): void
    {
        $body = self::ipnBody(['amount' => $amount]);
        $this->assertPayBridgeError('InvalidPayloadException', 'invalid_amount', fn () => self::offline()->parseWebhook($body, []));
        // Without a hint the body is all confirmWebhook has: it fails before any API call.
        $this->assertPayBridgeError('InvalidPayloadException', 'invalid_amount', fn () => self::offline()->confirmWebhook($body, []));
    }

    /** @dataProvider hostileAmounts */
    public function testAHostileUnicodeAmountWithAHintLeadsToTheReReadNotAPanic(string $amount): void
    {
        // With a hint the unsigned body is only a wake-up call: the re-read answers, here a
        // fixture's 404, and the hostile amount never reaches an \Error.
        $api = new FixtureServer(404, '{"error":{"code":"resource_not_found","message":"no such link"}}');
        $g = new Gateway('neropay', ['secret_key' => 'k', 'base_url' => $api->url . '/v2', 'max_retries' => 0]);
        $e = $this->assertNeverPanics(fn () => $g->confirmWebhook(self::ipnBody(['amount' => $amount]), [], ['payment_id' => '42']));
        $this->assertInstanceOf(\PayBridge\Exception\ApiException::class, $e);
        $this->assertCount(1, $api->requests());
    }

    /** @dataProvider hostileAmounts */
    public function testAHostileUnicodeAmountInASignedNeroPayIpnIsInvalidAmountNotAPanic(string $amount): void
    {
        $body = self::ipnBody(['amount' => $amount]);
        $this->assertPayBridgeError('InvalidPayloadException', 'invalid_amount', fn () => self::signing()->parseWebhook($body, self::signedHeaders('w', self::NOW, $body)));
    }

    public function testHostileUnicodeInEveryPayrexxFormFieldNeverPanics(): void
    {
        $g = new Gateway('payrexx', ['instance' => 'demo', 'secret_key' => 'k', 'base_url' => 'http://127.0.0.1:' . FreePort::pick() . '/v1', 'max_retries' => 0]);
        foreach (['1.1é', '12.5€', "\u{200B}", "\u{202E}", '😀', "\0", "\xff\xfe"] as $bad) {
            $fields = ['transaction[id]' => '7', 'transaction[status]' => 'confirmed', 'transaction[amount]' => '1250',
                'transaction[invoice][currency]' => 'CHF', 'transaction[invoice][referenceId]' => 'INV-1'];
            foreach (array_keys($fields) as $key) {
                $body = http_build_query([$key => $bad] + $fields);
                $this->assertNeverPanics(fn () => $g->parseWebhook($body, ['Content-Type' => 'application/x-www-form-urlencoded']));
                $bracketed = str_replace('[', '[' . $bad, $key) . '=' . rawurlencode($bad);
                $this->assertNeverPanics(fn () => $g->parseWebhook($bracketed, []));
            }
        }
        $amount = http_build_query(['transaction' => ['id' => '7', 'status' => 'confirmed', 'amount' => '1.1é', 'invoice' => ['currency' => 'CHF']]]);
        $this->assertPayBridgeError('InvalidPayloadException', 'invalid_amount', fn () => $g->parseWebhook($amount, []));
    }

    public function testHostileUnicodeInEveryCreatePaymentFieldIsATypedErrorNotAPanic(): void
    {
        mt_srand(20261201); // deterministic garbage
        $random = fn () => implode('', array_map(fn () => chr(mt_rand(0, 255)), range(1, mt_rand(1, 12))));
        $values = ['1.1é', '12.5€', "\u{200B}", "12.50\u{202E}", "\u{202E}EUR", '😀', "a\0b", "\x01\x7f", "\xff\xfe", '١٢', $random(), $random()];
        $g = self::offline();
        foreach (['amount', 'currency', 'reference', 'description', 'success_url', 'cancel_url', 'notify_url', 'idempotency_key'] as $key) {
            foreach ($values as $v) {
                $e = $this->assertNeverPanics(fn () => $g->createPayment(self::paymentRequest([$key => $v])));
                $this->assertInstanceOf(\PayBridge\Exception\PayBridgeException::class, $e, "$key: " . bin2hex($v));
            }
        }
        foreach ($values as $v) {
            foreach ([['metadata' => [$v => $v]], ['customer' => ['name' => $v, 'email' => $v]], [$v => 'x']] as $extra) {
                $this->assertNeverPanics(fn () => $g->createPayment(self::paymentRequest($extra)));
            }
            $this->assertNeverPanics(fn () => $g->retrievePayment($v));
        }
        foreach (['1.1é', '12.5€', '1.😀'] as $amount) {
            $this->assertPayBridgeError('InvalidPayloadException', 'invalid_amount', fn () => $g->createPayment(self::paymentRequest(['amount' => $amount])));
        }
    }

    public function testTheRetryConfigKeyAcceptsAllOrUnsentAndNothingElse(): void
    {
        // Contract 3: `retry` is "all" (default) or "unsent", for every provider.
        $base = ['neropay' => ['secret_key' => 'k'], 'payrexx' => ['instance' => 'demo', 'secret_key' => 'k'], 'noxipay' => ['secret_key' => 'k']];
        foreach ($base as $provider => $config) {
            foreach (['all', 'unsent'] as $mode) {
                $this->assertSame($provider, (new Gateway($provider, $config + ['retry' => $mode]))->provider());
            }
            foreach (['none', 'ALL', '', "unsent\0", 'unsenté'] as $bad) {
                $this->assertNeverPanics(fn () => new Gateway($provider, $config + ['retry' => $bad]));
            }
            $this->assertPayBridgeError('ConfigException', 'config', fn () => new Gateway($provider, $config + ['retry' => 'sometimes']));
            $this->assertPayBridgeError('ConfigException', 'config', fn () => new Gateway($provider, $config + ['retry' => 2]));
        }
    }

    // ---- redirects (issue 9 item 6, contract 4) -----------------------------------------------

    public function testARedirectIsAnApiExceptionAndItsTargetReceivesNothing(): void
    {
        $target = new FixtureServer(200, '{}');
        $origin = new FixtureServer(302, '', ['Location' => $target->url . '/steal']);
        $configs = [
            'neropay' => ['secret_key' => 'sk_test_redirect', 'account' => 'NP1', 'base_url' => $origin->url . '/v2'],
            'payrexx' => ['instance' => 'demo', 'secret_key' => 'px_redirect', 'base_url' => $origin->url . '/v1'],
            'noxipay' => ['secret_key' => 'nx_redirect', 'webhook_secret' => 'w', 'base_url' => $origin->url . '/v1'],
        ];
        foreach ($configs as $provider => $config) {
            $g = new Gateway($provider, $config);
            foreach ([fn () => $g->createPayment(self::paymentRequest()), fn () => $g->retrievePayment('abc123')] as $call) {
                $e = $this->assertPayBridgeError('ApiException', 'invalid_response', $call);
                $this->assertSame(302, $e->getHttpStatus(), $provider);
            }
        }
        $this->assertCount(6, $origin->requests(), 'each call reached the origin once and was not retried');
        $this->assertSame([], $target->requests(), 'no key, signature or idempotency key left for the redirect target');
    }

}
