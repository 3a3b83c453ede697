<?php
declare(strict_types=1);

namespace PayBridge\Tests;

use PayBridge\Gateway;
use PayBridge\Tests\Support\FixtureServer;
use PayBridge\Tests\Support\PayBridgeTestCase;

/**
 * The one PHP runner of the shared vectors: every webhook and create-response vector of
 * tests/vectors/<provider>/ through the extension, the same files core/tests/vectors.rs runs through the
 * core (style.md rule 7). The `payrexx_signature` vectors have no extension entry point; see
 * ProviderVectorsTest.
 */
final class VectorsTest extends PayBridgeTestCase
{
    private static function dir(): string
    {
        return dirname(__DIR__, 2) . '/tests/vectors';
    }

    /** @return array<string, array{string, array}> every vector the extension can run */
    public static function vectors(): array
    {
        $out = [];
        foreach (glob(self::dir() . '/*/*.json') as $file) {
            $name = basename(dirname($file)) . '/' . basename($file);
            $v = json_decode(file_get_contents($file), true, 512, JSON_THROW_ON_ERROR);
            // Signing-only kinds (payrexx_signature, neropay_refund_request) are the core's own
            // functions, with no extension method to run them through: core/tests/vectors.rs.
            if (!in_array($v['kind'] ?? null, ['payrexx_signature', 'neropay_refund_request'], true)) {
                $out[$name] = [$name, $v];
            }
        }
        ksort($out);
        return $out;
    }

    public function testEveryVectorFileIsPickedUpAndHasAKnownKind(): void
    {
        $all = self::vectors();
        foreach (['neropay' => 20, 'payrexx' => 13, 'noxipay' => 12] as $provider => $atLeast) {
            $mine = array_filter($all, fn ($x) => str_starts_with($x[0], "$provider/"));
            $this->assertGreaterThanOrEqual($atLeast, count($mine), "$provider vectors missing");
        }
        $signers = count(glob(self::dir() . '/payrexx/signature_*.json')) + count(glob(self::dir() . '/neropay/refund_request_*.json'));
        $this->assertSame(count(glob(self::dir() . '/*/*')), count($all) + $signers, 'a non-JSON file in the vectors folders');
        foreach ($all as [$file, $v]) {
            $this->assertArrayHasKey('kind', $v, $file);
            $this->assertContains($v['kind'], ['webhook', 'create_response'], $file);
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

    /**
     * The vector's top-level `secret` (style.md vector shape) is the secret the gateway verifies
     * with: one of the configured webhook secrets, or null exactly when none is configured.
     */
    private function checkSecret(string $file, array $v): void
    {
        $this->assertArrayHasKey('secret', $v, "$file: a webhook vector names its secret");
        $configured = (array) ($v['config']['webhook_secret'] ?? []);
        if ($v['secret'] === null) {
            $this->assertSame([], $configured, "$file: secret null but a webhook_secret is configured");
        } else {
            $this->assertContains($v['secret'], $configured, "$file: the vector's secret is not configured");
        }
    }

    private function checkWebhook(string $file, array $v): void
    {
        $this->checkSecret($file, $v);
        $provider = $v['provider'] ?? 'neropay';
        $gateway = new Gateway($provider, $v['config'] + ['fixed_now' => $v['now']]);
        $call = fn () => $gateway->parseWebhook($v['body'], $v['headers']);
        if (isset($v['expect']['event'])) {
            $event = $call();
            foreach ($v['expect']['event'] as $field => $want) {
                $this->assertArrayHasKey($field, $event, "$file: field $field");
                $this->assertSame($want, $event[$field], "$file: field $field");
            }
            $this->assertSame($provider, $event['provider'], $file);
            $this->assertIsArray($event['raw'], $file);
            $json = json_decode($v['body'], true);
            if (is_array($json) && isset($json['id'])) {
                $this->assertSame($json['id'], $event['raw']['id'], "$file: raw is the decoded body");
            }
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
