"""What every Rong browser test shares: headless Chromium, named steps, waits, reading SMS codes
from the development page /dev/sms, and saving a screenshot and the page source on failure.

A test subclasses `BrowserFlow`, writes `run()` as a sequence of `with self.step(...)` blocks,
and ends its file with `sys.exit(browser_kit.main(MyFlow, "what it checks"))`.
"""

import argparse
import contextlib
import os
import re
import sys
import tempfile
import time

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

WAIT_SECONDS = 15


class StepFailed(Exception):
    pass


class BrowserFlow:
    #: Prefix of the files saved when a step fails.
    artifact_prefix = "failed"

    def __init__(self, base, artifacts):
        self.base = base.rstrip("/")
        self.artifacts = artifacts
        self.step_name = "start"
        options = webdriver.ChromeOptions()
        for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=zh-CN"):
            options.add_argument(flag)
        for binary in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
            if os.path.exists(binary):
                options.binary_location = binary
                break
        driver_path = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
        self.driver = webdriver.Chrome(service=Service(driver_path), options=options)
        self.driver.set_page_load_timeout(30)
        self.wait = WebDriverWait(self.driver, WAIT_SECONDS)

    @contextlib.contextmanager
    def step(self, name):
        self.step_name = name
        started = time.monotonic()
        print(f"  - {name} …", flush=True)
        yield
        print(f"    ok ({time.monotonic() - started:.1f}s)", flush=True)

    def open(self, path):
        self.driver.get(self.base + path)

    def by_id(self, element_id):
        return self.wait.until(EC.presence_of_element_located((By.ID, element_id)))

    def text(self, element_id):
        return self.by_id(element_id).text.strip()

    def type(self, element_id, text):
        field = self.by_id(element_id)
        field.clear()
        field.send_keys(text)

    def click(self, element_id):
        self.wait.until(EC.element_to_be_clickable((By.ID, element_id))).click()

    def wait_for_path(self, pattern):
        try:
            self.wait.until(lambda d: re.search(pattern, d.current_url))
        except Exception:
            raise StepFailed(f"expected a page matching {pattern!r}, still at {self.driver.current_url}{self.form_error()}")

    def form_error(self):
        errors = self.driver.find_elements(By.CSS_SELECTOR, ".error")
        return f" — page says: {errors[0].text}" if errors else ""

    def expect(self, condition, message):
        if not condition:
            raise StepFailed(message + self.form_error())

    def latest_code(self, mobile, purpose):
        """The 6-digit code in the newest /dev/sms message to `mobile`, read in a second tab."""
        main = self.driver.current_window_handle
        self.driver.switch_to.new_window("tab")
        try:
            self.open("/dev/sms")
            self.by_id("dev-only")
            rows = self.driver.find_elements(By.CSS_SELECTOR, f"tr.sms[data-mobile='{mobile}']")
            if not rows:
                raise StepFailed(f"no text message to {mobile} on /dev/sms")
            newest = rows[0]
            found_purpose = newest.find_element(By.CSS_SELECTOR, ".sms-purpose").text
            if found_purpose != purpose:
                raise StepFailed(f"newest message to {mobile} is {found_purpose!r}, expected {purpose!r}")
            body = newest.find_element(By.CSS_SELECTOR, ".sms-body").text
            match = re.search(r"(?<!\d)(\d{6})(?!\d)", body)
            if not match:
                raise StepFailed(f"no 6-digit code in {body!r}")
            return match.group(1)
        finally:
            self.driver.close()
            self.driver.switch_to.window(main)

    def save_artifacts(self):
        os.makedirs(self.artifacts, exist_ok=True)
        slug = re.sub(r"[^a-z0-9]+", "-", self.step_name.lower()).strip("-") or "step"
        shot = os.path.join(self.artifacts, f"{self.artifact_prefix}-{slug}.png")
        source = os.path.join(self.artifacts, f"{self.artifact_prefix}-{slug}.html")
        try:
            self.driver.save_screenshot(shot)
            with open(source, "w", encoding="utf-8") as f:
                f.write(f"<!-- {self.driver.current_url} -->\n")
                f.write(self.driver.page_source)
            print(f"  saved {shot} and {source}", file=sys.stderr)
        except WebDriverException as error:
            print(f"  could not save the page: {error}", file=sys.stderr)

    def close(self):
        with contextlib.suppress(Exception):
            self.driver.quit()


def main(flow_class, what, description):
    """Parses --base/--artifacts, runs the flow, reports the failing step; returns the exit code."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--base", required=True, help="server address, e.g. http://127.0.0.1:8080")
    parser.add_argument("--artifacts", default=None, help="where to save a screenshot and the page source on failure")
    args = parser.parse_args()
    artifacts = args.artifacts or tempfile.mkdtemp(prefix="rong-browser-")
    started = time.monotonic()
    print(f"browser test: {what} at {args.base}", flush=True)
    try:
        test = flow_class(args.base, artifacts)
    except WebDriverException as error:
        print(f"browser test FAILED: could not start Chromium: {error.msg}", file=sys.stderr)
        return 1
    try:
        test.run()
    except Exception as error:  # noqa: BLE001 — every failure is reported with its step
        print(f"browser test FAILED at step '{test.step_name}': {type(error).__name__}: {error}", file=sys.stderr)
        test.save_artifacts()
        return 1
    finally:
        test.close()
    print(f"browser test passed ({time.monotonic() - started:.1f}s)", flush=True)
    return 0
