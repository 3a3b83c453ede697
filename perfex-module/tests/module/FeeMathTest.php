<?php

use PHPUnit\Framework\TestCase;

defined('BASEPATH') or define('BASEPATH', __DIR__);
require_once dirname(__DIR__, 2) . '/paybridge/libraries/Paybridge_fee.php';
require_once dirname(__DIR__, 2) . '/paybridge/libraries/Paybridge_html.php';

/**
 * The gateway fee's conversion at the edge (issue 13 items 5 and 7) and the admin page's escaping, as pure
 * functions (no stack needed); GatewayFeeTest and AdminToolTest cover them through the stack.
 */
final class FeeMathTest extends TestCase
{
    public function testAFloatBecomesItsShortestRoundTripDecimal(): void
    {
        $this->assertSame('35.1', Paybridge_fee::shortestDecimal(35.1));
        $this->assertSame('0.30000000000000004', Paybridge_fee::shortestDecimal(0.1 + 0.2));
        $this->assertSame('1200', Paybridge_fee::shortestDecimal(1200.0));
        $this->assertSame('0.66', Paybridge_fee::decimalOf('0.66'));
        $this->assertSame('0.00001', Paybridge_fee::decimalOf('1.0E-5'));
    }

    public function testRoundingIsHalfUpWithCarries(): void
    {
        $this->assertSame('10.00', Paybridge_fee::roundHalfUp('9.995', 2));
        $this->assertSame('9.99', Paybridge_fee::roundHalfUp('9.9949999', 2));
        $this->assertSame('36', Paybridge_fee::roundHalfUp('35.50', 0));
        $this->assertSame('35', Paybridge_fee::roundHalfUp('35.49', 0));
        $this->assertSame('0.660', Paybridge_fee::roundHalfUp('0.66', 3));
        $this->assertSame('100', Paybridge_fee::roundHalfUp('99.5', 0));
        $this->assertSame('123.78', Paybridge_fee::roundHalfUp(Paybridge_fee::shortestDecimal(120.0 + 3.78), 2));
    }

    public function testTheModulesOwnFeeIsExactIntegerArithmetic(): void
    {
        $this->assertSame([378, false], Paybridge_fee::ownFeeCents(12000, '0.30', '2.9'));
        $this->assertSame([66, false], Paybridge_fee::ownFeeCents(1250, '0.30', '2.9'));   // 0.6625 -> 0.66
        $this->assertSame([3, true], Paybridge_fee::ownFeeCents(50, '', '5'));              // 2.5 cents: a half
        $this->assertSame([0, false], Paybridge_fee::ownFeeCents(99999, '0', '0'));
        // 10^13 major units (Perfex's decimal(15,2) limit) at 99.9999 %: no 64-bit overflow.
        $this->assertSame([999999000000000 + 1000, false], Paybridge_fee::ownFeeCents(1000000000000000, '10', '99.9999'));
        foreach (['2,9', '-1', '1e2', '101', '0.00001'] as $bad) {
            try {
                Paybridge_fee::ownFeeCents(100, '0', $bad);
                $this->fail("accepted fee_percent '$bad'");
            } catch (InvalidArgumentException $e) {
                $this->assertSame('fee_mismatch', $e->getMessage());
            }
        }
    }

    /** @return array<string, array{0:float,1:float,2:string,3:string,4:int,5:int,6:string}> */
    public static function perfexFees(): array
    {
        // amount incl. fee and fee as Perfex hands them over (floats), the attempt row's amount, currency,
        // expected charged and fee minor units, charged as Perfex's 2-decimal string
        return [
            'EUR 120.00 + 3.78' => [120.0 + 3.78, 3.78, '120', 'EUR', 12378, 378, '123.78'],
            'JPY 1200 + 35.10 charged 35' => [1200.0 + 35.1, 35.1, '1200', 'JPY', 1235, 35, '1235.00'],
            'KWD 12.50 + 0.66' => [12.5 + 0.66, 0.66, '12.5', 'KWD', 13160, 660, '13.16'],
        ];
    }

    /** @dataProvider perfexFees */
    public function testPerfexsFeeIsConvertedOnceAtTheCurrencyExponent(float $amount, float $fee, string $attempt, string $currency, int $charged, int $feeMinor, string $text): void
    {
        $split = Paybridge_fee::split($amount, $fee, $attempt, $currency, ['0.30', '2.9']);
        $this->assertSame([$charged, $feeMinor, $text], [$split['charged_minor'], $split['fee_minor'], $split['charged']]);
    }

    public function testAFeeThatDoesNotAddUpOrCannotBeExplainedIsRefused(): void
    {
        $cases = [
            'total is not invoice part + fee' => [123.79, 3.78, '120', ['0.30', '2.9'], 'invalid_amount'],
            'fee differs from the settings' => [123.79, 3.79, '120', ['0.30', '2.9'], 'fee_mismatch'],
            'unreadable settings' => [122.30, 2.30, '120', ['0.30', '2,9'], 'fee_mismatch'],
            'invoice part with three decimals' => [10.005 + 0.59, 0.59, '10.005', ['0.30', '2.9'], 'invalid_amount'],
            'a fee without Perfex attempt' => [123.78, 3.78, null, ['0.30', '2.9'], 'invalid_amount'],
        ];
        foreach ($cases as $name => [$amount, $fee, $attempt, $settings, $code]) {
            try {
                Paybridge_fee::split($amount, $fee, $attempt, 'EUR', $settings);
                $this->fail("accepted: $name");
            } catch (InvalidArgumentException $e) {
                $this->assertSame($code, $e->getMessage(), $name);
            }
        }
    }

    public function testProviderTextIsInertOnTheAdminPage(): void
    {
        $this->assertSame('&lt;b&gt;x&lt;/b&gt; &quot;q&quot; &#039;s&#039;', Paybridge_html::text('<b>x</b> "q" \'s\''));
        $this->assertSame('a\u{001B}[31m\u{202E}b\u{0000}\u{200B}', Paybridge_html::text("a\x1b[31m\u{202E}b\x00\u{200B}"));
        $this->assertSame('ok?', Paybridge_html::text("ok\xff"), 'invalid UTF-8 is replaced, not passed through');
        $this->assertSame('Zürich 東京', Paybridge_html::text('Zürich 東京'), 'ordinary Unicode stays as it is');
    }
}
