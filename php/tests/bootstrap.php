<?php
// PHPUnit bootstrap: refuses to run without the extension, then starts ONE paybridge-sandbox
// (port 0) for the whole run and kills it at shutdown.
declare(strict_types=1);

if (!extension_loaded('paybridge')) {
    fwrite(STDERR, <<<MSG
paybridge tests: the paybridge extension is not loaded.
Build it with `cargo build --release` and run from the repository root:
    php -d extension=\$PWD/target/release/libpaybridge.so /usr/bin/phpunit -c php/tests/phpunit.xml

MSG);
    exit(1);
}

require_once __DIR__ . '/Support/FreePort.php';
require_once __DIR__ . '/Support/Sandbox.php';
require_once __DIR__ . '/Support/FixtureServer.php';
require_once __DIR__ . '/Support/PayBridgeTestCase.php';

try {
    PayBridge\Tests\Support\Sandbox::start();
} catch (\Throwable $e) {
    fwrite(STDERR, 'paybridge tests: ' . $e->getMessage() . "\n");
    exit(1);
}
register_shutdown_function([PayBridge\Tests\Support\Sandbox::class, 'stop']);
