#!/usr/bin/env python3
"""Customer onboarding in headless Chromium, against a running `rong serve --demo`.

赵敏 registers with an SMS code, binds her Agricultural Bank of China card (bank 103) with a
second code, opens a Class II e-account, funds it with ¥1,234.56 from the card, and sees the
balance and the statement line. Codes are read from the development page /dev/sms, the way a
developer without a phone would. The person is `InterbankSimulator.browserTestZhaoMin`
(Sources/Interbank/Simulator/SimulatorDirectory.swift): the simulated bank knows her card.

On failure: prints the step, saves a screenshot and the page source to --artifacts, exits 1.

    python3 Tests/browser/test_onboarding.py --base http://127.0.0.1:8080 [--artifacts DIR]
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
from selenium.webdriver.support.ui import Select, WebDriverWait

# InterbankSimulator.browserTestZhaoMin
NAME = "赵敏"
ID_NUMBER = "440306199506120024"
MOBILE = "13700000001"
BANK_CODE = "103"
CARD_NUMBER = "6228480012345678903"
PASSWORD = "Rong2026pass"
AMOUNT = "1234.56"
AMOUNT_SHOWN = "¥1,234.56"

WAIT_SECONDS = 15


class StepFailed(Exception):
    pass


class Onboarding:
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

    # Helpers

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

    def latest_code(self, purpose):
        """The 6-digit code in the newest /dev/sms message to MOBILE, read in a second tab."""
        main = self.driver.current_window_handle
        self.driver.switch_to.new_window("tab")
        try:
            self.open("/dev/sms")
            self.by_id("dev-only")
            rows = self.driver.find_elements(By.CSS_SELECTOR, f"tr.sms[data-mobile='{MOBILE}']")
            if not rows:
                raise StepFailed(f"no text message to {MOBILE} on /dev/sms")
            newest = rows[0]
            found_purpose = newest.find_element(By.CSS_SELECTOR, ".sms-purpose").text
            if found_purpose != purpose:
                raise StepFailed(f"newest message to {MOBILE} is {found_purpose!r}, expected {purpose!r}")
            match = re.search(r"\b(\d{6})\b", newest.find_element(By.CSS_SELECTOR, ".sms-body").text)
            if not match:
                raise StepFailed(f"no 6-digit code in {newest.text!r}")
            return match.group(1)
        finally:
            self.driver.close()
            self.driver.switch_to.window(main)

    def save_artifacts(self):
        os.makedirs(self.artifacts, exist_ok=True)
        slug = re.sub(r"[^a-z0-9]+", "-", self.step_name.lower()).strip("-") or "step"
        shot = os.path.join(self.artifacts, f"failed-{slug}.png")
        source = os.path.join(self.artifacts, f"failed-{slug}.html")
        try:
            self.driver.save_screenshot(shot)
            with open(source, "w", encoding="utf-8") as f:
                f.write(f"<!-- {self.driver.current_url} -->\n")
                f.write(self.driver.page_source)
            print(f"  saved {shot} and {source}", file=sys.stderr)
        except WebDriverException as error:
            print(f"  could not save the page: {error}", file=sys.stderr)

    # The flow

    def run(self):
        with self.step("unauthenticated /bank redirects to sign-in"):
            self.open("/bank")
            self.wait_for_path(r"/bank/sign-in$")
            self.by_id("sign-in-submit")

        with self.step("register step 1: mobile, send code"):
            self.open("/bank/register")
            self.type("mobile", MOBILE)
            self.click("send-code")
            self.wait_for_path(r"/bank/register\?.*challenge=")

        with self.step("register step 2: code, name, ID number, password, terms"):
            code = self.latest_code("otp.register")
            self.type("code", code)
            self.type("name", NAME)
            self.type("id_number", ID_NUMBER)
            self.type("password", PASSWORD)
            terms = self.by_id("terms")
            if not terms.is_selected():
                terms.click()
            self.click("register-submit")
            self.wait_for_path(r"/bank(\?|$)")
            name = self.by_id("customer-name").text
            if name != NAME:
                raise StepFailed(f"overview shows {name!r}, expected {NAME!r}")

        with self.step("bind the ABC card (bank 103) with a code"):
            self.click("bind-link")
            self.wait_for_path(r"/bank/bind$")
            Select(self.by_id("bank_code")).select_by_value(BANK_CODE)
            self.type("account_number", CARD_NUMBER)
            self.click("send-code")
            self.wait_for_path(r"/bank/bind\?.*challenge=")
            self.type("code", self.latest_code("otp.bind_card"))
            self.click("bind-submit")
            self.wait_for_path(r"/bank/open")

        with self.step("open a Class II e-account on the bound card"):
            Select(self.by_id("account_class")).select_by_value("II")
            bound = Select(self.by_id("bound_account_id"))
            if not any(CARD_NUMBER[-4:] in option.text for option in bound.options):
                raise StepFailed(f"the bound card is not offered: {[o.text for o in bound.options]}")
            self.click("open-submit")
            self.wait_for_path(r"/bank/accounts/[0-9a-f-]{36}")
            balance = self.by_id("balance").text
            if balance != "¥0.00":
                raise StepFailed(f"a new account shows {balance!r}")

        with self.step(f"fund {AMOUNT} from the bound card"):
            self.type("amount", AMOUNT)
            self.click("fund-submit")
            self.wait_for_path(r"notice=funded")

        with self.step(f"balance {AMOUNT_SHOWN} and a statement line +{AMOUNT_SHOWN}"):
            balance = self.by_id("balance").text
            if balance != AMOUNT_SHOWN:
                raise StepFailed(f"balance shows {balance!r}, expected {AMOUNT_SHOWN!r}{self.form_error()}")
            self.by_id("statement")
            lines = [row.text for row in self.driver.find_elements(By.CSS_SELECTOR, "#statement tr.statement-line")]
            if not any(f"+{AMOUNT_SHOWN}" in line for line in lines):
                raise StepFailed(f"no statement line with +{AMOUNT_SHOWN}: {lines}")

        with self.step("overview lists the account, the card, and switches to English"):
            self.click("nav-overview")
            self.wait_for_path(r"/bank$")
            accounts = self.driver.find_elements(By.CSS_SELECTOR, "#accounts tr.account")
            if len(accounts) != 1 or AMOUNT_SHOWN not in accounts[0].text or "Ⅱ类" not in accounts[0].text:
                raise StepFailed(f"overview accounts: {[a.text for a in accounts]}")
            bound_rows = [row.text for row in self.driver.find_elements(By.CSS_SELECTOR, "#bound-accounts tr.bound-account")]
            if not any(CARD_NUMBER[-4:] in row for row in bound_rows):
                raise StepFailed(f"overview bound cards: {bound_rows}")
            self.click("lang-switch")
            self.wait.until(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en")
            if "Class II" not in self.by_id("accounts").text:
                raise StepFailed("the English overview does not say Class II")

        with self.step("sign out, and /bank asks for a sign-in again"):
            self.click("sign-out")
            self.wait_for_path(r"/bank/sign-in$")
            self.open("/bank")
            self.wait_for_path(r"/bank/sign-in$")

    def close(self):
        with contextlib.suppress(Exception):
            self.driver.quit()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="server address, e.g. http://127.0.0.1:8080")
    parser.add_argument("--artifacts", default=None, help="where to save a screenshot and the page source on failure")
    args = parser.parse_args()
    artifacts = args.artifacts or tempfile.mkdtemp(prefix="rong-browser-")
    started = time.monotonic()
    print(f"browser test: customer onboarding at {args.base}", flush=True)
    try:
        test = Onboarding(args.base, artifacts)
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


if __name__ == "__main__":
    sys.exit(main())
