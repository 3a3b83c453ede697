<?php

/**
 * CodeIgniter 3.1's CI_Input key cleaning as the stand-in applies it. In CI 3.1, _clean_input_keys() is
 * called with its default $fatal = TRUE, which returns FALSE for a key outside /^[a-z0-9:_\/|-]+$/i: the
 * "Disallowed Key Characters." exit is dead code (bcit-ci/CodeIgniter#4101, #4202, #4784). So a hostile
 * key does not end the request: at the top level its value is also copied to key 0, inside an array the key
 * becomes 0; cookies with such keys are dropped. The raw body is never touched.
 */
final class InputKeysTest extends StandinTestCase
{
    public static function setUpBeforeClass(): void
    {
        self::installFixture();
    }

    public function testPostKeysAreCleanedLikeCodeIgniter31AndTheRawBodyIsUntouched(): void
    {
        $body = 'good=1&' . rawurlencode('b@d') . '=2&arr%5Bok%5D=3&arr%5B' . rawurlencode('é<x>') . '%5D=4&ctl=a%01b'
            . '&transaction%5Binvoice%5D%5BreferenceId%5D=INV-7';

        $r = $this->http('POST', 'standin_fixture/open/post?' . rawurlencode('q@') . '=5&fine=6', $body,
            ['Content-Type: application/x-www-form-urlencoded', 'Cookie: ' . rawurlencode('c@k') . '=x; plain=y']);

        $this->assertSame(200, $r['status'], 'a hostile key does not end the request in CI 3.1');
        $out = json_decode($r['body'], true);
        $this->assertSame('1', $out['post']['good']);
        $this->assertSame('2', $out['post']['b@d'], 'the offending top-level key stays');
        $this->assertSame('2', $out['post']['0'], 'and its value is copied to key 0 (FALSE as a key)');
        $this->assertSame(['ok' => '3', '0' => '4'], $out['post']['arr'], 'an offending nested key becomes 0');
        $this->assertSame('ab', $out['post']['ctl'], 'control characters are removed from values');
        $this->assertSame(['invoice' => ['referenceId' => 'INV-7']], $out['post']['transaction'], 'Payrexx-style bracket keys pass');
        $this->assertSame($out['post'], $out['input_post']);
        $this->assertSame('5', $out['get']['0']);
        $this->assertSame('6', $out['get']['fine']);
        $this->assertArrayNotHasKey('c@k', $out['cookie'], 'a cookie with an offending key is dropped');
        $this->assertArrayNotHasKey('0', $out['cookie']);
        $this->assertSame('y', $out['cookie']['plain']);
        $this->assertSame($body, $out['raw'], 'the raw body is what the client sent');
    }
}
