<?php
declare(strict_types=1);

namespace PayBridge\Tests;

use PayBridge\Exception\ApiException;
use PayBridge\Exception\ConfigException;
use PayBridge\Exception\InvalidPayloadException;
use PayBridge\Exception\PayBridgeException;
use PayBridge\Exception\SignatureException;
use PayBridge\Exception\TransportException;
use PayBridge\Gateway;
use PayBridge\Tests\Support\PayBridgeTestCase;

/** The module itself: version, phpinfo section, classes and their hierarchy. */
final class ExtensionTest extends PayBridgeTestCase
{
    private static function cargoVersion(): string
    {
        $toml = file_get_contents(dirname(__DIR__, 2) . '/Cargo.toml');
        $package = substr($toml, strpos($toml, '[package]'));
        preg_match('~^version\s*=\s*"([^"]+)"~m', $package, $m);
        return $m[1];
    }

    private static function soPath(): string
    {
        return getenv('PAYBRIDGE_SO') ?: dirname(__DIR__, 2) . '/target/release/libpaybridge.so';
    }

    public function testVersionMatchesTheCargoPackageVersion(): void
    {
        $this->assertSame(self::cargoVersion(), \PayBridge\version());
        $this->assertSame(self::cargoVersion(), phpversion('paybridge'));
    }

    public function testPhpRiShowsThePaybridgeSection(): void
    {
        $cmd = escapeshellarg(PHP_BINARY) . ' -d extension=' . escapeshellarg(self::soPath()) . ' --ri paybridge 2>&1';
        exec($cmd, $lines, $rc);
        $out = implode("\n", $lines);
        $this->assertSame(0, $rc, $out);
        $this->assertStringContainsString('paybridge support => enabled', $out);
        $this->assertMatchesRegularExpression('~^version => ' . preg_quote(self::cargoVersion(), '~') . '$~m', $out);
        $this->assertStringContainsString('built for PHP API => ' . self::phpApi(), $out);
    }

    /** The engine's PHP API number, from phpinfo() (20220829 for 8.2). */
    private static function phpApi(): string
    {
        ob_start();
        phpinfo(INFO_GENERAL);
        preg_match('~^PHP API => (\d+)$~m', ob_get_clean(), $m);
        return $m[1];
    }

    public function testPhpinfoOfTheLoadedModuleHasTheSameSection(): void
    {
        ob_start();
        phpinfo(INFO_MODULES);
        $info = ob_get_clean();
        $this->assertStringContainsString('paybridge support => enabled', $info);
    }

    public function testEveryExceptionClassExistsWithTheRightParent(): void
    {
        $this->assertSame(\Exception::class, get_parent_class(PayBridgeException::class));
        foreach ([ConfigException::class, SignatureException::class, InvalidPayloadException::class, ApiException::class, TransportException::class] as $child) {
            $this->assertTrue(class_exists($child), $child);
            $this->assertSame(PayBridgeException::class, get_parent_class($child), $child);
            $this->assertTrue(is_subclass_of($child, \Throwable::class), $child);
        }
    }

    public function testExceptionsExposeTheirDocumentedGetters(): void
    {
        foreach ([PayBridgeException::class, ConfigException::class, SignatureException::class, InvalidPayloadException::class, ApiException::class, TransportException::class] as $c) {
            $this->assertTrue(method_exists($c, 'getErrorCode'), "$c::getErrorCode");
        }
        foreach (['getHttpStatus', 'getProviderCode', 'getRequestId'] as $m) {
            $this->assertTrue(method_exists(ApiException::class, $m), $m);
        }
        $this->assertTrue(method_exists(TransportException::class, 'isRetrySafe'));
    }

    public function testGatewayIsFinalAndHasTheDocumentedMethods(): void
    {
        $r = new \ReflectionClass(Gateway::class);
        $this->assertTrue($r->isFinal(), 'Gateway is final (the stubs say so): no subclass can change what a result means');
        foreach (['__construct', 'provider', 'createPayment', 'retrievePayment', 'parseWebhook', 'confirmWebhook'] as $m) {
            $this->assertTrue($r->hasMethod($m), $m);
        }
        $confirm = $r->getMethod('confirmWebhook')->getParameters();
        $this->assertCount(3, $confirm);
        $this->assertTrue($confirm[2]->isOptional(), 'hint is optional');
        $this->assertTrue($confirm[2]->allowsNull(), 'hint is ?array');
    }

    public function testProviderNamesTheConfiguredProvider(): void
    {
        $this->assertSame('neropay', (new Gateway('neropay', ['secret_key' => 'k']))->provider());
    }

    public function testAConfigExceptionIsCatchableAsAPlainException(): void
    {
        try {
            new Gateway('neropay', []);
            $this->fail('no exception');
        } catch (\Exception $e) {
            $this->assertInstanceOf(ConfigException::class, $e);
            $this->assertSame('config', $e->getErrorCode());
            $this->assertStringContainsString('secret_key', $e->getMessage());
        }
    }
}

