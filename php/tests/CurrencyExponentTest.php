<?php
declare(strict_types=1);

namespace PayBridge\Tests;

use PayBridge\Tests\Support\PayBridgeTestCase;

/**
 * PayBridge\currency_exponent(): the core's ISO 4217 table exposed to PHP, so the Perfex module
 * converts amounts with the same exponents the extension checks them against (issue 12 item 4:
 * no PHP copy of the table).
 */
final class CurrencyExponentTest extends PayBridgeTestCase
{
    /** @return array<string, array{string, int}> */
    public static function currencies(): array
    {
        return [
            'zero-decimal JPY' => ['JPY', 0],
            'zero-decimal ISK' => ['ISK', 0],
            'two-decimal EUR' => ['EUR', 2],
            'two-decimal CHF' => ['CHF', 2],
            'three-decimal KWD' => ['KWD', 3],
            'four-decimal CLF' => ['CLF', 4],
            'lower case is the same currency' => ['jpy', 0],
        ];
    }

    /** @dataProvider currencies */
    public function testEveryCurrencyHasItsIsoExponent(string $code, int $exponent): void
    {
        $this->assertSame($exponent, \PayBridge\currency_exponent($code));
    }

    /** @return array<string, array{string}> */
    public static function notCurrencies(): array
    {
        return [
            'unknown code' => ['XYZ'],
            'empty' => [''],
            'four letters' => ['EURO'],
            'digits' => ['978'],
            'padded' => [' EUR'],
            'NUL inside' => ["EU\0"],
        ];
    }

    /** @dataProvider notCurrencies */
    public function testAnythingElseIsAnUnsupportedCurrency(string $code): void
    {
        $this->assertPayBridgeError('InvalidPayloadException', 'unsupported_currency', fn () => \PayBridge\currency_exponent($code));
    }
}
