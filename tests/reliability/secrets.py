"""Secrets never leak (issue: reliability, item 5): every log the stack wrote, the database (activity
log, the module's event and payment tables, options) and the admin pages are searched for the
configured secrets, in clear, in hex and in base64. Options must hold them encrypted."""
import argparse
import base64
import http.cookiejar
import os
import re
import subprocess
import sys
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from common import NoRedirect, Stack, request  # noqa: E402


def forms(secret):
    s = secret.encode()
    return {secret, s.hex(), base64.b64encode(s).decode().rstrip("=")}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stack", required=True)
    args = ap.parse_args()
    st = Stack(args.stack)
    secrets = [v for k, v in st.env.items() if k.endswith(("SECRET_KEY", "WEBHOOK_SECRET")) and len(v) >= 8]
    needles = set().union(*(forms(s) for s in secrets))
    leaks = []
    # The matcher must be able to fail: the stack's own env file holds the secrets in clear.
    env_text = open(os.path.join(st.dir, "env")).read()
    assert all(s in env_text for s in secrets), "secret matcher self-check failed"

    for dirpath, _, files in os.walk(os.path.join(st.dir, "log")):
        for name in files:
            path = os.path.join(dirpath, name)
            data = open(path, "rb").read().decode("utf-8", "replace")
            leaks += [f"{path}: {n[:6]}…" for n in needles if n in data]

    dump = subprocess.run(["mariadb-dump", f"--defaults-file={st.dir}/my.cnf", "--skip-extended-insert", st.env["DB_NAME"]],
                          capture_output=True, text=True, check=True).stdout
    leaks += [f"database dump: {n[:6]}…" for n in needles if n in dump]
    encrypted = st.sql("SELECT COUNT(*) FROM tbloptions WHERE name IN ('paymentmethod_neropay_secret_key','paymentmethod_neropay_webhook_secret') AND value <> ''")[0][0]

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    login = st.perfex + "/admin/authentication"
    _, _, page, _ = request(login, opener=opener)
    token = re.search(rb'name="csrf_token_name" value="([^"]+)"', page)
    form = {"email": st.env["ADMIN_EMAIL"], "password": st.env["ADMIN_PASSWORD"], "csrf_token_name": token.group(1).decode() if token else ""}
    status, _, _, _ = request(login, data=urllib.parse.urlencode(form).encode(), opener=opener,
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
    pages = {}
    for path in ("/admin/settings?group=payment_gateways", "/admin/paybridge"):
        code, _, html, _ = request(st.perfex + path, opener=opener)
        pages[path] = code
        text = html.decode("utf-8", "replace")
        leaks += [f"{path}: {n[:6]}…" for n in needles if n in text]
    logged_in = all(code == 200 for code in pages.values())
    print({"secrets_checked": len(secrets), "forms_each": 3, "admin_pages": pages, "encrypted_options": encrypted, "leaks": leaks})
    ok = not leaks and logged_in and int(encrypted) >= 1 and secrets
    print("RESULT:", "PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
