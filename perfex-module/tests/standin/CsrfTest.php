<?php

final class CsrfTest extends StandinTestCase
{
    public static function setUpBeforeClass(): void
    {
        self::installFixture();
    }

    public function testPostWithoutTokenIsRejectedWith403PageExpired(): void
    {
        $r = $this->post('standin_fixture/guarded/submit', ['a' => '1']);
        $this->assertSame(403, $r['status']);
        $this->assertStringContainsString(' 419 Page Expired!', $r['body']);
    }

    public function testPostWithAWrongTokenIsRejected(): void
    {
        $this->get('admin/authentication'); // starts a session with a token
        $r = $this->post('standin_fixture/guarded/submit', ['csrf_token_name' => str_repeat('0', 32)]);
        $this->assertSame(403, $r['status']);
    }

    public function testPostWithTheSessionTokenIsAccepted(): void
    {
        $token = $this->csrfFrom($this->get('admin/authentication')['body']);
        $r = $this->json($this->post('standin_fixture/guarded/submit', ['csrf_token_name' => $token, 'a' => '1']));
        $this->assertSame(['a' => '1'], $r['post'], 'the token field is removed from $_POST');
    }

    public function testUriExcludedByTheModulesCsrfExcludeFileSkipsTheCheck(): void
    {
        $body = '{"id":"evt_1","amount":"12.50"}';
        $r = $this->json($this->post('standin_fixture/open/hook', $body, ['Content-Type: application/json']));
        $this->assertSame($body, $r['raw'], 'raw body arrives byte-exact');
    }

    public function testExclusionRegexesAreAnchoredAndCaseInsensitive(): void
    {
        // Case-insensitive: CSRF lets it through, then routing (case-sensitive module folder) answers 404.
        $this->assertSame(404, $this->post('STANDIN_FIXTURE/OPEN/hook', '{}')['status']);
        // Anchored: a prefix before the excluded path does not match it.
        $r = $this->post('x/standin_fixture/open/hook', '{}');
        $this->assertSame(403, $r['status']);
    }

    public function testUriContainingGatewaysSkipsCsrf(): void
    {
        $r = $this->json($this->post('standin_fixture/gateways/notify/index', 'x=1'));
        $this->assertTrue($r['ok']);
    }
}
