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

import sys

from browser_kit import BrowserFlow, StepFailed, main
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

# InterbankSimulator.browserTestZhaoMin
NAME = "赵敏"
ID_NUMBER = "440306199506120024"
MOBILE = "13700000001"
BANK_CODE = "103"
CARD_NUMBER = "6228480012345678903"
PASSWORD = "Rong2026pass"
AMOUNT = "1234.56"
AMOUNT_SHOWN = "¥1,234.56"



class Onboarding(BrowserFlow):
    artifact_prefix = "failed"

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
            code = self.latest_code(MOBILE, "otp.register")
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
            self.type("code", self.latest_code(MOBILE, "otp.bind_card"))
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


if __name__ == "__main__":
    sys.exit(main(Onboarding, "customer onboarding", __doc__.splitlines()[0]))
