#!/usr/bin/env python3
"""Browser test (issue 13 item 6): staff open the PayBridge admin page (PERFEX_URL, the pool WITH the
extension), see the summary, filter the attempts by status with the page's own form, and open a payment's
timeline from its row. Saves target/browser/admin-paybridge.png and admin-paybridge-timeline.png.
Exits non-zero on any failure. Run with perfex-module/tests/browser/run.sh (after pay_invoice.py, whose
paid invoice gives the list at least one paid attempt).
"""
import sys
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from browser_lib import SHOTS, run, stack_env, staff_login

SHOT = SHOTS / "admin-paybridge.png"
TIMELINE_SHOT = SHOTS / "admin-paybridge-timeline.png"


def main():
    env = stack_env()
    base = env["PERFEX_URL"].rstrip("/")

    def scenario(driver, wait, started):
        staff_login(driver, wait, base, env)

        # The sidebar entry leads to the page.
        driver.get(f"{base}/admin/dashboard")
        wait.until(EC.element_to_be_clickable((By.ID, "menu-paybridge"))).click()
        wait.until(EC.presence_of_element_located((By.ID, "paybridge-summary")))
        for count in ("open", "rejected", "overpaid", "pending-refunds"):
            text = driver.find_element(By.ID, f"paybridge-count-{count}").text.strip()
            if not text:
                raise AssertionError(f"summary count {count} is empty")
        health = driver.find_elements(By.CSS_SELECTOR, "#paybridge-webhook-health tr[data-webhook-health]")
        if sorted(r.get_attribute("data-webhook-health") for r in health) != ["neropay", "noxipay", "payrexx"]:
            raise AssertionError("webhook health does not list the three providers")

        # Filter with the page's own form: only paid attempts.
        Select(driver.find_element(By.ID, "pb-status")).select_by_value("paid")
        driver.find_element(By.CSS_SELECTOR, "#paybridge-filters button[type=submit]").click()
        wait.until(lambda d: "status=paid" in d.current_url)
        rows = driver.find_elements(By.CSS_SELECTOR, "#paybridge-attempts tr[data-payment-id]")
        if not rows:
            raise AssertionError("no paid attempt listed (pay_invoice.py pays one first)")
        statuses = {r.find_element(By.CSS_SELECTOR, "td.status").text.split(" ")[0] for r in rows}
        if statuses != {"paid"}:
            raise AssertionError(f"the status filter let through {statuses}")
        if len(rows) > 50:
            raise AssertionError(f"{len(rows)} rows on one page")
        driver.execute_script("window.scrollTo(0, 0);")
        driver.save_screenshot(str(SHOT))

        # The row's timeline link opens the payment's events in order, with its recorded payment.
        payment_id = rows[0].get_attribute("data-payment-id")
        rows[0].find_element(By.CSS_SELECTOR, "a.paybridge-timeline-link").click()
        page = wait.until(EC.presence_of_element_located((By.ID, "paybridge-payment")))
        if page.get_attribute("data-payment-id") != payment_id:
            raise AssertionError(f"timeline of {page.get_attribute('data-payment-id')}, not {payment_id}")
        events = driver.find_elements(By.CSS_SELECTOR, "#paybridge-timeline tr[data-timeline-event]")
        ids = [int(e.get_attribute("data-timeline-event")) for e in events]
        if not ids or ids != sorted(ids):
            raise AssertionError(f"timeline events {ids} missing or out of order")
        driver.find_element(By.CSS_SELECTOR, "#paybridge-recorded .recorded")
        driver.execute_script("window.scrollTo(0, 0);")
        driver.save_screenshot(str(TIMELINE_SHOT))
        print(f"OK: admin page filtered to {len(rows)} paid attempts, timeline of #{payment_id} with {len(ids)} events "
              f"after {time.time() - started:.1f}s; screenshots {SHOT}, {TIMELINE_SHOT}")

    return run(scenario, profile="profile-admin-tool", window_size="1400,1400", failure_shot="admin-paybridge-failure.png")


if __name__ == "__main__":
    sys.exit(main())
