<?php
declare(strict_types=1);

namespace PayBridge\Tests;

use PayBridge\Tests\Support\PayBridgeTestCase;

/**
 * Every stable error code of the core (read from core/src/error.rs, never copied by hand) is
 * documented on the exception class that carries it in the stubs, and asserted with that class by
 * at least one test (through assertPayBridgeError, or as a vector's expected error).
 */
final class ErrorCodeCoverageTest extends PayBridgeTestCase
{
    /**
     * code => exception class, from `Error::code()` (variant → code) and `Error::kind()`
     * (variant → Kind, the class `<Kind>Exception`, src/php/exceptions.rs).
     *
     * @return array<string, string>
     */
    private static function codesOfTheCore(): array
    {
        $src = file_get_contents(dirname(__DIR__, 2) . '/core/src/error.rs');
        $body = function (string $fn) use ($src): string {
            $ok = preg_match('~pub fn ' . $fn . '\(&self\) -> [^{]+\{\s*match self \{(.*?)\n        \}~s', $src, $m);
            self::assertSame(1, $ok, "Error::$fn() not found in core/src/error.rs");
            return $m[1];
        };
        preg_match_all('~Error::(\w+)[^=|]*=> "(\w+)"~', $body('code'), $m, PREG_SET_ORDER);
        $codeOf = [];
        foreach ($m as [, $variant, $code]) {
            $codeOf[$variant] = $code;
        }
        $classOf = [];
        foreach (preg_split('~,\s*\n~', $body('kind')) as $arm) {
            if (!preg_match('~=> Kind::(\w+)~', $arm, $k)) {
                continue;
            }
            preg_match_all('~Error::(\w+)~', $arm, $variants);
            foreach ($variants[1] as $variant) {
                $classOf[$variant] = $k[1] . 'Exception';
            }
        }
        self::assertSame(array_keys($codeOf), array_keys($classOf), 'every variant has a code and a kind');
        $out = [];
        foreach ($codeOf as $variant => $code) {
            $out[$code] = $classOf[$variant];
        }
        return $out;
    }

    public function testTheCoreHasTheSeventeenDocumentedCodes(): void
    {
        // A parse that silently found nothing would make the tests below vacuous.
        $this->assertCount(17, self::codesOfTheCore());
    }

    public function testEveryCodeIsDocumentedOnItsExceptionClassInTheStubs(): void
    {
        $stubs = file_get_contents(dirname(__DIR__) . '/paybridge.stubs.php');
        foreach (self::codesOfTheCore() as $code => $class) {
            $ok = preg_match('~/\*\*((?:(?!\*/).)*)\*/\s*class ' . $class . '\b~s', $stubs, $doc);
            $this->assertSame(1, $ok, "no docblock for $class in the stubs");
            $this->assertMatchesRegularExpression('~(?<![\w-])' . $code . '(?![\w-])~', $doc[1], "$class's docblock does not name $code");
        }
    }

    public function testEveryCodeIsAssertedWithItsClassByAtLeastOneTest(): void
    {
        $seen = [];
        foreach (glob(__DIR__ . '/*Test.php') as $file) {
            if ($file === __FILE__) {
                continue;
            }
            preg_match_all("~assertPayBridgeError\\(\\s*'(\\w+)',\\s*'(\\w+)'~", file_get_contents($file), $m, PREG_SET_ORDER);
            foreach ($m as [, $class, $code]) {
                $seen["$class/$code"] = basename($file);
            }
        }
        foreach (glob(dirname(__DIR__, 2) . '/tests/vectors/*/*.json') as $file) {
            $v = json_decode(file_get_contents($file), true, 512, JSON_THROW_ON_ERROR);
            if (isset($v['expect']['error'], $v['expect']['class'])) {
                $seen[$v['expect']['class'] . '/' . $v['expect']['error']] = basename($file);
            }
        }
        foreach (self::codesOfTheCore() as $code => $class) {
            $this->assertArrayHasKey("$class/$code", $seen, "no test asserts $class with the code $code");
        }
    }
}
