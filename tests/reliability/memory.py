"""Memory: php-fpm workers handling thousands of webhook verifications keep flat memory
(issue: reliability, item 4). RSS of every worker is read from /proc before (after a warm-up)
and after; a CLI loop of parseWebhook is measured the same way."""
import argparse
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(__file__))
from common import ROOT, Stack, request, sign_neropay  # noqa: E402
from faults import fpm_workers, paid_link  # noqa: E402


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except FileNotFoundError:
        return None
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stack", required=True)
    ap.add_argument("--requests", type=int, default=10000)
    ap.add_argument("--limit-kb", type=int, default=2048)
    args = ap.parse_args()
    st = Stack(args.stack)
    inv, url, body, headers = paid_link(st)
    forged = dict(headers, **{"X-NeroPay-Signature": sign_neropay("attacker", headers["X-NeroPay-Timestamp"], body)})

    def send(i):
        return request(url, data=body, headers=forged if i % 2 else headers, method="POST")[0]

    warm = min(1000, args.requests // 5)
    with ThreadPoolExecutor(max_workers=4) as ex:
        list(ex.map(send, range(warm)))
    before = {p: rss_kb(p) for p in fpm_workers(st)}
    with ThreadPoolExecutor(max_workers=4) as ex:
        statuses = list(ex.map(send, range(args.requests)))
    after = {p: rss_kb(p) for p in fpm_workers(st)}
    growth = {p: after[p] - before[p] for p in before if after.get(p) is not None and before[p] is not None}
    worst = max(growth.values()) if growth else 0

    php = subprocess.run(["php", "-d", f"extension={ROOT}/target/release/libpaybridge.so", "-r", r'''
        $g = new PayBridge\Gateway("neropay", ["secret_key" => "k", "webhook_secret" => "whsec", "fixed_now" => 1000]);
        $body = str_repeat("{\"id\":\"evt_1\",\"type\":\"transaction.succeeded\",\"transaction\":{\"id\":1,\"amount\":\"1.00\",\"currency\":\"EUR\"}}", 1);
        $h = ["X-NeroPay-Timestamp" => "1000", "X-NeroPay-Signature" => hash_hmac("sha256", "1000." . $body, "whsec")];
        $bad = ["X-NeroPay-Timestamp" => "1000", "X-NeroPay-Signature" => str_repeat("0", 64)];
        $rss = function () { preg_match("/VmRSS:\s+(\d+)/", file_get_contents("/proc/self/status"), $m); return (int) $m[1]; };
        for ($i = 0; $i < 2000; $i++) { $g->parseWebhook($body, $h); try { $g->parseWebhook($body, $bad); } catch (Exception $e) {} }
        $r0 = $rss(); $m0 = memory_get_usage();
        for ($i = 0; $i < 20000; $i++) { $g->parseWebhook($body, $h); try { $g->parseWebhook($body, $bad); } catch (Exception $e) {} }
        echo json_encode(["rss_growth_kb" => $rss() - $r0, "zend_growth_bytes" => memory_get_usage() - $m0]);
    '''], capture_output=True, text=True)
    cli = json.loads(php.stdout) if php.returncode == 0 else {"error": php.stderr[-300:]}
    report = {
        "fpm_requests": len(statuses),
        "statuses": {str(s): statuses.count(s) for s in sorted(set(statuses))},
        "workers_measured": len(growth),
        "rss_before_kb": before,
        "rss_growth_kb": growth,
        "worst_worker_growth_kb": worst,
        "cli_40000_parses": cli,
    }
    print(json.dumps(report, indent=2))
    ok = (worst <= args.limit_kb and set(statuses) <= {200, 401} and st.payments_for(inv["id"]) == 1
          and cli.get("rss_growth_kb", 10**9) <= args.limit_kb and cli.get("zend_growth_bytes", 10**9) <= 4096)
    print("RESULT:", "PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
