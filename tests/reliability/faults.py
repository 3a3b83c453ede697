"""Fault injection through the sandbox and the stack (issue: reliability, item 2). Each scenario
prints one line; the run fails unless every scenario keeps its promise: one payment link per
invoice attempt (one idempotency key), a clear error when retries run out, and 503 (or another
non-2xx the provider retries) during an outage followed by exactly one recorded payment."""
import argparse
import json
import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from common import ROOT, Stack, request  # noqa: E402

FAILED_TEXT = "could not be started"
results = []


def check(name, ok, detail):
    results.append({"scenario": name, "ok": bool(ok), **detail})
    print(("PASS " if ok else "FAIL ") + name + " " + json.dumps(detail), flush=True)


def link_posts(st):
    _, log = st.control("/requests")
    return [r for r in log if r["provider"] == "neropay" and r["method"] == "POST" and r["path"].endswith("/payment-links")]


def create_with_fault(st, name, fault, expect_checkout=True):
    st.control("/reset", {})
    inv = st.cli("create-invoice", "--currency", "EUR", "--total", "42.00", "--allowed", "neropay")
    st.faults(**fault)
    t0 = time.monotonic()
    status, location, page = st.start_checkout(inv)
    secs = round(time.monotonic() - t0, 2)
    st.faults()
    posts = link_posts(st)
    keys = {p["idempotency_key"] for p in posts}
    statuses = [p["status"] for p in posts]
    if expect_checkout:
        ok = st.link_id(location) is not None and len(keys) == 1
    else:
        ok = st.link_id(location) is None and FAILED_TEXT in page and len(keys) == 1 and st.payments_for(inv["id"]) == 0
    check(name, ok, {"attempts": len(posts), "idempotency_keys": len(keys), "answers": statuses, "customer_seconds": secs,
                     "customer_sees": "checkout" if st.link_id(location) else ("error alert" if FAILED_TEXT in page else location)})


def paid_link(st):
    inv = st.cli("create-invoice", "--currency", "EUR", "--total", "19.99", "--allowed", "neropay")
    _, location, _ = st.start_checkout(inv)
    link = st.link_id(location)
    st.control(f"/neropay/payments/{link}/pay", {"deliver": False})
    url, hook = st.webhook_for(link)
    headers = dict(hook["headers"], **{"Content-Type": "application/json"})
    return inv, url, hook["body"].encode(), headers


def deliver(url, body, headers):
    status, _, resp, secs = request(url, data=body, headers=headers, method="POST", timeout=30)
    return status, resp[:120].decode("utf-8", "replace"), round(secs * 1000)


def fresh_hook(st, link_url, link_id):
    _, hook = st.control(f"/neropay/payments/{link_id}/webhook?type=transaction.succeeded")
    return hook["body"].encode(), dict(hook["headers"], **{"Content-Type": "application/json"})


def stack_cmd(st, *args):
    r = subprocess.run([os.path.join(ROOT, "scripts/stack"), *args], env={**os.environ, "STACK_DIR": st.dir},
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"scripts/stack {' '.join(args)} failed: {r.stderr[-800:]}")


def fpm_workers(st):
    master = open(os.path.join(st.dir, "run/php-fpm.pid")).read().strip()
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", master], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stack", required=True)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    st = Stack(args.stack)

    # ---- creating a payment link while the provider misbehaves
    create_with_fault(st, "create: timeout after the provider accepted", {"timeout_after_accept_next": 1, "latency_ms": 300})
    create_with_fault(st, "create: burst of 5xx", {"fail_next": 2, "fail_status": 500})
    create_with_fault(st, "create: dropped connection", {"drop_next": 1})
    create_with_fault(st, "create: 429 with Retry-After", {"fail_next": 1, "fail_status": 429, "retry_after": 1})
    create_with_fault(st, "create: retries run out", {"fail_next": 10, "fail_status": 503, "retry_after": 0}, expect_checkout=False)

    # ---- provider API unavailable during confirmWebhook
    inv, url, body, headers = paid_link(st)
    st.faults(fail_next=20, fail_status=500)
    first = deliver(url, body, headers)
    st.faults()
    second = deliver(url, body, headers)
    check("webhook: provider API down during confirm, then retried", first[0] == 503 and second[0] == 200 and st.payments_for(inv["id"]) == 1,
          {"first": first[0], "retry": second[0], "payments": st.payments_for(inv["id"])})

    # ---- MariaDB stopped while a delivery is in flight, then restarted
    inv, url, body, headers = paid_link(st)
    st.faults(latency_ms=800)
    out = {}
    t = threading.Thread(target=lambda: out.update(r=deliver(url, body, headers)))
    t.start()
    time.sleep(0.3)
    stack_cmd(st, "stop-db")
    t.join()
    st.faults()
    stack_cmd(st, "start-db")
    link = st.link_id(url) or url.rsplit("/", 1)[-1]
    retry = deliver(url, body, headers)
    check("webhook: MariaDB stopped mid-delivery, restarted, retried", out["r"][0] >= 500 and retry[0] == 200 and st.payments_for(inv["id"]) == 1,
          {"during_outage": out["r"][0], "retry": retry[0], "payments": st.payments_for(inv["id"])})

    # ---- a php-fpm worker killed mid-request
    inv, url, body, headers = paid_link(st)
    st.faults(latency_ms=1500)
    out = {}
    t = threading.Thread(target=lambda: out.update(r=deliver(url, body, headers)))
    t.start()
    time.sleep(0.5)
    killed = fpm_workers(st)
    for pid in killed:
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
    t.join()
    st.faults()
    time.sleep(0.3)
    retry = deliver(url, body, headers)
    check("webhook: php-fpm workers killed mid-request, retried", out["r"][0] != 200 and retry[0] == 200 and st.payments_for(inv["id"]) == 1,
          {"killed_workers": len(killed), "during_kill": out["r"][0], "retry": retry[0], "payments": st.payments_for(inv["id"])})

    # ---- the sandbox's own retries carry a payment over a database outage: nothing lost
    inv = st.cli("create-invoice", "--currency", "EUR", "--total", "64.10", "--allowed", "neropay")
    _, location, _ = st.start_checkout(inv)
    link = st.link_id(location)
    stack_cmd(st, "stop-db")
    st.control(f"/neropay/payments/{link}/pay", {"deliver": True})
    time.sleep(0.2)
    stack_cmd(st, "start-db")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and st.payments_for(inv["id"]) == 0:
        time.sleep(0.2)
    _, deliveries = st.control("/deliveries")
    mine = [d["status"] for d in deliveries if str(d["payment_id"]) == str(link)]
    check("provider retries across a database outage record exactly once", st.payments_for(inv["id"]) == 1 and mine and mine[0] != 200,
          {"delivery_answers": mine, "payments": st.payments_for(inv["id"])})

    print(json.dumps({"scenarios": len(results), "passed": sum(r["ok"] for r in results)}))
    sys.exit(0 if all(r["ok"] for r in results) else 1)


if __name__ == "__main__":
    main()
