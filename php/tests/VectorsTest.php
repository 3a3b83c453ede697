<?php
declare(strict_types=1);

namespace PayBridge\Tests;

use PayBridge\Gateway;
use PayBridge\Tests\Support\FixtureServer;
use PayBridge\Tests\Support\PayBridgeTestCase;

/**
 * Runs every shared vector of tests/vectors/neropay/ through the extension: the same files
 * tests/vectors.rs runs through the core (style.md rule 7).
 */
final class VectorsTest extends PayBridgeTestCase
{
    private static function dir(): string
    {
        return dirname(__DIR__, 2) . '/tests/vectors/neropay';
    }

    /** @return array<string, array{string, array}> */
    public static function vectors(): array
    {
        $out = [];
        foreach (glob(self::dir() . '/*.json') as $file) {
            $v = json_decode(file_get_contents($file), true, 512, JSON_THROW_ON_ERROR);
            $out[basename($file)] = [basename($file), $v];
        }
        ksort($out);
        return $out;
    }

    public function testEveryVectorFileIsPickedUpAndHasAKnownKind(): void
    {
        $all = self::vectors();
        $this->assertGreaterThanOrEqual(20, count($all), 'vectors missing');
        $this->assertSame(count(glob(self::dir() . '/*')), count($all), 'a non-JSON file in the vectors folder');
        foreach ($all as [$file, $v]) {
            $this->assertContains($v['kind'] ?? null, ['webhook', 'create_response'], $file);
        }
        $openssl = array_filter($all, fn ($x) => str_contains($x[1]['source'] ?? '', 'openssl dgst'));
        $this->assertNotEmpty($openssl, 'at least one vector comes from outside our code (openssl dgst)');
    }

    /** @dataProvider vectors */
    public function testVectorGivesItsExpectedResultThroughTheExtension(string $file, array $v): void
    {
        match ($v['kind']) {
            'webhook' => $this->checkWebhook($file, $v),
            'create_response' => $this->checkCreateResponse($file, $v),
        };
    }

    private function checkWebhook(string $file, array $v): void
    {
        $gateway = new Gateway($v['provider'] ?? 'neropay', $v['config'] + ['fixed_now' => $v['now']]);
        $call = fn () => $gateway->parseWebhook($v['body'], $v['headers']);
        if (isset($v['expect']['event'])) {
            $event = $call();
            foreach ($v['expect']['event'] as $field => $want) {
                $this->assertArrayHasKey($field, $event, "$file: field $field");
                $this->assertSame($want, $event[$field], "$file: field $field");
            }
            $this->assertSame('neropay', $event['provider'], $file);
            $this->assertIsArray($event['raw'], $file);
            $this->assertSame(json_decode($v['body'], true)['id'], $event['raw']['id'], "$file: raw is the decoded body");
            return;
        }
        $this->assertArrayHasKey('error', $v['expect'], "$file: vector has no expectation");
        $class = $v['expect']['class'] ?? 'PayBridgeException';
        $this->assertPayBridgeError($class, $v['expect']['error'], $call, $v['expect']['message_contains'] ?? null);
    }

    private function checkCreateResponse(string $file, array $v): void
    {
        $server = new FixtureServer((int) $v['response_status'], $v['response_body']);
        $gateway = new Gateway('neropay', ['base_url' => $server->url, 'max_retries' => 0] + $v['config']);
        $payment = $gateway->createPayment($v['request']);
        foreach ($v['expect']['payment'] as $field => $want) {
            $this->assertArrayHasKey($field, $payment, "$file: field $field");
            $this->assertSame($want, $payment[$field], "$file: field $field");
        }
        $this->assertIsArray($payment['raw'], $file);
        $sent = $server->requests();
        $this->assertCount(1, $sent, "$file: exactly one request reached the fixture");
        $this->assertSame('POST', $sent[0]['method']);
        $this->assertSame('/payment-links', $sent[0]['uri']);
    }
}
