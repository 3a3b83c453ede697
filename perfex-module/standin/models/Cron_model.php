<?php

defined('BASEPATH') or exit('No direct script access allowed');

/**
 * Perfex 3.x Cron_model::run($manually): under an exclusive, non-blocking file lock in the temp folder,
 * fires `before_cron_run`, stores `last_cron_run`, runs the core tasks (none in the stand-in), then fires
 * `after_cron_run` with $manually — the action register_cron_task() hooks into. A run that finds the lock
 * taken does nothing. The temp folder is per host (Perfex's TEMP_FOLDER); two hosts (or a CLI cron and a
 * web cron with different temp dirs) do overlap, which modules must survive. STANDIN_TEMP_DIR lets tests
 * play that second host.
 */
class Cron_model extends App_Model
{
    public function run($manually = false): bool
    {
        $dir = rtrim(standin_env('STANDIN_TEMP_DIR', STANDIN_STACK_DIR . '/tmp'), '/');
        if (!is_dir($dir)) {
            @mkdir($dir, 0700, true);
        }
        $lock = @fopen($dir . '/pcrm-cron-lock', 'c');
        if ($lock === false || !flock($lock, LOCK_EX | LOCK_NB)) {
            return false;
        }
        try {
            hooks()->do_action('before_cron_run', $manually);
            update_option('last_cron_run', time());
            if ($manually) {
                log_activity('Cron Invoked Manually');
            }
            hooks()->do_action('after_cron_run', $manually);
        } finally {
            flock($lock, LOCK_UN);
            fclose($lock);
        }

        return true;
    }
}
