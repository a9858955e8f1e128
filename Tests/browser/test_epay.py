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

import re
import sys
import time

from browser_kit import BrowserFlow, StepFailed, main
from selenium.webdriver.common.by import By

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


# GB 32100-2015: the unified social credit code's check character (CreditCode.checkCharacter).
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def credit_code(first17):
    total = sum(CREDIT_ALPHABET.index(char) * weight for char, weight in zip(first17, CREDIT_WEIGHTS))
    return first17 + CREDIT_ALPHABET[(31 - total % 31) % 31]


LICENCE = credit_code(f"91330106MA{RUN % 10**6:06d}1")


class EPay(BrowserFlow):
    artifact_prefix = "epay-failed"

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


if __name__ == "__main__":
    sys.exit(main(EPay, "e-Pay (console onboarding, merchant dashboard, pay page, refund)", __doc__.splitlines()[0]))
