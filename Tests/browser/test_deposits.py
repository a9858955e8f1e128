#!/usr/bin/env python3
"""Browser test: deposits in the customer portal.

The demo customer 王芳 signs in, reads the posted rates, deposits ¥10,000 for one year from her
first account, sees the deposit in her list with its maturity, opens it, reads what withdrawing
today would pay, withdraws it all, and turns on the 聚财宝 sweep of the account.
"""

import sys

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

import browser_kit

MOBILE = "13912345678"
PASSWORD = "Rong2026demo"


class DepositFlow(browser_kit.BrowserFlow):
    artifact_prefix = "deposits-failed"

    def run(self):
        with self.step("portal sign-in as 王芳"):
            self.open("/bank/sign-in")
            self.type("mobile", MOBILE)
            self.type("password", PASSWORD)
            self.click("sign-in-submit")
            self.wait_for_path(r"/bank$")

        with self.step("the deposits page shows the posted rates"):
            self.click("nav-deposits")
            self.wait_for_path(r"/bank/deposits$")
            rate = self.driver.find_element(By.CSS_SELECTOR, "#rate-board tr[data-product='time_1y'] td.amount").text
            self.expect(rate == "1.50%", f"1-year rate shows {rate!r}, expected '1.50%'")

        with self.step("deposit ¥10,000 for one year"):
            Select(self.by_id("kind")).select_by_value("time")
            Select(self.by_id("term")).select_by_value("12")
            self.type("amount", "10000")
            self.click("deposit-submit")
            self.wait_for_path(r"/bank/deposits\?notice=depositOpened$")
            rows = self.driver.find_elements(By.CSS_SELECTOR, "#deposits tr.deposit")
            self.expect(len(rows) == 1, f"{len(rows)} deposits listed, expected 1")
            self.expect("¥10,000.00" in rows[0].text, f"deposit row reads {rows[0].text!r}")

        with self.step("open it: the quote for today, then withdraw it all"):
            rows[0].find_element(By.CSS_SELECTOR, "a.deposit-link").click()
            self.wait_for_path(r"/bank/deposits/[0-9a-f-]{36}$")
            self.expect(self.text("principal") == "¥10,000.00", f"principal reads {self.text('principal')!r}")
            self.expect(self.text("quote-interest") == "¥0.00", f"interest today reads {self.text('quote-interest')!r}")
            self.click("withdraw-submit")
            self.wait_for_path(r"/bank/deposits\?notice=depositWithdrawn$")
            status = self.driver.find_element(By.CSS_SELECTOR, "#deposits tr.deposit td[class^='status-']").text
            self.expect(status == "已结清", f"deposit status reads {status!r}, expected 已结清")

        with self.step("turn on the sweep with a ¥50,000 threshold"):
            form = self.driver.find_element(By.CSS_SELECTOR, "#sweeps tr.sweep form.sweep-form")
            field = form.find_element(By.CSS_SELECTOR, "input.threshold")
            field.clear()
            field.send_keys("50000")
            form.find_element(By.CSS_SELECTOR, "button.sweep-submit").click()
            self.wait_for_path(r"/bank/deposits\?notice=sweepSet$")
            row = self.driver.find_element(By.CSS_SELECTOR, "#sweeps tr.sweep")
            self.expect("已开通" in row.text and "¥50,000.00" in row.text, f"sweep row reads {row.text!r}")


if __name__ == "__main__":
    sys.exit(browser_kit.main(DepositFlow, "deposits (rates, a time deposit opened and withdrawn, the sweep)",
                              "Drive the portal's deposit pages in headless Chromium."))
