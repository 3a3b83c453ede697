#!/bin/sh
# Runs the browser tests in .stack/venv (created on first use: python3 -m venv + pip install selenium).
set -eu
root=$(cd "$(dirname "$0")/../../.." && pwd)
venv="${STACK_DIR:-$root/.stack}/venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import selenium' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet selenium
fi
# All run (a failing one does not hide the others); the exit status is non-zero if either failed.
rc=0
"$venv/bin/python" "$root/perfex-module/tests/browser/pay_invoice.py" || rc=1
# Issue 11 item 6: the admin page on the pool without the extension (PERFEX_URL_NOEXT).
"$venv/bin/python" "$root/perfex-module/tests/browser/admin_system.py" || rc=1
# Issue 13 item 6: the admin page as a tool (summary, status filter, a payment's timeline).
"$venv/bin/python" "$root/perfex-module/tests/browser/admin_tool.py" || rc=1
# Issue 13: a partial refund from the PayBridge page becomes a closed credit note.
"$venv/bin/python" "$root/perfex-module/tests/browser/refund_payment.py" || rc=1
exit $rc
