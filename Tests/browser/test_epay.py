#!/usr/bin/env python3
"""e-Pay end to end in headless Chromium, against a running `rong serve --demo`.

The demo operator signs in to the console, reads the demo customer 张伟's Class II e-account
number, and onboards a merchant with a dashboard contact (the API key and signing secret are
shown once). The merchant's contact signs in to the merchant dashboard and creates a test order
of ¥88.00; its pay link is opened and paid as 张伟 (reserved mobile + last six digits of the
account, then the SMS code read from /dev/sms): 支付成功. Back on the dashboard the merchant
refunds ¥8.00 and sees the refund succeeded, and the webhooks page lists both events.

On failure: prints the step, saves a screenshot and the page source to --artifacts, exits 1.

    python3 Tests/browser/test_epay.py --base http://127.0.0.1:8080 [--artifacts DIR]
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

# Sources/RongServer/Platform/DemoSeed.swift
OPERATOR_MOBILE = "13800000001"
OPERATOR_PASSWORD = "Oper2026rong"
PAYER_NAME = "张伟"
PAYER_MOBILE = "13800138000"

# A new merchant each run (the same server may be tested twice).
RUN = int(time.time())
MERCHANT_NAME = f"龙井茶社{RUN % 10000:04d}"
CONTACT_MOBILE = f"139{RUN % 10**8:08d}"
CONTACT_PASSWORD = "Shop2026test"
NOTIFY_URL = "http://127.0.0.1:9/rong-browser-notify"

ORDER_AMOUNT = "88.00"
ORDER_SHOWN = "¥88.00"
REFUND_AMOUNT = "8.00"
REFUND_SHOWN = "¥8.00"

WAIT_SECONDS = 15

# GB 32100-2015: the unified social credit code's check character (CreditCode.checkCharacter).
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def credit_code(first17):
    total = sum(CREDIT_ALPHABET.index(char) * weight for char, weight in zip(first17, CREDIT_WEIGHTS))
    return first17 + CREDIT_ALPHABET[(31 - total % 31) % 31]


LICENCE = credit_code(f"91330106MA{RUN % 10**6:06d}1")


class StepFailed(Exception):
    pass


class EPay:
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
        shot = os.path.join(self.artifacts, f"epay-failed-{slug}.png")
        source = os.path.join(self.artifacts, f"epay-failed-{slug}.html")
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
        with self.step("console sign-in as the demo operator"):
            self.open("/console/sign-in")
            self.type("mobile", OPERATOR_MOBILE)
            self.type("password", OPERATOR_PASSWORD)
            self.click("sign-in-submit")
            self.wait_for_path(r"/console$")

        with self.step(f"read {PAYER_NAME}'s Class II e-account number on the console"):
            self.open(f"/console?q={PAYER_MOBILE}")
            self.wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "a.customer-link"))
            self.driver.find_element(By.CSS_SELECTOR, "a.customer-link").click()
            self.wait_for_path(r"/console/customers/")
            self.expect(self.text("customer-name") == PAYER_NAME, f"customer page shows {self.text('customer-name')!r}")
            numbers = []
            for account in self.driver.find_elements(By.CSS_SELECTOR, "div.account"):
                if "Ⅱ类" in account.text:
                    numbers.append(account.find_element(By.CSS_SELECTOR, "td.mono").text.replace(" ", ""))
            self.expect(len(numbers) == 1 and numbers[0].isdigit(), f"Class II accounts found: {numbers}")
            self.last6 = numbers[0][-6:]

        with self.step("onboard a merchant with a dashboard contact; the keys are shown once"):
            self.click("nav-merchants")
            self.wait_for_path(r"/console/merchants$")
            self.type("name", MERCHANT_NAME)
            self.type("licence_number", LICENCE)
            self.type("notify_url", NOTIFY_URL)
            self.type("contact_mobile", CONTACT_MOBILE)
            self.type("contact_password", CONTACT_PASSWORD)
            self.click("onboard-submit")
            self.by_id("credentials-warning")
            api_key = self.by_id("api-key").get_attribute("value")
            secret = self.by_id("signing-secret").get_attribute("value")
            self.expect(api_key.startswith("mk_") and secret.startswith("whsec_"), f"credentials shown: {api_key[:6]}…, {secret[:8]}…")
            self.expect(self.text("created-name") == MERCHANT_NAME, "the result names another merchant")
            self.click("back-link")
            self.wait_for_path(r"/console/merchants$")
            listed = [cell.text for cell in self.driver.find_elements(By.CSS_SELECTOR, "#merchants td.merchant-name")]
            self.expect(MERCHANT_NAME in listed, f"merchant list: {listed}")
            self.expect(api_key not in self.driver.page_source, "the API key is shown again on the list")

        with self.step("sign out of the console, sign in to the merchant dashboard"):
            self.click("sign-out")
            self.wait_for_path(r"/console/sign-in$")
            self.open("/merchant")
            self.wait_for_path(r"/merchant/sign-in$")
            self.type("mobile", CONTACT_MOBILE)
            self.type("password", CONTACT_PASSWORD)
            self.click("sign-in-submit")
            self.wait_for_path(r"/merchant$")
            self.expect(self.text("merchant-name") == MERCHANT_NAME, f"dashboard shows {self.text('merchant-name')!r}")
            self.by_id("no-orders")

        with self.step(f"create a test order of {ORDER_SHOWN}"):
            self.order_number = self.by_id("order_number").get_attribute("value")
            self.expect(bool(re.fullmatch(r"T\d{14}[0-9a-f]{6}", self.order_number)), f"pre-filled order number {self.order_number!r}")
            self.type("amount", ORDER_AMOUNT)
            self.type("description", "西湖龙井 50g")
            self.click("order-submit")
            self.wait_for_path(r"/merchant/orders/[0-9a-f-]{36}\?notice=order_created")
            self.order_path = re.search(r"/merchant/orders/[0-9a-f-]{36}", self.driver.current_url).group(0)
            self.expect(self.text("order-amount") == ORDER_SHOWN, f"order amount {self.text('order-amount')!r}")
            self.pay_href = self.by_id("pay-link").get_attribute("href")
            self.expect(re.search(r"/pay/[0-9a-f-]{36}$", self.pay_href) is not None, f"pay link {self.pay_href!r}")

        with self.step("open the pay link: merchant, amount, time left"):
            self.driver.get(self.pay_href)
            self.expect(self.text("merchant-name") == MERCHANT_NAME, f"pay page merchant {self.text('merchant-name')!r}")
            self.expect(self.text("order-amount") == ORDER_SHOWN, f"pay page amount {self.text('order-amount')!r}")
            self.expect(self.text("time-left").startswith("剩余"), f"time left {self.text('time-left')!r}")

        with self.step(f"pay as {PAYER_NAME}: reserved mobile + last six digits, then the SMS code"):
            self.type("mobile", PAYER_MOBILE)
            self.type("account_last6", self.last6)
            self.click("send-code")
            self.wait_for_path(r"/pay/[0-9a-f-]{36}\?challenge=")
            self.type("code", self.latest_code(PAYER_MOBILE, "otp.payment"))
            self.click("pay-submit")
            self.wait_for_path(r"/pay/[0-9a-f-]{36}$")
            result = self.text("pay-result")
            self.expect("支付成功" in result and ORDER_SHOWN in result and MERCHANT_NAME in result, f"pay result: {result!r}")

        with self.step(f"refund {REFUND_SHOWN} from the dashboard"):
            self.open(self.order_path)
            self.expect(self.by_id("order-status").get_attribute("data-status") == "paid", f"order status {self.text('order-status')!r}")
            refund_number = self.by_id("refund_number").get_attribute("value")
            self.expect(refund_number.startswith("R"), f"pre-filled refund number {refund_number!r}")
            self.type("refund-amount", REFUND_AMOUNT)
            self.type("reason", "少发一包")
            self.click("refund-submit")
            self.wait_for_path(r"notice=refunded")
            rows = self.driver.find_elements(By.CSS_SELECTOR, f"#refunds tr.refund[data-number='{refund_number}']")
            self.expect(len(rows) == 1, f"refund rows: {[r.text for r in self.driver.find_elements(By.CSS_SELECTOR, '#refunds tr.refund')]}")
            self.expect(rows[0].get_attribute("data-status") == "succeeded" and "退款成功" in rows[0].text and REFUND_SHOWN in rows[0].text,
                        f"refund row: {rows[0].text!r}")
            self.expect(self.text("refundable") == "¥80.00", f"refundable {self.text('refundable')!r}")

        with self.step("the orders list and the webhooks page"):
            self.click("nav-orders")
            self.wait_for_path(r"/merchant$")
            orders = self.driver.find_elements(By.CSS_SELECTOR, f"#orders tr.order[data-number='{self.order_number}']")
            self.expect(len(orders) == 1 and orders[0].get_attribute("data-status") == "partially_refunded",
                        f"orders: {[o.text for o in self.driver.find_elements(By.CSS_SELECTOR, '#orders tr.order')]}")
            self.click("nav-webhooks")
            self.wait_for_path(r"/merchant/webhooks$")
            events = [cell.text for cell in self.driver.find_elements(By.CSS_SELECTOR, "#webhooks tr.webhook a.webhook-link")]
            self.expect("order.paid" in events and "refund.succeeded" in events, f"webhooks: {events}")

        with self.step("the paid pay page, in English"):
            self.driver.get(self.pay_href + "?lang=en")
            self.wait.until(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en")
            self.expect("Payment successful" in self.text("pay-result"), f"English result: {self.text('pay-result')!r}")

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
    print(f"browser test: e-Pay (console onboarding, merchant dashboard, pay page, refund) at {args.base}", flush=True)
    try:
        test = EPay(args.base, artifacts)
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
