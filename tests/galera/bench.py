"""Webhook throughput and latency on the running stack, single-node or Galera (issue 15 item 4).

The same load on either stack (seeded): N invoices go through the real customer path (invoice page ->
Pay -> payment link on the sandbox) and are paid on the sandbox without a delivery; then every invoice's
"paid" IPN is sent 1..max-copies times, shuffled, by W concurrent senders. On the Galera stack the
deliveries alternate between the two web nodes (PERFEX_URLS); on the single-node stack they all go to
PERFEX_URL. NeroPay webhooks are signed with a secret set for the run, so every copy reaches the
recording path (no unverified-read limit). Verdict: exactly one payment and one receipt mail per invoice,
no answer other than 200 or 503. Standard library only; reuses tests/reliability/common.py.

    python3 tests/galera/bench.py --stack .stack [--invoices 30] [--max-copies 10] [--workers 16] [--add-cost-ms 200]
"""
import argparse
import json
import os
import random
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "reliability"))
from common import Stack, percentile, request, sign_neropay  # noqa: E402

SECRET = "whsec_galera_bench_1"


class AnyStack(Stack):
    """common.Stack, with SQL through database node 1 when the stack is the Galera one."""

    def __init__(self, stack_dir):
        super().__init__(stack_dir)
        self.galera = self.env.get("STACK_MODE") == "galera"
        self.urls = self.env["PERFEX_URLS"].split(",") if self.galera else [self.perfex]

    def sql(self, query):
        cnf = os.path.join(self.dir, "g", "db1.cnf") if self.galera else os.path.join(self.dir, "my.cnf")
        out = subprocess.run(["mariadb", f"--defaults-file={cnf}", self.env["DB_NAME"], "-N", "-B", "-e", query],
                             capture_output=True, text=True, check=True)
        return [line.split("\t") for line in out.stdout.splitlines() if line]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stack", required=True)
    ap.add_argument("--invoices", type=int, default=30)
    ap.add_argument("--max-copies", type=int, default=10)
    ap.add_argument("--workers", type=int, default=16)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--web-nodes", type=int, default=0, help="Galera stack: send to the first N web nodes only (default: all)")
    ap.add_argument("--add-cost-ms", type=int, default=200, help="stand-in Payments_model::add() cost (its default: 200)")
    args = ap.parse_args()
    rnd = random.Random(args.seed)
    st = AnyStack(args.stack)
    if args.web_nodes > 0:
        st.urls = st.urls[:args.web_nodes]
    st.cli("configure-gateway", "neropay", "webhook_secret=" + SECRET)
    st.cli("set-option", "standin_payment_add_cost_ms", str(args.add_cost_ms))
    try:
        invoices = []
        for _ in range(args.invoices):
            inv = st.cli("create-invoice", "--currency", "EUR", "--total", f"{rnd.randint(1, 500)}.{rnd.randint(0, 99):02d}", "--allowed", "neropay")
            status, location, _ = st.start_checkout(inv)
            link = st.link_id(location)
            assert link, f"checkout did not start for invoice {inv['id']}: {status} {location}"
            st.control(f"/neropay/payments/{link}/pay", {"deliver": False})
            url, hook = st.webhook_for(link)
            invoices.append({"id": inv["id"], "path": url.split("/", 3)[3], "body": hook["body"].encode()})

        plan = []
        for inv in invoices:
            plan += [inv] * rnd.randint(1, args.max_copies)
        rnd.shuffle(plan)
        results = []
        lock = threading.Lock()

        def send(i_item):
            i, inv = i_item
            base = st.urls[i % len(st.urls)]
            ts = str(int(time.time()))
            headers = {"Content-Type": "application/json", "X-NeroPay-Timestamp": ts,
                       "X-NeroPay-Signature": sign_neropay(SECRET, ts, inv["body"])}
            status, _, resp, secs = request(base + "/" + inv["path"], data=inv["body"], headers=headers, method="POST", timeout=60)
            try:
                label = json.loads(resp).get("result") or json.loads(resp).get("error")
            except ValueError:
                label = "http_%d" % status
            with lock:
                results.append((status, label, secs))

        t0 = time.monotonic()
        with ThreadPoolExecutor(max_workers=args.workers) as ex:
            list(ex.map(send, enumerate(plan)))
        wall = time.monotonic() - t0
    finally:
        st.cli("configure-gateway", "neropay", "webhook_secret=")
        st.cli("set-option", "standin_payment_add_cost_ms", "200")

    ids = ",".join(str(int(i["id"])) for i in invoices)
    payments = Counter(r[0] for r in st.sql(f"SELECT invoiceid FROM tblinvoicepaymentrecords WHERE invoiceid IN ({ids})"))
    mails = Counter(r[0] for r in st.sql(f"SELECT invoiceid FROM tblstandin_mail_log WHERE invoiceid IN ({ids})"))
    contacts = int(st.sql("SELECT COUNT(*) FROM tblcontacts WHERE active = 1 AND userid = (SELECT clientid FROM tblinvoices WHERE id = "
                          + str(int(invoices[0]["id"])) + ")")[0][0])
    lat = [r[2] * 1000 for r in results]
    answers = Counter(f"{s} {label}" for s, label, _ in results)
    once = all(payments.get(str(i["id"]), 0) == 1 for i in invoices)
    mailed_once = all(mails.get(str(i["id"]), 0) == contacts for i in invoices)
    bad = sum(n for k, n in answers.items() if not k.startswith(("200 ", "503 ")))
    report = {
        "stack": f"galera ({len(st.urls)} web node(s), 3 database nodes)" if st.galera else "single node",
        "invoices": len(invoices), "deliveries": len(results), "workers": args.workers, "max_copies": args.max_copies,
        "add_cost_ms": args.add_cost_ms,
        "answers": dict(sorted(answers.items())),
        "one_payment_per_invoice": once, "one_mail_per_contact_and_payment": mailed_once, "answers_not_200_or_503": bad,
        "throughput_rps": round(len(results) / wall, 1) if wall else 0,
        "p50_ms": round(percentile(lat, 50), 1), "p99_ms": round(percentile(lat, 99), 1),
        "max_ms": round(max(lat), 1) if lat else 0, "wall_s": round(wall, 2),
    }
    print(json.dumps(report, indent=2))
    ok = once and mailed_once and bad == 0
    print("RESULT:", "PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
