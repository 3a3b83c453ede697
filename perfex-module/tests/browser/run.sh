#!/bin/sh
# Runs the browser test in .stack/venv (created on first use: python3 -m venv + pip install selenium).
set -eu
root=$(cd "$(dirname "$0")/../../.." && pwd)
venv="${STACK_DIR:-$root/.stack}/venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import selenium' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet selenium
fi
exec "$venv/bin/python" "$root/perfex-module/tests/browser/pay_invoice.py"
