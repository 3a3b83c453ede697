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

// Valgrind hygiene (tests/reliability/valgrind.sh), not a test: PHPUnit's comparator singleton
// (SebastianBergmann\Comparator\Factory::$instance, created by TestCase::runBare() for every
// test) is a reference cycle - the Factory holds its 11 default comparators, each holds the
// Factory back in Comparator::$factory. A release PHP build does not run the cycle collector at
// shutdown (only ZEND_DEBUG builds do), and zend_objects_store_free_object_storage() deliberately
// leaves such objects' memory unfreed "so they show up as leaks": valgrind then reports the 72-byte
// comparators as definitely lost from ZEND_NEW, with or without the paybridge extension loaded.
// Releasing the singleton after the run and collecting the cycle removes exactly that; it cannot
// hide a refcount leak (the collector frees only garbage cycles), and it runs after every test.
register_shutdown_function(static function (): void {
    $factory = 'SebastianBergmann\\Comparator\\Factory';
    if (class_exists($factory, false)) {
        $instance = new \ReflectionProperty($factory, 'instance');
        $instance->setAccessible(true);
        $instance->setValue(null, null);
        gc_collect_cycles();
    }
});
