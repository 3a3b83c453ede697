"""Shared helpers for the reliability suite: the stack's env, a cookie-keeping HTTP client, the
customer's Pay flow, sandbox control calls and database counts. Standard library only."""
import hashlib
import hmac
import http.cookiejar
import json
import os
import re
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def load_env(stack_dir):
    env = {}
    with open(os.path.join(stack_dir, "env")) as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                env[k] = v
    return env


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def request(url, data=None, headers=None, method=None, timeout=30, opener=None):
    """Returns (status, headers, body bytes, seconds); never raises on HTTP errors."""
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    t0 = time.monotonic()
    try:
        resp = (opener or urllib.request.build_opener(NoRedirect)).open(req, timeout=timeout)
        body = resp.read()
        return resp.status, dict(resp.headers), body, time.monotonic() - t0
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read(), time.monotonic() - t0
    except (urllib.error.URLError, ConnectionError, TimeoutError) as e:
        return 0, {}, str(e).encode(), time.monotonic() - t0


class Stack:
    def __init__(self, stack_dir):
        self.dir = os.path.abspath(stack_dir)
        self.env = load_env(stack_dir)
        self.perfex = self.env["PERFEX_URL"]
        self.sandbox = self.env["SANDBOX_URL"]
        self.webhook_secret = self.env.get("NEROPAY_WEBHOOK_SECRET", "")

    def cli(self, *args):
        out = subprocess.run(["php", os.path.join(ROOT, "perfex-module/standin/cli.php"), *args],
                             env={**os.environ, "STACK_DIR": self.dir, "PHP_INI_SCAN_DIR": ":" + os.path.join(self.dir, "php.d")},
                             capture_output=True, text=True, check=True)
        return json.loads(out.stdout) if out.stdout.strip().startswith(("{", "[")) else out.stdout

    def sql(self, query):
        out = subprocess.run(["mariadb", f"--defaults-file={self.dir}/my.cnf", self.env["DB_NAME"], "-N", "-B", "-e", query],
                             capture_output=True, text=True, check=True)
        return [line.split("\t") for line in out.stdout.splitlines() if line]

    def control(self, path, body=None, method=None):
        data = None if body is None else json.dumps(body).encode()
        status, _, raw, _ = request(self.sandbox + "/_control" + path, data=data,
                                    headers={"Content-Type": "application/json"}, method=method or ("POST" if data else "GET"))
        return status, (json.loads(raw) if raw[:1] in (b"{", b"[") else raw)

    def faults(self, **kw):
        return self.control("/faults", kw)

    def start_checkout(self, invoice):
        """The customer's Pay click: GET the invoice page, POST its Pay form; returns (status, Location, page)."""
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
        status, _, page, _ = request(invoice["url"], opener=opener)
        html = page.decode("utf-8", "replace")
        token = re.search(r'name="csrf_token_name" value="([^"]+)"', html)
        form = {"paymentmode": "neropay", "hash": invoice["hash"], "make_payment": "1"}
        if token:
            form["csrf_token_name"] = token.group(1)
        amount = re.search(r'name="amount" id="amount"[^>]*value="([^"]+)"', html)
        if amount:
            form["amount"] = amount.group(1)
        status, headers, body, _ = request(invoice["url"], data=urllib.parse.urlencode(form).encode(),
                                           headers={"Content-Type": "application/x-www-form-urlencoded"}, opener=opener)
        location = headers.get("Location", "")
        follow = ""
        if status in (302, 303) and location.startswith(self.perfex):
            _, _, page2, _ = request(location, opener=opener)
            follow = page2.decode("utf-8", "replace")
        return status, location, follow

    def link_id(self, checkout_url):
        m = re.search(r"/neropay/checkout/([0-9]+)", checkout_url)
        return m.group(1) if m else None

    def webhook_for(self, link_id, event_type="transaction.succeeded"):
        _, state = self.control(f"/neropay/payments/{link_id}")
        _, hook = self.control(f"/neropay/payments/{link_id}/webhook?type={event_type}")
        return state["ipn_url"], hook

    def payments_for(self, invoice_id):
        return int(self.sql(f"SELECT COUNT(*) FROM tblinvoicepaymentrecords WHERE invoiceid = {int(invoice_id)}")[0][0])


def sign_neropay(secret, ts, body):
    return hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()


def percentile(values, p):
    if not values:
        return 0.0
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]
