#!/usr/bin/env python3
"""Browser test (issue 11 item 6): the PayBridge admin page served by the php-fpm pool WITHOUT the extension
(PERFEX_URL_NOEXT, scripts/lib/stack-common.sh) shows the System section saying what to install on this
server. Saves target/browser/admin-extension-missing.png. Exits non-zero on any failure.
Run with perfex-module/tests/browser/run.sh (after pay_invoice.py).
"""
import os
import re
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from pay_invoice import ROOT, STACK, stack_env

SHOT = ROOT / "target" / "browser" / "admin-extension-missing.png"


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
    chrome = STACK / "chrome"
    for sub in ("home/.config", "home/.cache", "tmp", "profile-admin"):
        (chrome / sub).mkdir(parents=True, exist_ok=True)
    os.environ.update(HOME=str(chrome / "home"), XDG_CONFIG_HOME=str(chrome / "home/.config"),
                      XDG_CACHE_HOME=str(chrome / "home/.cache"), TMPDIR=str(chrome / "tmp"),
                      SE_OFFLINE="true", SE_AVOID_STATS="true")
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1200",
              f"--user-data-dir={chrome / 'profile-admin'}"):
        opts.add_argument(a)
    driver = webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver", log_output=os.devnull),
                              options=opts)
    SHOT.parent.mkdir(parents=True, exist_ok=True)
    started = time.time()
    try:
        wait = WebDriverWait(driver, 20)
        driver.get(f"{base}/admin/authentication")
        wait.until(EC.presence_of_element_located((By.ID, "email"))).send_keys(env["ADMIN_EMAIL"])
        driver.find_element(By.ID, "password").send_keys(env["ADMIN_PASSWORD"])
        driver.find_element(By.ID, "login").click()
        wait.until(lambda d: "authentication" not in d.current_url)
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
        return 0
    except Exception as e:  # noqa: BLE001 - any failure fails the test
        try:
            driver.save_screenshot(str(SHOT.with_name("admin-extension-missing-failure.png")))
        except Exception:  # noqa: BLE001
            pass
        print(f"FAIL: {type(e).__name__}: {e}; url={driver.current_url}", file=sys.stderr)
        return 1
    finally:
        driver.quit()


if __name__ == "__main__":
    sys.exit(main())
