"""What the browser tests in this folder share: the stack's env, the stand-in CLI, a headless Chromium,
the staff login, and the run-one-scenario frame (failure screenshot, FAIL line, exit status).

Drives Debian's /usr/bin/chromium through /usr/bin/chromedriver (stack-notes.md §6). Each test is run as
a script by run.sh, so this file is found next to it on sys.path.
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
SHOTS = ROOT / "target" / "browser"


def stack_env():
    """The variables scripts/stack up writes to .stack/env (shell syntax, optionally single-quoted)."""
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


def enable_neropay(env, *options):
    """Links and activates the module and turns the NeroPay gateway on against the sandbox; `options` are
    extra `key=value` gateway settings."""
    if "paybridge" not in [m.get("name") for m in json.loads(cli("modules"))]:
        cli("link-module", str(ROOT / "perfex-module/paybridge"))
    cli("activate", "paybridge")
    cli("configure-gateway", "neropay", "active=1", f"secret_key={env['NEROPAY_SECRET_KEY']}", "webhook_secret=",
        f"base_url={env['NEROPAY_BASE_URL']}", "currencies=EUR,GBP,USD", *options)


def start_chrome(profile, window_size):
    """A headless Chromium whose home, caches and profile live under .stack/chrome (nothing outside the
    stack dir is written); Selenium Manager is kept offline."""
    chrome = STACK / "chrome"
    for sub in ("home/.config", "home/.cache", "tmp", profile):
        (chrome / sub).mkdir(parents=True, exist_ok=True)
    os.environ.update(HOME=str(chrome / "home"), XDG_CONFIG_HOME=str(chrome / "home/.config"),
                      XDG_CACHE_HOME=str(chrome / "home/.cache"), TMPDIR=str(chrome / "tmp"),
                      SE_OFFLINE="true", SE_AVOID_STATS="true")
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={window_size}",
              f"--user-data-dir={chrome / profile}"):
        opts.add_argument(a)
    return webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver", log_output=os.devnull),
                            options=opts)


def staff_login(driver, wait, base, env):
    driver.get(f"{base}/admin/authentication")
    wait.until(EC.presence_of_element_located((By.ID, "email"))).send_keys(env["ADMIN_EMAIL"])
    driver.find_element(By.ID, "password").send_keys(env["ADMIN_PASSWORD"])
    driver.find_element(By.ID, "login").click()
    wait.until(lambda d: "authentication" not in d.current_url)


def run(scenario, *, profile, window_size, failure_shot):
    """Starts Chromium and runs scenario(driver, wait, started); returns the exit status: 0 when it
    returns, 1 (with a screenshot at SHOTS/failure_shot and a FAIL line on stderr) when anything raises."""
    driver = start_chrome(profile, window_size)
    SHOTS.mkdir(parents=True, exist_ok=True)
    started = time.time()
    try:
        scenario(driver, WebDriverWait(driver, 20), started)
        return 0
    except Exception as e:  # noqa: BLE001 - any failure fails the test
        try:
            driver.save_screenshot(str(SHOTS / failure_shot))
        except Exception:  # noqa: BLE001
            pass
        print(f"FAIL: {type(e).__name__}: {e}; url={driver.current_url}", file=sys.stderr)
        return 1
    finally:
        driver.quit()
