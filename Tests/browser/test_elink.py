#!/usr/bin/env python3
"""Browser test: e-Link chat between a customer and their account manager, and publishing.

The demo customer 王芳 signs in to the portal and opens the conversation with her account
manager; in a second browser the demo account manager 孙立 signs in to the console, finds 王芳
among his customers and opens the same conversation. 王芳 sends a message from her page and it
appears on the manager's page over the WebSocket (no reload); his answer appears on hers. She
sends an image (uploaded, then sent over the socket) and it loads on his page; a file that is not
what its name says is refused with a clear message. In a third browser the demo operator 周晓
publishes an article on the console's official-account page, and 王芳 finds it on hers.
"""

import os
import struct
import sys
import time
import zlib

from selenium.webdriver.common.by import By

import browser_kit

CUSTOMER_MOBILE = "13912345678"
CUSTOMER_PASSWORD = "Rong2026demo"
MANAGER_MOBILE = "13800000002"
MANAGER_PASSWORD = "Mgr2026rong"
OPERATOR_MOBILE = "13800000001"
OPERATOR_PASSWORD = "Oper2026rong"
NEWS_ACCOUNT = "融银行理财早知道"


def png_bytes(width=24, height=24, rgb=(199, 0, 11)):
    """A small solid-colour PNG, built here so the test needs no image files."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


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

    def sign_in_console(self, mobile, password):
        self.open("/console/sign-in")
        self.type("mobile", mobile)
        self.type("password", password)
        self.click("sign-in-submit")
        self.wait_for_path(r"/console(\?[^/]*)?$")  # not /console/sign-in, which matched before the sign-in finished

    def wait_image(self, blob_id):
        """Waits until the image message `blob_id` has loaded (fetched with this browser's own session)."""
        selector = f"#messages .msg[data-kind='image'] img[data-blob='{blob_id}']"
        try:
            self.wait.until(lambda d: d.execute_script(
                "var i = document.querySelector(arguments[0]); return !!i && i.complete && i.naturalWidth > 0;", selector))
        except Exception:
            shown = [e.get_attribute("data-blob") for e in self.driver.find_elements(By.CSS_SELECTOR, "#messages img")]
            raise browser_kit.StepFailed(f"image {blob_id} did not load; the page shows images {shown!r}")

    def text_of(self, element_id):
        found = self.driver.find_elements(By.ID, element_id)
        return found[0].text if found else None

    def choose_file(self, element_id, path):
        self.by_id(element_id).send_keys(path)

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
                manager.wait_for_path(r"/console(\?[^/]*)?$")  # not /console/sign-in, which matched before the sign-in finished
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

            with self.step("王芳 sends an image; it loads on the manager's page"):
                os.makedirs(self.artifacts, exist_ok=True)
                picture = os.path.join(self.artifacts, f"elink-{stamp}.png")
                with open(picture, "wb") as f:
                    f.write(png_bytes())
                before = {e.get_attribute("data-blob") for e in self.driver.find_elements(By.CSS_SELECTOR, "#messages img")}
                self.choose_file("image-file", picture)
                try:
                    blob_id = self.wait.until(lambda d: next((e.get_attribute("data-blob") for e in d.find_elements(By.CSS_SELECTOR, "#messages img")
                                                              if e.get_attribute("data-blob") not in before), None))
                except Exception:
                    raise browser_kit.StepFailed(f"the image did not appear on 王芳's page; media error: {self.text_of('media-error')!r}")
                self.wait_image(blob_id)
                manager.wait_image(blob_id)

            with self.step("a file that is not the image its name says is refused with a clear message"):
                fake = os.path.join(self.artifacts, f"not-an-image-{stamp}.png")
                with open(fake, "wb") as f:
                    f.write(b"this is not a picture")
                self.choose_file("image-file", fake)
                error = self.wait.until(lambda d: (lambda e: e if e.is_displayed() and e.get_attribute("data-code") else None)(d.find_element(By.ID, "media-error")))
                self.expect(error.get_attribute("data-code") == "blob_content_mismatch", f"expected blob_content_mismatch, got {error.get_attribute('data-code')!r}")
                self.expect("文件内容与其类型不符" in error.text, f"unexpected message {error.text!r}")
        except Exception:
            manager.step_name = "manager " + self.step_name
            manager.save_artifacts()
            raise
        finally:
            manager.driver.quit()

        operator = ElinkFlow.__new__(ElinkFlow)
        browser_kit.BrowserFlow.__init__(operator, self.base, self.artifacts)
        title = f"每周理财观察（{stamp}）"
        try:
            with self.step("console sign-in as operator 周晓, open the official-account page"):
                operator.sign_in_console(OPERATOR_MOBILE, OPERATOR_PASSWORD)
                operator.click("nav-elink-official")
                operator.wait_for_path(r"/console/elink/official$")
                row = operator.wait.until(lambda d: [r for r in d.find_elements(By.CSS_SELECTOR, "#official-accounts tr.official") if NEWS_ACCOUNT in r.text])[0]
                row.find_element(By.CSS_SELECTOR, "a.official-manage").click()
                operator.wait_for_path(r"/console/elink/official/[0-9a-f-]+$")

            with self.step("the operator publishes an article"):
                operator.type("article-title", title)
                operator.type("article-summary", "存款、聚财宝与理财怎么搭配")
                operator.type("article-body", "第一段：活期随存随取。\n第二段：定期利率更高。")
                operator.click("article-publish")
                operator.wait_for_path(r"notice=articlePublished")
                operator.expect("文章已发布" in operator.text("notice"), "no published notice")
                first = operator.wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#official-articles tr.article .article-title"))[0]
                operator.expect(first.text == title, f"newest article is {first.text!r}, expected {title!r}")
        except Exception:
            operator.step_name = "operator " + self.step_name
            operator.save_artifacts()
            raise
        finally:
            operator.driver.quit()

        with self.step("王芳 finds the article among the official accounts"):
            self.open("/bank/elink/official")
            self.wait.until(lambda d: any(title in e.text for e in d.find_elements(By.CSS_SELECTOR, "#official-accounts li.official")))


if __name__ == "__main__":
    sys.exit(browser_kit.main(ElinkFlow, "e-Link chat (customer ↔ account manager, images) and official-account publishing", __doc__))
