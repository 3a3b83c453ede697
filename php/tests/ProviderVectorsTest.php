<?php
declare(strict_types=1);

namespace PayBridge\Tests;

use PayBridge\Exception\SignatureException;
use PayBridge\Gateway;
use PayBridge\Tests\Support\PayBridgeTestCase;

/**
 * Agreement with the providers' own PHP over the shared vectors (VectorsTest runs them through the
 * extension): the `payrexx_signature` vectors are exactly what PHP's `http_build_query` +
 * `hash_hmac` build, the way Payrexx's PHP library signs (providers.md §P1) — the extension
 * exposes no signer, so these rows pin the files to PHP and core/tests/vectors.rs pins the core to
 * the same files; and Noxipay's documented check `hash_equals('sha256=' . hash_hmac('sha256',
 * $payload, $secret), $signature)` (§X1) and the extension agree on every vector and on seeded
 * random payloads.
 */
final class ProviderVectorsTest extends PayBridgeTestCase
{
    /** @return array<string, array{string, array}> */
    public static function vectors(): array
    {
        $out = [];
        foreach (['payrexx', 'noxipay'] as $provider) {
            foreach (glob(dirname(__DIR__, 2) . "/tests/vectors/$provider/*.json") as $file) {
                $out["$provider/" . basename($file)] = ["$provider/" . basename($file), json_decode(file_get_contents($file), true, 512, JSON_THROW_ON_ERROR)];
            }
        }
        ksort($out);
        return $out;
    }

    /** @return array<string, array{string, array}> */
    public static function payrexxSignatureVectors(): array
    {
        return array_filter(self::vectors(), fn ($x) => $x[1]['kind'] === 'payrexx_signature');
    }

    /** @return array<string, array{string, array}> */
    public static function noxipayVectors(): array
    {
        return array_filter(self::vectors(), fn ($x) => str_starts_with($x[0], 'noxipay/'));
    }

    public function testBothProvidersHaveVectorsAndTheFivePayrexxSignatureAnswers(): void
    {
        $all = self::vectors();
        $sig = array_filter($all, fn ($x) => $x[1]['kind'] === 'payrexx_signature');
        $this->assertCount(5, $sig);
        $this->assertGreaterThanOrEqual(12, count(self::noxipayVectors()));
    }

    /** @dataProvider payrexxSignatureVectors */
    public function testPhpsHttpBuildQueryAndHashHmacGiveExactlyThePayrexxSignatureVector(string $file, array $v): void
    {
        $this->assertSame($v['query'], http_build_query($v['params']), "$file: query");
        $this->assertSame($v['signature'], base64_encode(hash_hmac('sha256', $v['query'], $v['secret'], true)), "$file: signature");
    }

    private static function snippetAccepts(string $payload, string $secret, string $signature): bool
    {
        return hash_equals('sha256=' . hash_hmac('sha256', $payload, $secret), $signature);
    }

    private static function extensionAcceptsSignature(Gateway $g, string $payload, array $headers): bool
    {
        try {
            $g->parseWebhook($payload, $headers);
            return true;
        } catch (SignatureException $e) {
            // Only the signature verdict is compared; an old `created` is a separate check.
            return $e->getErrorCode() === 'timestamp_out_of_tolerance';
        } catch (\PayBridge\Exception\InvalidPayloadException $e) {
            return true; // signature was fine, the JSON was not
        }
    }

    /** @dataProvider noxipayVectors */
    public function testNoxipaysOwnPhpSnippetAndTheExtensionAgreeOnEveryVector(string $file, array $v): void
    {
        $g = new Gateway('noxipay', $v['config'] + ['fixed_now' => $v['now']]);
        $sig = $v['headers']['X-Noxipay-Signature'] ?? '';
        $secrets = (array) $v['config']['webhook_secret'];
        $snippet = false;
        foreach ($secrets as $s) {
            $snippet = $snippet || self::snippetAccepts($v['body'], $s, $sig);
        }
        $this->assertSame($snippet, self::extensionAcceptsSignature($g, $v['body'], $v['headers']), $file);
    }

    public function testNoxipaysSnippetAndTheExtensionAgreeOnRandomPayloadsAndSecrets(): void
    {
        // Seeded, so a failing round replays: every random byte comes from mt_rand, none from random_bytes.
        mt_srand(20261123);
        $bytes = fn (int $n) => implode('', array_map(fn () => chr(mt_rand(0, 255)), range(1, $n)));
        for ($i = 0; $i < 300; $i++) {
            $secret = bin2hex($bytes(mt_rand(1, 40)));
            $payload = json_encode(['id' => 'evt_' . $i, 'type' => 'payment.completed', 'created' => '2026-04-22T02:40:00Z',
                'data' => ['id' => 'pay_' . $i, 'amount' => mt_rand(1, 10 ** 9), 'currency' => 'EUR', 'description' => bin2hex($bytes(mt_rand(1, 64))) . " zoë ✓ \u{1F4B6}"]], JSON_UNESCAPED_UNICODE);
            $g = new Gateway('noxipay', ['secret_key' => 'k', 'webhook_secret' => $secret, 'fixed_now' => 1776825615]);
            $good = 'sha256=' . hash_hmac('sha256', $payload, $secret);
            $this->assertTrue(self::snippetAccepts($payload, $secret, $good));
            $this->assertTrue(self::extensionAcceptsSignature($g, $payload, ['X-Noxipay-Signature' => $good]), "round $i");
            $bad = substr($good, 0, -1) . (substr($good, -1) === '0' ? '1' : '0');
            $this->assertFalse(self::snippetAccepts($payload, $secret, $bad));
            $this->assertFalse(self::extensionAcceptsSignature($g, $payload, ['X-Noxipay-Signature' => $bad]), "round $i");
            $tampered = $payload . ' ';
            $this->assertSame(self::snippetAccepts($tampered, $secret, $good), self::extensionAcceptsSignature($g, $tampered, ['X-Noxipay-Signature' => $good]));
        }
    }
}
