#!/usr/bin/env bash
# Builds the extension and the sandbox, then runs every benchmark of BENCHMARKS.md in order.
#   php/bench/run.sh            # from anywhere; writes nothing but cargo's target dir
# Env: CARGO_TARGET_DIR is honoured for `cargo bench` (the .so and sandbox always come from
# target/release); BENCH_SECONDS (default 1) per verify.php case and side, BENCH_ROUNDS (default 5)
# alternating rounds per case; ROUNDTRIP_N (default 300). The load average is printed before each
# section: the machine is shared, and only runs taken at a similar load are comparable.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
SO=$ROOT/target/release/libpaybridge.so
load() { echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"; }

echo "== machine"
echo "nproc: $(nproc)"
grep -m1 'model name' /proc/cpuinfo | sed 's/^model name\s*:/cpu:/'
grep MemTotal /proc/meminfo
load
php -r 'echo "php: ", PHP_VERSION, "\n";'
openssl version

echo "== build"
(unset CARGO_TARGET_DIR; cargo build --release --quiet --workspace)

echo "== cargo bench --bench verify"
load
cargo bench -p paybridge-core --bench verify 2>&1 | grep -E '^webhook_|time:|thrpt:' | grep -v '%'

echo "== openssl speed -evp sha256 (reference; 1000s of bytes/s)"
load
# Default openssl speed divides by CPU *user* time; -elapsed by wall-clock time, like criterion.
# On a busy machine only the second is comparable with the criterion figures above.
echo "1 MiB, CPU time:  $(openssl speed -evp sha256 -bytes 1048576 -seconds 2 2>/dev/null | tail -1)"
echo "1 MiB, wall time: $(openssl speed -elapsed -evp sha256 -bytes 1048576 -seconds 2 2>/dev/null | tail -1)"
echo "1 KiB, CPU time:  $(openssl speed -evp sha256 -bytes 1024 -seconds 2 2>/dev/null | tail -1)"

echo "== php/bench/verify.php"
load
php -d extension="$SO" php/bench/verify.php "${BENCH_SECONDS:-1}" "${BENCH_ROUNDS:-5}"

echo "== php/bench/roundtrip.php"
load
php -d extension="$SO" php/bench/roundtrip.php "${ROUNDTRIP_N:-300}"
echo "after:"; load
