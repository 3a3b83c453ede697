<?php
declare(strict_types=1);

namespace PayBridge\Tests;

use PayBridge\Tests\Support\PayBridgeTestCase;

/**
 * Every stable error code of the stubs is asserted by at least one test (through
 * assertPayBridgeError, or as a vector's expected error).
 */
final class ErrorCodeCoverageTest extends PayBridgeTestCase
{
    private const CODES = [
        'missing_header', 'malformed_signature', 'signature_mismatch', 'timestamp_out_of_tolerance',
        'invalid_payload', 'invalid_request', 'invalid_amount', 'unsupported_currency',
        'config', 'provider_rejected', 'invalid_response', 'timeout', 'connection_failed',
    ];

    public function testEveryCodeOfTheListIsDocumentedInTheStubs(): void
    {
        $stubs = file_get_contents(dirname(__DIR__) . '/paybridge.stubs.php');
        foreach (self::CODES as $code) {
            $this->assertMatchesRegularExpression('~\b' . $code . '\b~', $stubs, $code);
        }
    }

    public function testEveryDocumentedCodeIsAssertedByAtLeastOneTest(): void
    {
        $seen = [];
        foreach (glob(__DIR__ . '/*Test.php') as $file) {
            if ($file === __FILE__) {
                continue;
            }
            preg_match_all("~assertPayBridgeError\\(\\s*'\\w+',\\s*'(\\w+)'~", file_get_contents($file), $m);
            foreach ($m[1] as $code) {
                $seen[$code] = basename($file);
            }
        }
        foreach (glob(dirname(__DIR__, 2) . '/tests/vectors/*/*.json') as $file) {
            $v = json_decode(file_get_contents($file), true);
            if (isset($v['expect']['error'])) {
                $seen[$v['expect']['error']] = basename($file);
            }
        }
        foreach (self::CODES as $code) {
            $this->assertArrayHasKey($code, $seen, "no test asserts the code $code");
        }
    }
}
