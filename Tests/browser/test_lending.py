#!/usr/bin/env python3
"""Browser test: a 逸贷 instalment loan in the customer portal.

The demo customer 刘洋 paid ¥3,999.00 at 深圳华强数码专营店 with e-Pay when the demo was seeded,
which brought a 逸贷 offer. He signs in, reads his balance, opens 逸贷 from the navigation, sees
his line and the offer, opens it, previews 6 instalments of 等额本息 (the whole schedule, the
total cost and the APR), accepts, and finds the ¥3,999.00 back in his account and the loan's
six-instalment schedule on its page.
"""

import re
import sys

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

import browser_kit

MOBILE = "13522223333"
PASSWORD = "Rong2026demo"
MERCHANT = "深圳华强数码专营店"
AMOUNT = "¥3,999.00"


def fen(text):
    """`¥246,001.00` as fen."""
    digits = re.sub(r"[^0-9.]", "", text)
    yuan, _, cents = digits.partition(".")
    return int(yuan) * 100 + int((cents + "00")[:2])


class LendingFlow(browser_kit.BrowserFlow):
    artifact_prefix = "lending-failed"

    def balance(self):
        self.open("/bank")
        self.by_id("accounts")
        cells = self.driver.find_elements(By.CSS_SELECTOR, "#accounts tr.account td.amount")
        self.expect(len(cells) >= 1, "no account on the overview")
        return fen(cells[0].text)

    def run(self):
        with self.step("portal sign-in as 刘洋"):
            self.open("/bank/sign-in")
            self.type("mobile", MOBILE)
            self.type("password", PASSWORD)
            self.click("sign-in-submit")
            self.wait_for_path(r"/bank$")
            before = self.balance()

        with self.step("逸贷: the line and the offer for the demo purchase"):
            self.click("nav-loans")
            self.wait_for_path(r"/bank/loans$")
            self.expect(self.text("credit-limit").startswith("¥"), f"limit reads {self.text('credit-limit')!r}")
            rows = [r for r in self.driver.find_elements(By.CSS_SELECTOR, "#offers tr.offer") if MERCHANT in r.text]
            self.expect(len(rows) == 1, f"{len(rows)} offers from {MERCHANT}, expected 1")
            self.expect(AMOUNT in rows[0].text, f"offer row reads {rows[0].text!r}")
            rows[0].find_element(By.CSS_SELECTOR, "a.offer-link").click()
            self.wait_for_path(r"/bank/loans/offers/[0-9a-f-]{36}$")

        with self.step("preview 6 instalments of 等额本息: schedule, total cost, APR"):
            self.expect(self.text("offer-amount") == AMOUNT, f"offer amount reads {self.text('offer-amount')!r}")
            Select(self.by_id("term_months")).select_by_value("6")
            self.click("pricing-equal_instalment")
            self.click("preview-submit")
            self.wait_for_path(r"term_months=6.*pricing=equal_instalment")
            lines = self.driver.find_elements(By.CSS_SELECTOR, "#preview-schedule tr.schedule-line")
            self.expect(len(lines) == 6, f"{len(lines)} schedule lines, expected 6")
            apr = self.text("preview-apr")
            self.expect(re.fullmatch(r"\d+\.\d\d%", apr) is not None, f"APR reads {apr!r}")
            cost = fen(self.text("preview-total-cost"))
            self.expect(0 < cost < fen(AMOUNT), f"total cost reads {self.text('preview-total-cost')!r}")

        with self.step("accept: the money arrives and the loan's schedule is shown"):
            self.click("accept-submit")
            self.wait_for_path(r"/bank/loans/[0-9a-f-]{36}\?notice=loanAccepted$")
            self.expect(self.text("loan-outstanding") == AMOUNT, f"outstanding reads {self.text('loan-outstanding')!r}")
            self.expect(self.text("loan-apr") == apr, f"the loan's APR {self.text('loan-apr')!r} is not the preview's {apr!r}")
            instalments = self.driver.find_elements(By.CSS_SELECTOR, "#schedule tr.instalment")
            self.expect(len(instalments) == 6, f"{len(instalments)} instalments on the loan page, expected 6")
            events = self.driver.find_elements(By.CSS_SELECTOR, "#loan-events tr.event[data-kind='disburse']")
            self.expect(len(events) == 1, "the disbursement is not in the loan's history")
            after = self.balance()
            self.expect(after - before == fen(AMOUNT), f"balance went from {before} to {after} fen, expected +{fen(AMOUNT)}")


if __name__ == "__main__":
    sys.exit(browser_kit.main(LendingFlow, "逸贷 (an offer previewed and accepted, the money back, the schedule)",
                              "Drive the portal's 逸贷 pages in headless Chromium."))
