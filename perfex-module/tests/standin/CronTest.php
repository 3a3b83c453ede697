<?php

/**
 * Perfex's cron as the stand-in serves it (perfex.md "Added in turn 2 — Cron"): GET cron/index runs
 * Cron_model::run() — before_cron_run, after_cron_run (register_cron_task) — at most once per
 * cron_functions_execute_seconds (300) since `last_cron_run`, under a file lock. The fixture module counts
 * its runs (one activity-log row per after_cron_run).
 */
final class CronTest extends StandinTestCase
{
    public static function setUpBeforeClass(): void
    {
        self::installFixture();
    }

    protected function tearDown(): void
    {
        self::cli('set-option', 'standin_fixture_cron_sleep_ms', '0');
        parent::tearDown();
    }

    private static function taskRuns(): int
    {
        return (int) self::db()->query("SELECT COUNT(*) FROM tblactivity_log WHERE description LIKE 'standin_fixture cron run %'")->fetch_row()[0];
    }

    private static function resetGate(int $secondsAgo = 100000): void
    {
        self::cli('set-option', 'last_cron_run', (string) (time() - $secondsAgo));
    }

    public function testCronUrlRunsTheCronTasksThenWaitsForTheInterval(): void
    {
        self::resetGate();
        $runs = self::taskRuns();
        $before = (int) self::option('standin_fixture_before_cron_runs');

        $r = $this->get('cron/index');

        $this->assertSame(200, $r['status']);
        $this->assertSame($runs + 1, self::taskRuns(), 'after_cron_run fired once');
        $this->assertSame($before + 1, (int) self::option('standin_fixture_before_cron_runs'), 'before_cron_run fired once');
        $this->assertEqualsWithDelta(time(), (int) self::option('last_cron_run'), 5);

        $this->assertSame(200, $this->get('cron/index')['status']);
        $this->assertSame($runs + 1, self::taskRuns(), 'a second request within 300 s runs nothing');

        self::resetGate(301);
        $this->get('cron/index');
        $this->assertSame($runs + 2, self::taskRuns(), 'after 300 s it runs again');
    }

    public function testConcurrentCronRequestsRunTheTasksOnceUnderTheFileLock(): void
    {
        self::cli('set-option', 'standin_fixture_cron_sleep_ms', '1500');
        self::resetGate();
        $runs = self::taskRuns();

        $mh = curl_multi_init();
        $handles = [];
        for ($i = 0; $i < 3; $i++) {
            $ch = curl_init(rtrim(self::env('PERFEX_URL'), '/') . '/cron/index');
            curl_setopt_array($ch, [CURLOPT_RETURNTRANSFER => true, CURLOPT_TIMEOUT => 20]);
            curl_multi_add_handle($mh, $ch);
            $handles[] = $ch;
        }
        do {
            curl_multi_exec($mh, $running);
            curl_multi_select($mh, 0.05);
        } while ($running);
        $statuses = array_map(static fn ($ch) => (int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE), $handles);

        $this->assertSame([200, 200, 200], $statuses);
        $this->assertSame($runs + 1, self::taskRuns(), 'one run; the others found the lock taken or the gate closed');
    }

    public function testManualRunFromTheCliSkipsTheIntervalButFiresTheSameActions(): void
    {
        self::cli('set-option', 'last_cron_run', (string) time());
        $runs = self::taskRuns();

        $out = self::cli('cron');

        $this->assertSame(['ran' => true], $out);
        $this->assertSame($runs + 1, self::taskRuns());
        $this->assertNotNull(self::db()->query("SELECT id FROM tblactivity_log WHERE description = 'standin_fixture cron run manual' ORDER BY id DESC LIMIT 1")->fetch_row());
    }
}
