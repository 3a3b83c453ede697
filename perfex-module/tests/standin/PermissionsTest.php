<?php

/**
 * Perfex 3.x permissions as the stand-in implements them (perfex.md "Added in turn 2 — Permissions"):
 * admins can do everything; other staff what tblstaff_permissions rows grant; access_denied() redirects
 * with a flash message; admin pages render inside init_head() / init_tail().
 */
final class PermissionsTest extends StandinTestCase
{
    public static function setUpBeforeClass(): void
    {
        self::installFixture();
    }

    private function loginAs(string $email, array $permissions, bool $admin = false): void
    {
        $args = ['create-staff', '--email', $email, '--password', 'perm-pass-1', '--admin', $admin ? '1' : '0'];
        foreach ($permissions as $p) {
            array_push($args, '--permission', $p);
        }
        self::cli(...$args);
        $page = $this->get('admin/authentication');
        $r = $this->post('admin/authentication', ['csrf_token_name' => $this->csrfFrom($page['body']), 'email' => $email, 'password' => 'perm-pass-1']);
        $this->assertSame(303, $r['status']);
        $this->assertStringNotContainsString('authentication', (string) $r['location']);
    }

    public function testStaffCanOnlyWhatTheirPermissionRowsGrant(): void
    {
        $this->loginAs('perm-viewer@example.test', ['fixture_feature:view']);

        $this->assertSame(['staff_can' => true, 'is_admin' => false, 'has_permission' => true],
            $this->json($this->get('standin_fixture/staffonly/can/view/fixture_feature')));
        $this->assertSame(['staff_can' => false, 'is_admin' => false, 'has_permission' => false],
            $this->json($this->get('standin_fixture/staffonly/can/create/fixture_feature')));
        $this->assertFalse($this->json($this->get('standin_fixture/staffonly/can/view/payments'))['staff_can']);
    }

    public function testAdminsCanEverythingWithoutPermissionRows(): void
    {
        $this->loginAs('perm-admin@example.test', [], true);

        $this->assertSame(['staff_can' => true, 'is_admin' => true, 'has_permission' => true],
            $this->json($this->get('standin_fixture/staffonly/can/delete/anything_at_all')));
    }

    public function testAccessDeniedRedirectsWithAFlashMessage(): void
    {
        $this->loginAs('perm-none@example.test', []);

        $r = $this->get('standin_fixture/staffonly');
        $this->assertSame(302, $r['status']);
        $this->assertStringEndsWith('/admin/access_denied', (string) $r['location']);
        $page = $this->get('admin/access_denied');
        $this->assertSame(200, $page['status']);
        $this->assertMatchesRegularExpression('#id="alert-danger"[^>]*>Access denied<#', $page['body']);
        $this->assertNotNull(self::db()->query("SELECT id FROM tblactivity_log WHERE description LIKE '%[fixture_feature]%' LIMIT 1")->fetch_row());

        // With a referring stand-in page, Perfex sends the staff member back there.
        $r = $this->http('GET', 'standin_fixture/staffonly', null, ['Referer: ' . rtrim(self::env('PERFEX_URL'), '/') . '/admin/invoices']);
        $this->assertStringEndsWith('/admin/invoices', (string) $r['location']);
    }

    public function testPermittedAdminPageRendersInsideTheAdminLayout(): void
    {
        $this->loginAs('perm-viewer2@example.test', ['fixture_feature:view']);

        $r = $this->get('standin_fixture/staffonly');

        $this->assertSame(200, $r['status']);
        $this->assertMatchesRegularExpression('#<header>.*id="logout".*</header>\s*<main>.*<p id="fixture-staffonly">visible</p>\s*</main>#s', $r['body']);
    }
}
