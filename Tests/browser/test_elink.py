#!/usr/bin/env python3
"""Browser test: e-Link chat between a customer and their account manager.

The demo customer 王芳 signs in to the portal and opens the conversation with her account
manager; in a second browser the demo account manager 孙立 signs in to the console, finds 王芳
among his customers and opens the same conversation. 王芳 sends a message from her page and it
appears on the manager's page over the WebSocket (no reload); his answer appears on hers.
"""

import sys
import time

from selenium.webdriver.common.by import By

import browser_kit

CUSTOMER_MOBILE = "13912345678"
CUSTOMER_PASSWORD = "Rong2026demo"
MANAGER_MOBILE = "13800000002"
MANAGER_PASSWORD = "Mgr2026rong"


class ElinkFlow(browser_kit.BrowserFlow):
    artifact_prefix = "elink-failed"

    def wait_ready(self):
        self.wait.until(lambda d: d.find_element(By.ID, "chat").get_attribute("data-ready") == "1")

    def wait_message(self, text):
        try:
            self.wait.until(lambda d: any(text in e.text for e in d.find_elements(By.CSS_SELECTOR, "#messages .msg .body")))
        except Exception:
            shown = [e.text for e in self.driver.find_elements(By.CSS_SELECTOR, "#messages .msg .body")]
            raise browser_kit.StepFailed(f"{text!r} did not arrive; the page shows {shown!r}")

    def run(self):
        customer = self.driver
        with self.step("portal sign-in as 王芳"):
            self.open("/bank/sign-in")
            self.type("mobile", CUSTOMER_MOBILE)
            self.type("password", CUSTOMER_PASSWORD)
            self.click("sign-in-submit")
            self.wait_for_path(r"/bank$")

        with self.step("open the conversation with her account manager"):
            self.click("nav-elink")
            self.wait_for_path(r"/bank/elink")
            link = self.wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "li.conversation[data-kind='manager'] a"))
            link.click()
            self.wait_for_path(r"/bank/elink\?c=")
            self.wait_ready()
            conversation = self.by_id("chat").get_attribute("data-conversation")

        # The manager signs in in a second browser (a browser holds one sign-in at a time).
        manager = ElinkFlow.__new__(ElinkFlow)
        browser_kit.BrowserFlow.__init__(manager, self.base, self.artifacts)
        try:
            with self.step("console sign-in as account manager 孙立, open 王芳's chat"):
                manager.open("/console/sign-in")
                manager.type("mobile", MANAGER_MOBILE)
                manager.type("password", MANAGER_PASSWORD)
                manager.click("sign-in-submit")
                manager.wait_for_path(r"/console")
                manager.open("/console/elink/customers")
                row = manager.wait.until(lambda d: [r for r in d.find_elements(By.CSS_SELECTOR, "#elink-customers tr.customer") if "王芳" in r.text])[0]
                row.find_element(By.CSS_SELECTOR, "a.chat-link").click()
                manager.wait_for_path(r"/console/elink/chat/" + conversation)
                manager.wait_ready()

            stamp = time.strftime("%H%M%S")
            question = f"孙经理您好，想了解一下大额存单（{stamp}）"
            with self.step("王芳 sends a message; it arrives on the manager's page"):
                self.type("message-text", question)
                self.click("send-button")
                self.wait_message(question)
                manager.wait_message(question)

            answer = f"王女士您好，今天三年期大额存单利率 2.35%（{stamp}）"
            with self.step("the manager answers; it arrives on 王芳's page"):
                manager.type("message-text", answer)
                manager.click("send-button")
                manager.wait_message(answer)
                self.wait_message(answer)
        except Exception:
            manager.step_name = "manager " + self.step_name
            manager.save_artifacts()
            raise
        finally:
            manager.driver.quit()


if __name__ == "__main__":
    sys.exit(browser_kit.main(ElinkFlow, "e-Link chat (customer ↔ account manager)", __doc__))
