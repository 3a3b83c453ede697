#!/usr/bin/env python3
"""Browser test: invoice page -> Pay with NeroPay -> sandbox checkout -> Pay -> back on the invoice showing Paid.

Drives Debian's /usr/bin/chromium through /usr/bin/chromedriver (stack-notes.md §6). Saves a screenshot to
target/browser/paid-invoice.png. Exits non-zero on any failure. Run with perfex-module/tests/browser/run.sh.
"""
import json
import os
import pathlib
import subprocess
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

ROOT = pathlib.Path(__file__).resolve().parents[3]
STACK = pathlib.Path(os.environ.get("STACK_DIR", ROOT / ".stack"))
SHOT = ROOT / "target" / "browser" / "paid-invoice.png"


def stack_env():
    env = {}
    path = STACK / "env"
    if not path.exists():
        sys.exit(f"FAIL: {path} is missing; run scripts/stack up first")
    for line in path.read_text().splitlines():
        line = line.strip()
        if line.startswith("export "):
            line = line[7:]
        if "=" in line and not line.startswith("#"):
            k, v = line.split("=", 1)
            if len(v) >= 2 and v[0] == v[-1] and v[0] in "'\"":
                v = v[1:-1].replace("'\\''", "'")
            env[k] = v
    return env


def cli(*args):
    out = subprocess.run(["php", str(ROOT / "perfex-module/standin/cli.php"), *args], cwd=ROOT,
                         capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"FAIL: standin cli {' '.join(args)}: {out.stdout} {out.stderr}")
    return out.stdout


def parse_json_or_id(text):
    try:
        return json.loads(text)
    except ValueError:
        import re
        m = re.search(r"\b(\d+)\b", text)
        return {"id": int(m.group(1))} if m else {}


def main():
    env = stack_env()
    perfex, sandbox = env["PERFEX_URL"].rstrip("/"), env["SANDBOX_URL"].rstrip("/")
    if "paybridge" not in [m.get("name") for m in json.loads(cli("modules"))]:
        cli("link-module", str(ROOT / "perfex-module/paybridge"))
    cli("activate", "paybridge")
    cli("configure-gateway", "neropay", "active=1", f"secret_key={env['NEROPAY_SECRET_KEY']}", "webhook_secret=",
        f"base_url={env['NEROPAY_BASE_URL']}", "currencies=EUR,GBP,USD")
    invoice_id = int(parse_json_or_id(cli("create-invoice", "--currency", "EUR", "--total", "120.00"))["id"])
    invoice = parse_json_or_id(cli("invoice", str(invoice_id)))
    invoice = invoice.get("invoice", invoice)
    invoice_url = f"{perfex}/invoice/{invoice_id}/{invoice['hash']}"

    chrome = STACK / "chrome"
    for sub in ("home/.config", "home/.cache", "tmp", "profile"):
        (chrome / sub).mkdir(parents=True, exist_ok=True)
    os.environ.update(HOME=str(chrome / "home"), XDG_CONFIG_HOME=str(chrome / "home/.config"),
                      XDG_CACHE_HOME=str(chrome / "home/.cache"), TMPDIR=str(chrome / "tmp"),
                      SE_OFFLINE="true", SE_AVOID_STATS="true")
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900",
              f"--user-data-dir={chrome / 'profile'}"):
        opts.add_argument(a)
    driver = webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver", log_output=os.devnull),
                              options=opts)
    SHOT.parent.mkdir(parents=True, exist_ok=True)
    started = time.time()
    try:
        wait = WebDriverWait(driver, 20)
        driver.get(invoice_url)
        radio = wait.until(EC.presence_of_element_located(
            (By.CSS_SELECTOR, "input[name='paymentmode'][value='neropay'], option[value='neropay']")))
        if radio.tag_name == "option":
            radio.click()
        else:
            driver.execute_script("arguments[0].checked = true; arguments[0].click();", radio)
        form = radio.find_element(By.XPATH, "./ancestor::form")
        submit = form.find_element(By.CSS_SELECTOR, "#pay, button[type='submit'], input[type='submit']")
        submit.click()
        wait.until(lambda d: d.current_url.startswith(sandbox))
        print(f"on checkout: {driver.current_url}")
        wait.until(EC.element_to_be_clickable((By.ID, "pay"))).click()
        wait.until(lambda d: d.current_url.split("#")[0] == invoice_url)
        status = wait.until(EC.presence_of_element_located((By.ID, "invoice-status")))
        driver.save_screenshot(str(SHOT))
        if status.get_attribute("data-status") != "2" or "paid" not in status.text.lower():
            raise AssertionError(f"invoice page shows status {status.get_attribute('data-status')!r} {status.text!r}, not Paid")
        print(f"OK: invoice {invoice_id} shows Paid after {time.time() - started:.1f}s; screenshot {SHOT}")
        return 0
    except Exception as e:  # noqa: BLE001 - any failure fails the test
        try:
            driver.save_screenshot(str(SHOT.with_name("failure.png")))
        except Exception:  # noqa: BLE001
            pass
        print(f"FAIL: {type(e).__name__}: {e}; url={driver.current_url}", file=sys.stderr)
        return 1
    finally:
        driver.quit()


if __name__ == "__main__":
    sys.exit(main())
