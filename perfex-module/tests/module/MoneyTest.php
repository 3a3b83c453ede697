<?php

use PHPUnit\Framework\TestCase;

defined('BASEPATH') or define('BASEPATH', __DIR__);
require_once dirname(__DIR__, 2) . '/paybridge/libraries/Paybridge_money.php';

/** Pure conversions used at the extension boundary (no stack needed). */
final class MoneyTest extends TestCase
{
    public function testPerfexAmountsAreNormalisedToTwoDecimalsWithoutFloats(): void
    {
        $this->assertSame('12.50', Paybridge_money::perfexAmount('12.5'));
        $this->assertSame('120.00', Paybridge_money::perfexAmount('120'));
        $this->assertSame('0.10', Paybridge_money::perfexAmount('000.1'));
        $this->assertSame('7.00', Paybridge_money::perfexAmount(7));
    }

    public function testInvalidPerfexAmountsAreRefused(): void
    {
        foreach (['', '0', '0.00', '-1.00', '1e3', ' 1.00x', '1.005', '1,00'] as $bad) {
            try {
                Paybridge_money::perfexAmount($bad);
                $this->fail("accepted '$bad'");
            } catch (InvalidArgumentException $e) {
                $this->assertSame('invalid_amount', $e->getMessage());
            }
        }
    }

    public function testMinorUnitsFollowTheIsoExponent(): void
    {
        $this->assertSame(1250, Paybridge_money::toMinor('12.50', 'EUR'));
        $this->assertSame(1200, Paybridge_money::toMinor('1200.00', 'JPY'));
        $this->assertSame(12500, Paybridge_money::toMinor('12.50', 'KWD'));
        $this->assertSame('1200', Paybridge_money::fromMinor(1200, 'JPY'));
        $this->assertSame('12.500', Paybridge_money::fromMinor(12500, 'KWD'));
        $this->assertSame('0.05', Paybridge_money::fromMinor(5, 'EUR'));
    }

    public function testYenWithCentsCannotBeSentToAProvider(): void
    {
        $this->expectException(InvalidArgumentException::class);
        Paybridge_money::toMinor('1200.50', 'JPY');
    }

    public function testSumsOfCentsStayExact(): void
    {
        // 0.1 + 0.2 style inputs: each converted exactly, no binary float residue.
        $this->assertSame(30, Paybridge_money::toMinor('0.10', 'EUR') + Paybridge_money::toMinor('0.20', 'EUR'));
        $this->assertSame(999999999999999, Paybridge_money::toMinor('9999999999999.99', 'EUR')); // decimal(15,2) max
    }

    /**
     * The exponents are the extension's table (issue 12 item 4), not a PHP copy: a code that table does not
     * know is refused, never converted with a guessed 2 decimals.
     */
    public function testACurrencyTheExtensionDoesNotKnowIsRefusedNotGivenTwoDecimals(): void
    {
        foreach (['XYZ', 'EURO', ''] as $code) {
            try {
                Paybridge_money::toMinor('12.50', $code);
                $this->fail("'$code' was converted");
            } catch (InvalidArgumentException $e) {
                $this->assertSame('unsupported_currency', $e->getMessage(), $code);
            }
        }
    }

    /**
     * Without the extension (the module requires it), exponents fail loudly with a message that says what is
     * missing, instead of a guessed exponent. Runs in a PHP without any ini file, so without the extension.
     */
    public function testWithoutTheExtensionExponentsFailLoudlyWithAClearMessage(): void
    {
        $code = 'define("BASEPATH", 1); require ' . var_export(dirname(__DIR__, 2) . '/paybridge/libraries/Paybridge_money.php', true) . ';'
            . ' echo extension_loaded("paybridge") ? "loaded\n" : "absent\n";'
            . ' try { echo Paybridge_money::toMinor("12.50", "EUR"); } catch (Throwable $e) { echo get_class($e), ": ", $e->getMessage(); }';
        $out = (string) shell_exec(escapeshellarg(PHP_BINARY) . ' -n -r ' . escapeshellarg($code) . ' 2>&1');
        $this->assertStringStartsWith("absent\n", $out, 'the child PHP must run without the extension');
        $this->assertStringContainsString('LogicException: ', $out);
        $this->assertStringContainsString('paybridge PHP extension is not loaded', $out);
    }
}
