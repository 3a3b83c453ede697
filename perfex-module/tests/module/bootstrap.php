<?php

// Bootstrap for the module tests. Included by every test file (require_once), so the shared
// perfex-module/tests/phpunit.xml can keep its own bootstrap for the stand-in tests.
require_once __DIR__ . '/ModuleTestCase.php';
require_once __DIR__ . '/Stack.php';
