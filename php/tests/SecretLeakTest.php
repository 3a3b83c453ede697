<?php
declare(strict_types=1);

namespace PayBridge\Tests;

use PayBridge\Gateway;
use PayBridge\Tests\Support\FixtureServer;
use PayBridge\Tests\Support\FreePort;
use PayBridge\Tests\Support\PayBridgeTestCase;
use PayBridge\Tests\Support\Sandbox;

/** Secrets never appear in exception messages (style.md rule 5), whatever path fails. */
final class SecretLeakTest extends PayBridgeTestCase
{
    private const SECRET_KEY = 'sk_live_CANARY_5ecr3t_Key_0xDEADBEEF';
    private const WEBHOOK_SECRET = 'whsec_CANARY_w3bh00k_Secret_0xFEEDFACE';
    private const NOW = 1776825615;

    /** Every recognisable fragment of the secrets that must never be shown. */
    private const NEEDLES = [self::SECRET_KEY, self::WEBHOOK_SECRET, 'CANARY', '5ecr3t', 'w3bh00k', 'DEADBEEF', 'FEEDFACE'];

    private function assertNoSecretIn(\Throwable $e, string $label): void
    {
        $this->assertNotPanic($e);
        $texts = [$e->getMessage(), (string) $e];
        if ($e instanceof \PayBridge\Exception\ApiException) {
            $texts[] = (string) $e->getProviderCode();
            $texts[] = (string) $e->getRequestId();
        }
        if ($e instanceof \PayBridge\Exception\PayBridgeException) {
            $texts[] = $e->getErrorCode();
        }
        foreach ($texts as $text) {
            foreach (self::NEEDLES as $needle) {
                $this->assertStringNotContainsStringIgnoringCase($needle, $text, "$label leaks a secret");
            }
        }
    }

    private function expectFailure(string $label, callable $fn): \Throwable
    {
        $e = $this->assertNeverPanics($fn);
        $this->assertInstanceOf(\Throwable::class, $e, "$label did not fail");
        $this->assertNoSecretIn($e, $label);
        return $e;
    }

    private static function config(array $extra = []): array
    {
        return $extra + [
            'secret_key' => self::SECRET_KEY,
            'webhook_secret' => [self::WEBHOOK_SECRET, self::WEBHOOK_SECRET . '_next'],
            'base_url' => Sandbox::neropayBase(),
            'fixed_now' => self::NOW,
            'max_retries' => 0,
        ];
    }

    public function testNoWebhookErrorShowsTheWebhookOrApiSecret(): void
    {
        $g = new Gateway('neropay', self::config());
        $body = self::ipnBody();
        $good = self::signedHeaders(self::WEBHOOK_SECRET, self::NOW, $body);
        $cases = [
            'missing headers' => [$body, []],
            'missing timestamp' => [$body, ['X-NeroPay-Signature' => $good['X-NeroPay-Signature']]],
            'malformed signature' => [$body, ['X-NeroPay-Signature' => 'xyz'] + $good],
            'signature is the secret itself' => [$body, ['X-NeroPay-Signature' => self::WEBHOOK_SECRET] + $good],
            'signature is the hex of the secret' => [$body, ['X-NeroPay-Signature' => bin2hex(self::WEBHOOK_SECRET)] + $good],
            'timestamp is the secret' => [$body, ['X-NeroPay-Timestamp' => self::WEBHOOK_SECRET] + $good],
            'tampered body' => [$body . ' ', $good],
            'wrong secret' => [$body, self::signedHeaders('whsec_other', self::NOW, $body)],
            'stale' => [$body, self::signedHeaders(self::WEBHOOK_SECRET, self::NOW - 10_000, $body)],
            'future' => [$body, self::signedHeaders(self::WEBHOOK_SECRET, self::NOW + 10_000, $body)],
            'signed non-JSON' => ['x', self::signedHeaders(self::WEBHOOK_SECRET, self::NOW, 'x')],
            'signed body containing the secret key' => [self::SECRET_KEY, self::signedHeaders(self::WEBHOOK_SECRET, self::NOW, self::SECRET_KEY)],
            'too big' => [str_repeat(' ', (1 << 20) + 1), $good],
        ];
        foreach ($cases as $label => [$b, $h]) {
            $this->expectFailure($label, fn () => $g->parseWebhook($b, $h));
            $this->expectFailure("confirm: $label", fn () => $g->confirmWebhook($b, $h, ['payment_id' => '1001']));
        }
        $amount = self::ipnBody(['amount' => '1.234']);
        $this->expectFailure('bad amount', fn () => $g->parseWebhook($amount, self::signedHeaders(self::WEBHOOK_SECRET, self::NOW, $amount)));
    }

