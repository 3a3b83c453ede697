<?php
declare(strict_types=1);

namespace PayBridge\Tests;

use PayBridge\Gateway;
use PayBridge\Tests\Support\FixtureServer;
use PayBridge\Tests\Support\FreePort;
use PayBridge\Tests\Support\PayBridgeTestCase;

/**
 * Bad payment requests, ids, hints and config from PHP never crash the process and never surface
 * as a "Rust panic" \Error: a paybridge exception with a stable code, or a TypeError for a wrongly
 * typed argument (HostileInputTest covers bodies and headers).
 */
final class HostileRequestInputTest extends PayBridgeTestCase
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

    // ---- amounts and currencies ------------------------------------------------------------

    public function testAFloatAmountIsRefusedAsInvalidAmount(): void
    {
        foreach ([12.5, 12.0, 0.1 + 0.2, NAN, INF, -1.0] as $f) {
            $e = $this->assertPayBridgeError('InvalidPayloadException', 'invalid_amount', fn () => self::offline()->createPayment(self::paymentRequest(['amount' => $f])));
            $this->assertStringContainsString('float', $e->getMessage());
        }
    }

    /** @return array<string, array{mixed}> */
    public static function badAmounts(): array
    {
        $cases = ['negative' => '-1.00', 'negative int' => -5, 'zero' => '0', 'zero decimal' => '0.00', 'zero int' => 0,
            'too many decimals' => '1.234', 'exponent' => '1e3', 'upper exponent' => '1E3', 'leading space' => ' 12.50',
            'trailing space' => '12.50 ', 'newline' => "12.50\n", 'inner space' => '12 .50', 'empty' => '', 'letters' => 'abc',
            'plus sign' => '+12.50', 'trailing dot' => '12.', 'leading dot' => '.50', 'arabic digits' => '١٢', 'comma' => '12,50',
            'hex' => '0x10', 'underscore' => '1_000', 'overflow' => '9999999999999999999999', 'just over i64' => '92233720368547758.08',
            'nul byte' => "12\0.50", 'bool' => true, 'null' => null, 'array' => ['12.50'], 'object' => new \stdClass(), 'non-utf8' => "\xff1"];
        return array_map(fn ($v) => [$v], $cases);
    }

    /** @dataProvider badAmounts */
    public function testABadAmountIsRefusedAsInvalidAmountBeforeAnyRequest(mixed $amount): void
    {
        $req = self::paymentRequest();
        $req['amount'] = $amount;
        if ($amount === null) {
            // An explicit null is the same as a missing amount.
            $this->assertNeverPanics(fn () => self::offline()->createPayment($req));
            return;
        }
        $this->assertPayBridgeError('InvalidPayloadException', 'invalid_amount', fn () => self::offline()->createPayment($req));
    }

    public function testAmountsWithFewerDecimalsOrTheLargestMinorValueAreAccepted(): void
    {
        foreach (['12.5', '12', PHP_INT_MAX, '92233720368547758.07'] as $ok) {
            $this->assertPayBridgeError('TransportException', 'connection_failed', fn () => self::offline()->createPayment(self::paymentRequest(['amount' => $ok])));
        }
    }

    public function testAnUnknownCurrencyIsUnsupportedCurrency(): void
    {
        foreach (['XYZ', 'EURO', 'E', '€UR', "EU\0", '123', "\xff\xfe\xfd"] as $c) {
            $e = $this->assertNeverPanics(fn () => self::offline()->createPayment(self::paymentRequest(['currency' => $c])));
            $this->assertInstanceOf(\PayBridge\Exception\InvalidPayloadException::class, $e, $c);
            $this->assertContains($e->getErrorCode(), ['unsupported_currency', 'invalid_request'], $c);
        }
        $this->assertPayBridgeError('InvalidPayloadException', 'unsupported_currency', fn () => self::offline()->createPayment(self::paymentRequest(['currency' => 'XYZ'])));
    }

    public function testTooManyDecimalsDependsOnTheCurrencyExponent(): void
    {
        $this->assertPayBridgeError('InvalidPayloadException', 'invalid_amount', fn () => self::offline()->createPayment(self::paymentRequest(['currency' => 'JPY', 'amount' => '100.5'])));
        $this->assertPayBridgeError('InvalidPayloadException', 'invalid_amount', fn () => self::offline()->createPayment(self::paymentRequest(['currency' => 'KWD', 'amount' => '1.0001'])));
    }

    // ---- requests -------------------------------------------------------------------------

    public function testMalformedRequestsAreInvalidRequest(): void
    {
        $cases = [
            'missing amount' => ['amount' => null],
            'missing currency' => ['currency' => null],
            'missing reference' => ['reference' => null],
            'blank reference' => ['reference' => '   '],
            'int reference' => ['reference' => 5],
            'non-utf8 reference' => ['reference' => "\xff"],
            'reference over 200 bytes' => ['reference' => str_repeat('r', 201)],
            'missing success_url' => ['success_url' => null],
            'missing notify_url' => ['notify_url' => null],
            'unknown key' => ['amonut' => '1.00'],
            'int-keyed metadata' => ['metadata' => ['a', 'b']],
            'nested metadata' => ['metadata' => ['a' => ['b']]],
            'string metadata' => ['metadata' => 'a=b'],
            'string customer' => ['customer' => 'Jane'],
            'array customer email' => ['customer' => ['email' => ['a@b']]],
            'idempotency key with NUL' => ['idempotency_key' => "a\0b"],
            'idempotency key too long' => ['idempotency_key' => str_repeat('k', 256)],
            'idempotency key with space' => ['idempotency_key' => 'a b'],
        ];
        foreach ($cases as $label => $override) {
            $req = self::paymentRequest($override);
            $e = $this->assertNeverPanics(fn () => self::offline()->createPayment($req));
            $this->assertInstanceOf(\PayBridge\Exception\InvalidPayloadException::class, $e, $label);
            $this->assertSame('invalid_request', $e->getErrorCode(), "$label: " . $e->getMessage());
        }
        $this->assertPayBridgeError('InvalidPayloadException', 'invalid_request', fn () => self::offline()->createPayment(self::paymentRequest() + [7 => 'x']));
        $this->assertPayBridgeError('InvalidPayloadException', 'invalid_request', fn () => self::offline()->createPayment([]));
    }

    public function testNulBytesInRequestStringsNeverCrash(): void
    {
        $req = self::paymentRequest(['reference' => "INV\0-1", 'description' => "d\0", 'metadata' => ["k\0" => "v\0"], 'customer' => ['name' => "J\0", 'email' => "a\0@b"]]);
        $this->assertPayBridgeError('TransportException', 'connection_failed', fn () => self::offline()->createPayment($req));
        $this->assertPayBridgeError('TransportException', 'connection_failed', fn () => self::offline()->retrievePayment("10\0001"));
    }

    public function testAnUnknownRequestKeyContainingANulByteIsAnInvalidRequest(): void
    {
        $this->assertPayBridgeError('InvalidPayloadException', 'invalid_request', fn () => self::offline()->createPayment(self::paymentRequest() + ["amount\0" => '1.00']));
    }

    public function testANonUtf8RequestKeyIsAnInvalidRequest(): void
    {
        $this->assertPayBridgeError('InvalidPayloadException', 'invalid_request', fn () => self::offline()->createPayment(self::paymentRequest() + ["\xff" => 'x']));
    }

    public function testANonUtf8MetadataKeyIsAnInvalidRequest(): void
    {
        $this->assertPayBridgeError('InvalidPayloadException', 'invalid_request', fn () => self::offline()->createPayment(self::paymentRequest(['metadata' => ["\xff" => 'x']])));
    }

    public function testBadPaymentIdsAreInvalidRequest(): void
    {
        $this->assertPayBridgeError('InvalidPayloadException', 'invalid_request', fn () => self::offline()->retrievePayment(''));
        $this->assertPayBridgeError('InvalidPayloadException', 'invalid_request', fn () => self::offline()->retrievePayment(str_repeat('9', 201)));
    }

    public function testBadHintsNeverCrash(): void
    {
        $this->assertPayBridgeError('InvalidPayloadException', 'invalid_request', fn () => self::offline()->confirmWebhook('', [], ['payment_id' => ['1']]));
        $this->assertPayBridgeError('InvalidPayloadException', 'invalid_request', fn () => self::offline()->confirmWebhook('', [], ['payment_id' => "\xff"]));
        $this->assertPayBridgeError('InvalidPayloadException', 'invalid_payload', fn () => self::offline()->confirmWebhook('', [], ['unknown' => 'x', 0 => 'y']));
        $this->assertPayBridgeError('TransportException', 'connection_failed', fn () => self::offline()->confirmWebhook('', [], ['payment_id' => 1001]));
    }

    // ---- providers and config ---------------------------------------------------------------

    public function testAnUnknownProviderIsAConfigError(): void
    {
        foreach (['stripe', '', 'NEROPAY', ' neropay', str_repeat('x', 10_000)] as $name) {
            $this->assertPayBridgeError('ConfigException', 'config', fn () => new Gateway($name, ['secret_key' => 'k']));
        }
        // `string $provider` is taken as UTF-8 by the binding: other bytes are a TypeError or a config error.
        $e = $this->assertNeverPanics(fn () => new Gateway("\xff", ['secret_key' => 'k']));
        $this->assertTrue($e instanceof \TypeError || $e instanceof \PayBridge\Exception\ConfigException, get_class($e));
    }

    public function testAProviderNameContainingANulByteIsAConfigError(): void
    {
        $this->assertPayBridgeError('ConfigException', 'config', fn () => new Gateway("neropay\0", ['secret_key' => 'k']));
    }

    public function testUnknownConfigKeysAreAConfigError(): void
    {
        $e = $this->assertPayBridgeError('ConfigException', 'config', fn () => new Gateway('neropay', ['secret_key' => 'k', 'secretkey' => 'x']));
        $this->assertStringContainsString('secretkey', $e->getMessage());
        $this->assertPayBridgeError('ConfigException', 'config', fn () => new Gateway('neropay', ['secret_key' => 'k', str_repeat('z', 100_000) => 1]));
        $this->assertPayBridgeError('ConfigException', 'config', fn () => new Gateway('neropay', ['secret_key' => 'k', 0 => 'x']));
    }

    public function testAnUnknownConfigKeyContainingANulByteIsAConfigError(): void
    {
        $this->assertPayBridgeError('ConfigException', 'config', fn () => new Gateway('neropay', ['secret_key' => 'k', "secret_key\0" => 'x']));
    }

    public function testANonUtf8ConfigKeyIsAConfigError(): void
    {
        $this->assertPayBridgeError('ConfigException', 'config', fn () => new Gateway('neropay', ['secret_key' => 'k', "\xff" => 'x']));
    }

    public function testANonUtf8KeyInAWebhookSecretListNeverPanics(): void
    {
        $e = $this->assertNeverPanics(fn () => new Gateway('neropay', ['secret_key' => 'k', 'webhook_secret' => ["\xff" => 'whsec_a']]));
        $this->assertTrue($e instanceof Gateway || $e instanceof \PayBridge\Exception\ConfigException, get_debug_type($e));
    }

    public function testInvalidConfigValuesAreAConfigError(): void
    {
        $cases = [
            'no secret' => [],
            'empty secret' => ['secret_key' => ''],
            'int secret' => ['secret_key' => 5],
            'object secret' => ['secret_key' => new \stdClass()],
            'non-utf8 secret' => ['secret_key' => "\xff"],
            'float timeout' => ['secret_key' => 'k', 'timeout_ms' => 1.5],
            'zero timeout' => ['secret_key' => 'k', 'timeout_ms' => 0],
            'string timeout' => ['secret_key' => 'k', 'timeout_ms' => '1000'],
            'huge retries' => ['secret_key' => 'k', 'max_retries' => 99],
            'negative retries' => ['secret_key' => 'k', 'max_retries' => -1],
            'http to a remote host' => ['secret_key' => 'k', 'base_url' => 'http://neropay.example/v2'],
            'ftp base url' => ['secret_key' => 'k', 'base_url' => 'ftp://127.0.0.1/'],
            'relative base url' => ['secret_key' => 'k', 'base_url' => '/v2'],
            'credentials in base url' => ['secret_key' => 'k', 'base_url' => 'https://u:p@neropay.example/v2'],
            'string fixed_now' => ['secret_key' => 'k', 'fixed_now' => '1776825615'],
            'webhook secret list of ints' => ['secret_key' => 'k', 'webhook_secret' => [1, 2]],
            'nested webhook secret' => ['secret_key' => 'k', 'webhook_secret' => [['x']]],
            'bad account' => ['secret_key' => 'k', 'account' => 'NP 1; DROP'],
            'zero tolerance' => ['secret_key' => 'k', 'tolerance_seconds' => 0],
            'resource value' => ['secret_key' => 'k', 'account' => fopen('php://memory', 'r')],
        ];
        foreach ($cases as $label => $config) {
            $e = $this->assertNeverPanics(fn () => new Gateway('neropay', $config));
            $this->assertInstanceOf(\PayBridge\Exception\ConfigException::class, $e, $label);
            $this->assertSame('config', $e->getErrorCode(), $label);
        }
    }

    public function testNulAndNonUtf8BytesInConfigValuesNeverCrash(): void
    {
        foreach (['secret_key' => "sk\0x", 'webhook_secret' => "wh\0", 'base_url' => "http://127.0.0.1:1/\0", 'account' => "NP\0"] as $k => $v) {
            $this->assertNeverPanics(fn () => new Gateway('neropay', ['secret_key' => 'k', $k => $v]));
        }
    }

    public function testAGatewayKeepsWorkingAfterManyErrors(): void
    {
        $g = self::offline();
        mt_srand(20260422); // deterministic garbage
        $bytes = fn (int $n) => implode('', array_map(fn () => chr(mt_rand(0, 255)), range(1, $n)));
        for ($i = 0; $i < 200; $i++) {
            $this->assertNeverPanics(fn () => $g->parseWebhook($bytes(64), ['X' . $bytes(4) => $bytes(8)]));
        }
        $this->assertSame('unknown', $g->parseWebhook('{"type":"x"}', [])['status']);
    }
}
