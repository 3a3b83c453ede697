"""Bounded webhook load through nginx + php-fpm into MariaDB (issue: reliability, item 3).

Invoices are paid (or left unpaid) on the sandbox without any delivery; then a mix of deliveries is
sent concurrently: valid signed IPNs (up to 50 concurrent copies of one event), valid-looking IPNs for
unpaid links, forged, stale and malformed ones. The result must be exactly one payment per paid
invoice, none for the others, and no 5xx."""
import argparse
import json
import os
import random
import sys
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(__file__))
from common import Stack, percentile, request, sign_neropay  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stack", required=True)
    ap.add_argument("--invoices", type=int, default=40)
    ap.add_argument("--max-copies", type=int, default=50)
    ap.add_argument("--workers", type=int, default=48)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--time-limit", type=float, default=300.0)
    args = ap.parse_args()
    rnd = random.Random(args.seed)
    st = Stack(args.stack)
    assert st.webhook_secret, "the reliability stack runs with a NeroPay webhook secret"
    st.control("/reset", {})

    t_setup = time.monotonic()
    invoices = []
    for i in range(args.invoices):
        inv = st.cli("create-invoice", "--currency", "EUR", "--total", f"{rnd.randint(1, 500)}.{rnd.randint(0, 99):02d}", "--allowed", "neropay")
        status, location, _ = st.start_checkout(inv)
        link = st.link_id(location)
        assert link, f"checkout did not start for invoice {inv['id']}: {status} {location}"
        paid = i % 4 != 3  # three in four get paid
        if paid:
            st.control(f"/neropay/payments/{link}/pay", {"deliver": False})
        url, hook = st.webhook_for(link)
        invoices.append({"id": inv["id"], "link": link, "paid": paid, "url": url, "hook": hook})
    setup_s = time.monotonic() - t_setup

    # ---- the delivery plan
    plan = []  # (category, url, body bytes, headers)
    now = int(time.time())
    for inv in invoices:
        body = inv["hook"]["body"].encode()
        headers = dict(inv["hook"]["headers"])
        headers["Content-Type"] = "application/json"
        copies = rnd.randint(1, args.max_copies)
        cat = "valid" if inv["paid"] else "valid_unpaid"
        plan += [(cat, inv["url"], body, headers, inv["id"])] * copies
        # forged: the body of a real event, signed with the wrong key / not signed / tampered
        plan.append(("forged", inv["url"], body, {**headers, "X-NeroPay-Signature": sign_neropay("attacker", headers["X-NeroPay-Timestamp"], body)}, inv["id"]))
        plan.append(("forged", inv["url"], body, {"Content-Type": "application/json"}, inv["id"]))
        plan.append(("forged", inv["url"], body.replace(b'"succeeded"', b'"succeeded" '), headers, inv["id"]))
        # stale: correctly signed an hour ago (a replay)
        ts = str(now - 3600)
        plan.append(("stale", inv["url"], body, {"Content-Type": "application/json", "X-NeroPay-Timestamp": ts,
                                                  "X-NeroPay-Signature": sign_neropay(st.webhook_secret, ts, body)}, inv["id"]))
        # malformed: signed garbage, oversized, unknown token
        garbage = os.urandom(64)
        ts = str(now)
        plan.append(("malformed", inv["url"], garbage, {"X-NeroPay-Timestamp": ts, "X-NeroPay-Signature": sign_neropay(st.webhook_secret, ts, garbage)}, inv["id"]))
        plan.append(("malformed", inv["url"].rsplit("/", 1)[0] + "/" + "0" * 32, body, headers, inv["id"]))
    plan.append(("malformed", invoices[0]["url"], b"x" * (1024 * 1024 + 10), {"Content-Type": "application/json"}, invoices[0]["id"]))
    rnd.shuffle(plan)

    results = []
    lock = threading.Lock()
    deadline = time.monotonic() + args.time_limit

    def send(item):
        cat, url, body, headers, inv_id = item
        if time.monotonic() > deadline:
            return
        status, _, resp, secs = request(url, data=body, headers=headers, method="POST", timeout=30)
        with lock:
            results.append((cat, status, secs, resp[:200]))

    t0 = time.monotonic()
    with ThreadPoolExecutor(max_workers=args.workers) as ex:
        list(ex.map(send, plan))
    wall = time.monotonic() - t0

    # ---- verdict
    by_cat = defaultdict(Counter)
    for cat, status, _, _ in results:
        by_cat[cat][status] += 1
    lat = [r[2] * 1000 for r in results]
    paid_ok = all(st.payments_for(i["id"]) == 1 for i in invoices if i["paid"])
    unpaid_ok = all(st.payments_for(i["id"]) == 0 for i in invoices if not i["paid"])
    recorded = sum(st.payments_for(i["id"]) for i in invoices)
    five_xx = sum(1 for _, s, _, _ in results if s >= 500 or s == 0)
    forged_in = sum(st.payments_for(i["id"]) for i in invoices if not i["paid"])
    report = {
        "deliveries_sent": len(results),
        "planned": len(plan),
        "invoices": len(invoices),
        "paid_invoices": sum(1 for i in invoices if i["paid"]),
        "payments_recorded": recorded,
        "payments_from_unpaid_or_forged": forged_in,
        "status_by_category": {k: dict(v) for k, v in sorted(by_cat.items())},
        "five_xx_or_no_answer": five_xx,
        "p50_ms": round(percentile(lat, 50), 1),
        "p99_ms": round(percentile(lat, 99), 1),
        "max_ms": round(max(lat), 1) if lat else 0,
        "wall_s": round(wall, 2),
        "throughput_rps": round(len(results) / wall, 1) if wall else 0,
        "setup_s": round(setup_s, 2),
        "workers": args.workers,
        "max_copies": args.max_copies,
    }
    print(json.dumps(report, indent=2))
    ok = paid_ok and unpaid_ok and five_xx == 0 and len(results) == len(plan)
    expected = {"forged": {401}, "stale": {401}, "valid": {200}, "valid_unpaid": {200}, "malformed": {400, 401, 404, 413}}
    for cat, counts in by_cat.items():
        bad = set(counts) - expected[cat]
        if bad:
            print(f"unexpected statuses for {cat}: {bad}", file=sys.stderr)
            ok = False
    print("RESULT:", "PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
