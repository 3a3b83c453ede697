<?php

/*
 * Shared PHPUnit bootstrap: exports the running stack's settings (.stack/env, written by
 * `scripts/stack up`) into the environment unless already set, so every test reads them with getenv().
 * A missing file is not fatal here: each suite fails its tests with the reason.
 */

(static function (): void {
    $dir = getenv('STACK_DIR') ?: dirname(__DIR__, 2) . '/.stack';
    $file = rtrim($dir, '/') . '/env';
    if (!is_readable($file)) {
        fwrite(STDERR, "note: $file missing — run scripts/stack up first\n");
        return;
    }
    foreach (file($file, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) as $line) {
        if (preg_match('/^([A-Z_][A-Z0-9_]*)=(.*)$/', $line, $m) && (getenv($m[1]) === false || getenv($m[1]) === '')) {
            putenv($m[1] . '=' . $m[2]);
            $_ENV[$m[1]] = $m[2];
        }
    }
})();

require_once __DIR__ . '/standin/StandinTestCase.php';
