#!/usr/bin/env python3
"""Browser test (issue 11 item 6): the PayBridge admin page served by the php-fpm pool WITHOUT the extension
(PERFEX_URL_NOEXT, scripts/lib/stack-common.sh) shows the System section saying what to install on this
server. Saves target/browser/admin-extension-missing.png. Exits non-zero on any failure.
Run with perfex-module/tests/browser/run.sh (after pay_invoice.py).
"""
import re
import sys
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from browser_lib import ROOT, SHOTS, run, stack_env, staff_login

SHOT = SHOTS / "admin-extension-missing.png"


def cargo_version():
    toml = (ROOT / "Cargo.toml").read_text()
    m = re.search(r'^\[package\][^\[]*?^version\s*=\s*"([^"]+)"', toml, re.M | re.S)
    if not m:
        sys.exit("FAIL: no [package] version in Cargo.toml")
    return m.group(1)


def main():
    env = stack_env()
    base = env.get("PERFEX_URL_NOEXT", "").rstrip("/")
    if not base:
        sys.exit("FAIL: .stack/env has no PERFEX_URL_NOEXT; run scripts/stack up")

    def scenario(driver, wait, started):
        staff_login(driver, wait, base, env)
        driver.get(f"{base}/admin/paybridge")
        section = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#paybridge-system .paybridge-system")))
        # The page's heading, the missing-extension alert and the whole System section fit the window.
        driver.execute_script("window.scrollTo(0, 0);")
        driver.save_screenshot(str(SHOT))
        if section.get_attribute("data-status") != "missing":
            raise AssertionError(f"System section status {section.get_attribute('data-status')!r}, not 'missing'")
        facts = {row.get_attribute("data-fact"): row.find_element(By.TAG_NAME, "td").text
                 for row in section.find_elements(By.CSS_SELECTOR, "tr[data-fact]")}
        minor = ".".join(facts.get("php_version", "").split(" ")[0].split(".")[:2])
        deb = f"php{minor}-paybridge_{cargo_version()}_amd64.deb"
        shown = section.find_element(By.CSS_SELECTOR, "code.paybridge-deb").text
        if facts.get("extension_loaded") != "no" or shown != deb:
            raise AssertionError(f"System section says loaded={facts.get('extension_loaded')!r}, package {shown!r} (want {deb!r})")
        if not section.find_element(By.CSS_SELECTOR, "code.paybridge-extension-dir").is_displayed():
            raise AssertionError("the extension dir is not shown")
        print(f"OK: admin page without the extension names {deb} after {time.time() - started:.1f}s; screenshot {SHOT}")

    return run(scenario, profile="profile-admin", window_size="1280,1200",
               failure_shot="admin-extension-missing-failure.png")


if __name__ == "__main__":
    sys.exit(main())
