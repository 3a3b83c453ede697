#!/usr/bin/env python3
"""Browser test (issue 13): staff opens the PayBridge page, refunds part of a paid invoice's NeroPay payment
from the payment's Refund link, confirms; the sandbox shows the refund; Perfex shows a closed credit note
with the refund (admin/credit_notes) and the original payment intact (the invoice page).

Drives Chromium through browser_lib.py (shared by the browser tests). Screenshots:
target/browser/refund-form.png (the confirmation form) and target/browser/refund-credit-note.png (the
credit notes page afterwards). Exits non-zero on any failure. Run with perfex-module/tests/browser/run.sh.
"""
import json
import subprocess
import sys
import time
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from browser_lib import SHOTS, cli, enable_neropay, run, stack_env, staff_login

SHOT = SHOTS / "refund-credit-note.png"
FORM_SHOT = SHOTS / "refund-form.png"


def http_json(url, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method="GET" if body is None else "POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=20) as r:
        return json.loads(r.read().decode() or "null")


def sql(env, query):
    out = subprocess.run(["mysql", f"--socket={env['DB_SOCKET']}", f"-u{env['DB_USER']}", f"-p{env['DB_PASSWORD']}",
                          env["DB_NAME"], "-N", "-B", "-e", query], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"FAIL: mysql: {out.stderr}")
    return [line.split("\t") for line in out.stdout.splitlines() if line]


def main():
    env = stack_env()
    perfex, sandbox = env["PERFEX_URL"].rstrip("/"), env["SANDBOX_URL"].rstrip("/")
    enable_neropay(env, "refund_bookkeeping=credit_note")
    invoice = json.loads(cli("create-invoice", "--currency", "EUR", "--total", "120.00"))
    invoice_id = int(invoice["id"])
    invoice_url = f"{perfex}/invoice/{invoice_id}/{invoice['hash']}"

    def scenario(driver, wait, started):
        # The customer pays the invoice (hosted checkout), so the module records the payment.
        driver.get(invoice_url)
        radio = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "input[name='paymentmode'][value='neropay']")))
        driver.execute_script("arguments[0].checked = true; arguments[0].click();", radio)
        radio.find_element(By.XPATH, "./ancestor::form").find_element(By.ID, "pay").click()
        wait.until(lambda d: d.current_url.startswith(sandbox))
        wait.until(EC.element_to_be_clickable((By.ID, "pay"))).click()
        wait.until(lambda d: d.current_url.split("#")[0] == invoice_url)
        status = wait.until(EC.presence_of_element_located((By.ID, "invoice-status")))
        if status.get_attribute("data-status") != "2":
            raise AssertionError(f"invoice not paid: {status.text!r}")
        payment_id, provider_payment_id = sql(env, "SELECT id, provider_payment_id FROM tblpaybridge_payments WHERE invoice_id = "
                                              f"{invoice_id} ORDER BY id DESC LIMIT 1")[0]
        record_before = sql(env, f"SELECT id, amount, paymentmode, transactionid, date, note FROM tblinvoicepaymentrecords WHERE invoiceid = {invoice_id}")

        # Staff: PayBridge page -> the payment's Refund link -> confirmation form -> 45.00 -> confirm.
        staff_login(driver, wait, perfex, env)
        driver.get(f"{perfex}/admin/paybridge")
        link = wait.until(EC.element_to_be_clickable(
            (By.CSS_SELECTOR, f"tr[data-payment-id='{payment_id}'] a.paybridge-refund-link")))
        link.click()
        amount = wait.until(EC.presence_of_element_located((By.ID, "paybridge-refund-amount")))
        if amount.get_attribute("value") != "120.00":
            raise AssertionError(f"refund amount defaults to {amount.get_attribute('value')!r}, not 120.00")
        amount.clear()
        amount.send_keys("45.00")
        driver.find_element(By.ID, "paybridge-refund-reason").send_keys("Two items returned")
        driver.save_screenshot(str(FORM_SHOT))
        driver.find_element(By.ID, "paybridge-refund-confirm").click()
        alert = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#alert-success, #alert-danger, #alert-warning")))
        if alert.get_attribute("id") != "alert-success":
            raise AssertionError(f"refund alert: {alert.text!r}")
        print(f"refund confirmed: {alert.text}")

        # The sandbox shows the refund (contract 2/3: the payment's refunds).
        state = http_json(f"{sandbox}/_control/neropay/payments/{provider_payment_id}")
        text = json.dumps(state)
        if "refund" not in text or ("45.00" not in text and "4500" not in text):
            raise AssertionError(f"sandbox state shows no 45.00 refund: {text[:800]}")

        # Perfex: a closed credit note with the refund, the original payment intact.
        driver.get(f"{perfex}/admin/credit_notes")
        line = f"Refund of payment #{record_before[0][0]} ("
        row = wait.until(lambda d: next((r for r in d.find_elements(By.CSS_SELECTOR, "#credit-notes-table tr.credit-note")
                                         if line in r.find_element(By.CSS_SELECTOR, "td.lines").text), None))
        # Newest first: the page top shows the heading and this credit note.
        driver.execute_script("arguments[0].style.outline = '3px solid #16a34a'; window.scrollTo(0, 0);", row)
        driver.save_screenshot(str(SHOT))
        refunds = row.find_elements(By.CSS_SELECTOR, "tr.credit-note-refund")
        if row.get_attribute("data-status") != "2" or row.get_attribute("data-total") != "45.00":
            raise AssertionError(f"credit note status {row.get_attribute('data-status')!r} total {row.get_attribute('data-total')!r}")
        if len(refunds) != 1 or refunds[0].get_attribute("data-amount") != "45.00" or refunds[0].get_attribute("data-payment-mode") != "neropay":
            raise AssertionError(f"credit note refunds: {[r.text for r in refunds]}")
        record_after = sql(env, f"SELECT id, amount, paymentmode, transactionid, date, note FROM tblinvoicepaymentrecords WHERE invoiceid = {invoice_id}")
        if record_after != record_before:
            raise AssertionError(f"payment record changed: {record_before} -> {record_after}")
        driver.get(invoice_url)
        payments = driver.find_elements(By.CSS_SELECTOR, "#payments-table tr.payment")
        if len(payments) != 1 or payments[0].get_attribute("data-amount") != "120.00":
            raise AssertionError(f"invoice page payments: {[p.text for p in payments]}")
        print(f"OK: partial refund of invoice {invoice_id} booked as a closed credit note after {time.time() - started:.1f}s; "
              f"screenshots {FORM_SHOT}, {SHOT}")

    return run(scenario, profile="profile-refund", window_size="1280,1000", failure_shot="refund-failure.png")


if __name__ == "__main__":
    sys.exit(main())