    public function testNoApiErrorShowsTheSecretKey(): void
    {
        Sandbox::reset();
        $g = new Gateway('neropay', self::config());
        // The sandbox knows another key: every call is a 401 whose answer echoes nothing of ours.
        $e = $this->expectFailure('401 create', fn () => $g->createPayment(self::paymentRequest()));
        $this->assertSame(401, $e->getHttpStatus());
        $this->expectFailure('401 retrieve', fn () => $g->retrievePayment('1001'));

        $port = FreePort::pick();
        $closed = new Gateway('neropay', self::config(['base_url' => "http://127.0.0.1:$port/v2"]));
        $this->expectFailure('connection failed', fn () => $closed->createPayment(self::paymentRequest()));
        $this->expectFailure('connection failed on confirm', fn () => $closed->confirmWebhook('', [], ['payment_id' => '1']));

        Sandbox::faults(['latency_ms' => 800, 'provider' => 'neropay']);
        try {
            $slow = new Gateway('neropay', self::config(['timeout_ms' => 100]));
            $this->expectFailure('timeout', fn () => $slow->createPayment(self::paymentRequest()));
        } finally {
            Sandbox::reset();
        }
    }

    public function testAProviderAnswerEchoingTheRequestDoesNotLeakTheKeyIntoTheMessage(): void
    {
        // A misbehaving provider that puts our Authorization header into its error message.
        $server = new FixtureServer(400, json_encode(['success' => false, 'error' => [
            'code' => 'bad_' . self::SECRET_KEY, 'message' => 'Bearer ' . self::SECRET_KEY . ' rejected', 'details' => null,
        ]]));
        $g = new Gateway('neropay', self::config(['base_url' => $server->url]));
        $e = $this->assertNeverPanics(fn () => $g->retrievePayment('1'));
        $this->assertInstanceOf(\PayBridge\Exception\ApiException::class, $e);
        $this->assertSame(400, $e->getHttpStatus());
        foreach ([$e->getMessage(), (string) $e] as $text) {
            $this->assertStringNotContainsString(self::SECRET_KEY, $text, 'the key is redacted from provider text');
        }
    }

    public function testNoRequestValidationErrorShowsTheSecretKey(): void
    {
        $g = new Gateway('neropay', self::config());
        foreach ([['amount' => 1.5], ['amount' => '-1'], ['currency' => 'XYZ'], ['reference' => null], ['metadata' => 'x'], ['idempotency_key' => "\0"], ['notify_url' => null]] as $i => $override) {
            $this->expectFailure("request case $i", fn () => $g->createPayment(self::paymentRequest($override)));
        }
        $this->expectFailure('empty id', fn () => $g->retrievePayment(''));
    }

    public function testNoConfigErrorShowsTheSecrets(): void
    {
        $cases = [
            'unknown key' => self::config(['secretkey' => self::SECRET_KEY]),
            'bad base_url' => self::config(['base_url' => 'http://remote.example/' . self::SECRET_KEY]),
            'base_url that is not a URL' => self::config(['base_url' => self::SECRET_KEY]),
            'bad account' => self::config(['account' => self::SECRET_KEY . ' !']),
            'bad timeout' => self::config(['timeout_ms' => -1]),
            'webhook secret of ints' => ['secret_key' => self::SECRET_KEY, 'webhook_secret' => [self::WEBHOOK_SECRET, 5]],
            'webhook secret object' => ['secret_key' => self::SECRET_KEY, 'webhook_secret' => new \ArrayObject([self::WEBHOOK_SECRET])],
            'secret key as a list' => ['secret_key' => [self::SECRET_KEY]],
        ];
        foreach ($cases as $label => $config) {
            $this->expectFailure($label, fn () => new Gateway('neropay', $config));
        }
        $this->expectFailure('unknown provider', fn () => new Gateway('payfast', self::config()));
    }
}
