<?php
declare(strict_types=1);

namespace PayBridge\Tests;

use PayBridge\Exception\PayBridgeException;
use PayBridge\Gateway;
use PayBridge\Tests\Support\PayBridgeTestCase;

/** Exceptions say where the caller was, like any PHP exception ("… in file.php:42"). */
final class ExceptionOriginTest extends PayBridgeTestCase
{
    public function testAnExceptionCarriesTheCallersFileAndLine(): void
    {
        $line = __LINE__ + 2;
        try {
            new Gateway('nope', []);
            $this->fail('no exception');
        } catch (PayBridgeException $e) {
            $this->assertSame(__FILE__, $e->getFile());
            $this->assertSame($line, $e->getLine());
            $this->assertStringContainsString(__FILE__ . ':' . $line, (string) $e);
        }
    }

    public function testAnExceptionFromAMethodPointsAtTheCallInsideAClosure(): void
    {
        $g = new Gateway('neropay', ['secret_key' => 'k', 'webhook_secret' => 'w']);
        $call = function () use ($g) {
            return $g->parseWebhook('{}', []); // the line reported
        };
        try {
            $call();
            $this->fail('no exception');
        } catch (PayBridgeException $e) {
            $this->assertSame('missing_header', $e->getErrorCode());
            $this->assertSame(__FILE__, $e->getFile());
            $this->assertStringContainsString('the line reported', file(__FILE__)[$e->getLine() - 1]);
        }
    }
}
