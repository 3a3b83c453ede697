<?php

/**
 * Steps shared by the issue 9 module tests (cron reconciliation, staff permissions, webhook read limit,
 * attempt safety): Perfex's cron URL, backdating attempts in MariaDB, reads counted in the sandbox's
 * request log, staff logins with given permissions.
 */
trait Issue9Steps
{
    /** GET cron/index the way Perfex's cron job does, after clearing Perfex's 300 s gate (`last_cron_run`). */
    protected function runCron(): int
    {
        Stack::db()->query("UPDATE tbloptions SET value = '0' WHERE name = 'last_cron_run'");
        [$status] = (new Browser())->get($this->perfexUrl('cron/index'));

        return $status;
    }

    /** Moves an attempt's creation $seconds into the past (the stand-in runs on UTC). */
    protected function backdate(int $paymentRowId, int $seconds): void
    {
        Stack::db()->query("UPDATE tblpaybridge_payments SET created_at = '" . gmdate('Y-m-d H:i:s', time() - $seconds) . "' WHERE id = " . $paymentRowId);
    }

    /** Every other open attempt (left by earlier tests) is made not due, so a run only sees this test's attempts. */
    protected function parkOtherAttempts(array $keepIds): void
    {
        $keep = implode(',', array_map('intval', $keepIds ?: [0]));
        Stack::db()->query("UPDATE tblpaybridge_payments SET reconcile_next_at = '2099-01-01 00:00:00' WHERE id NOT IN ($keep)");
    }

    protected function attemptRow(int $paymentRowId): array
    {
        return Stack::one('SELECT * FROM tblpaybridge_payments WHERE id = ' . $paymentRowId);
    }

    /** GET requests the sandbox logged for this provider payment (NeroPay payment link / Payrexx Gateway / Noxipay payment). */
    protected function apiReads(string $providerPaymentId): int
    {
        [$status, , $raw] = (new Browser())->get(rtrim(Stack::env('SANDBOX_URL'), '/') . '/_control/requests');
        $this->assertSame(200, $status, 'sandbox request log');
        $needle = '/' . $providerPaymentId;

        return count(array_filter(json_decode($raw, true) ?: [], static function ($r) use ($needle) {
            return $r['method'] === 'GET' && (substr($r['path'], -strlen($needle)) === $needle || strpos($r['path'], $needle . '/') !== false);
        }));
    }

    protected function faults(array $faults): void
    {
        [$status, , $raw] = (new Browser())->postJson(rtrim(Stack::env('SANDBOX_URL'), '/') . '/_control/faults', $faults ?: new stdClass());
        $this->assertSame(200, $status, "sandbox faults: $raw");
    }

    /** A staff member (created or reset through the stand-in CLI) logged in; $permissions like ['payments:view']. */
    protected function staffBrowser(string $email, array $permissions, bool $admin = false): Browser
    {
        $args = ['create-staff', '--email', $email, '--password', 'staff-pass-9', '--admin', $admin ? '1' : '0'];
        foreach ($permissions as $p) {
            $args[] = '--permission';
            $args[] = $p;
        }
        Stack::cli(...$args);
        $b = new Browser();
        [, , $html] = $b->get($this->perfexUrl('admin/authentication'));
        $form = Browser::findForm($html, static function (array $f) {
            return isset($f['fields']['password']);
        });
        $this->assertNotNull($form, 'admin login form');
        $fields = $form['fields'];
        $fields['email'] = $email;
        $fields['password'] = 'staff-pass-9';
        [$status, $headers] = $b->post($this->perfexUrl($form['action'] ?: 'admin/authentication'), $fields);
        $this->assertContains($status, [302, 303]);
        $this->assertStringNotContainsString('authentication', $headers['location'] ?? '', 'logged in as ' . $email);

        return $b;
    }

    /** The CSRF field of any form this browser's session renders (the modules page has several). */
    protected function csrfFields(Browser $b): array
    {
        [, , $html] = $b->get($this->perfexUrl('admin/modules'));
        $this->assertMatchesRegularExpression('/name="csrf_token_name" value="([0-9a-f]+)"/', $html);
        preg_match('/name="csrf_token_name" value="([0-9a-f]+)"/', $html, $m);

        return ['csrf_token_name' => $m[1]];
    }
}
