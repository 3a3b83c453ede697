#!/usr/bin/env python3
"""Browser test: invoice page -> Pay with NeroPay -> sandbox checkout -> Pay -> back on the invoice showing Paid.

Drives Chromium through browser_lib.py (shared by the browser tests). Saves a screenshot to
target/browser/paid-invoice.png. Exits non-zero on any failure. Run with perfex-module/tests/browser/run.sh.
"""
import json
import sys
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from browser_lib import SHOTS, cli, enable_neropay, run, stack_env

SHOT = SHOTS / "paid-invoice.png"


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
    enable_neropay(env)
    invoice_id = int(parse_json_or_id(cli("create-invoice", "--currency", "EUR", "--total", "120.00"))["id"])
    invoice = parse_json_or_id(cli("invoice", str(invoice_id)))
    invoice = invoice.get("invoice", invoice)
    invoice_url = f"{perfex}/invoice/{invoice_id}/{invoice['hash']}"

    def scenario(driver, wait, started):
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

    return run(scenario, profile="profile", window_size="1280,900", failure_shot="failure.png")


if __name__ == "__main__":
    sys.exit(main())
