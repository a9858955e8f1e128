#!/usr/bin/env python3
"""Browser test: wealth products in the customer portal.

The demo customer 张伟 (risk profile C3) signs in, opens the product list, sees the R2 NAV product
RW001 marked suitable and the R4 product RG001 marked above his level, opens RW001, buys ¥1,000
from his first account, and finds the order on the holdings page; the R4 product refuses him with
both levels named.
"""

import sys

from selenium.webdriver.common.by import By

import browser_kit

MOBILE = "13800138000"
PASSWORD = "Rong2026demo"


class WealthFlow(browser_kit.BrowserFlow):
    artifact_prefix = "wealth-failed"

    def row(self, code):
        rows = self.driver.find_elements(By.CSS_SELECTOR, f"#products tr.product[data-code='{code}']")
        self.expect(len(rows) == 1, f"product {code} listed {len(rows)} times")
        return rows[0]

    def run(self):
        with self.step("portal sign-in as 张伟"):
            self.open("/bank/sign-in")
            self.type("mobile", MOBILE)
            self.type("password", PASSWORD)
            self.click("sign-in-submit")
            self.wait_for_path(r"/bank$")

        with self.step("the product list: risk badges and the suitability of each"):
            self.click("nav-products")
            self.wait_for_path(r"/bank/products$")
            self.expect(self.text("customer-level") == "C3", f"level reads {self.text('customer-level')!r}")
            steady = self.row("RW001")
            self.expect("R2" in steady.find_element(By.CSS_SELECTOR, ".risk").text, "RW001 is not badged R2")
            self.expect("ok" in steady.find_element(By.CSS_SELECTOR, ".suitability-badge").get_attribute("class"), "RW001 not marked suitable")
            growth = self.row("RG001")
            self.expect("no" in growth.find_element(By.CSS_SELECTOR, ".suitability-badge").get_attribute("class"), "RG001 not marked above the level")

        with self.step("buy ¥1,000 of RW001"):
            steady.find_element(By.CSS_SELECTOR, "a.product-link").click()
            self.wait_for_path(r"/bank/products/[0-9a-f-]{36}$")
            self.expect("ok" in self.by_id("suitability").get_attribute("class"), f"suitability reads {self.text('suitability')!r}")
            self.type("buy-amount", "1000")
            self.click("buy-submit")
            self.wait_for_path(r"/bank/holdings\?notice=subscribed$")
            orders = self.driver.find_elements(By.CSS_SELECTOR, "#orders tbody tr")
            self.expect(any("1,000.00" in o.text for o in orders), "the ¥1,000.00 order is not on the holdings page")

        with self.step("the R4 product refuses a C3 customer, naming both levels"):
            self.click("nav-products")
            self.wait_for_path(r"/bank/products")
            self.row("RG001").find_element(By.CSS_SELECTOR, "a.product-link").click()
            self.wait_for_path(r"/bank/products/[0-9a-f-]{36}$")
            text = self.text("suitability")
            self.expect("C3" in text and "R4" in text, f"suitability reads {text!r}")


if __name__ == "__main__":
    sys.exit(browser_kit.main(WealthFlow, "wealth products (risk badges, suitability, a subscription)",
                              "Drive the portal's wealth product pages in headless Chromium."))
