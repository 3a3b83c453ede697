#!/usr/bin/env bash
# The extension's PHPUnit suite under valgrind (ext-php-rs-notes.md: USE_ZEND_ALLOC=0 so PHP's
# allocator does not hide leaks, ZEND_DONT_UNLOAD_MODULES=1 so symbols resolve in the report).
# Passes with 0 errors and 0 bytes definitely lost.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v valgrind >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null; }
log=target/reliability/valgrind.log
mkdir -p target/reliability
# No suppressions: the one PHP/PHPUnit-side leak (PHPUnit's comparator-Factory reference cycle, which a
# release PHP never collects at shutdown) is released by php/tests/bootstrap.php after the run.
# pcre.jit=0: PCRE's JIT code reads 16 bytes at a time past string ends, a known valgrind false positive.
rc=0
USE_ZEND_ALLOC=0 ZEND_DONT_UNLOAD_MODULES=1 valgrind --leak-check=full --errors-for-leak-kinds=definite --num-callers=40 \
  --log-file="$log" php -d pcre.jit=0 -d extension="$PWD/target/release/libpaybridge.so" /usr/bin/phpunit -c php/tests/phpunit.xml "$@" \
  > target/reliability/valgrind-phpunit.txt 2>&1 || rc=$?
tail -3 target/reliability/valgrind-phpunit.txt
errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$log" | tail -1)
lost=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$log" | tail -1 | tr -d ,)
echo "valgrind: ERROR SUMMARY $errors errors; definitely lost ${lost:-0} bytes (full log: $log)"
[ "$rc" = 0 ] && [ "${errors:-1}" = 0 ] && [ "${lost:-0}" = 0 ]
