# SPDX-License-Identifier: MIT
"""The HTML part of a reminder e-mail, opened in headless Chromium at a
phone's width (390 px viewport, no mobile emulation, as
test_links_browser.py does): the 7-item digest that the shipped ledger
gives 县财政局 at 2025-09-26 09:30 (msgkit.py, scenario "seven", the Maildir
outbox). The picture is checked in the test (size, not blank, the green
已完成 buttons), every item's row is there and on screen, nothing scrolls
sideways, the buttons are <a> links whose GET is the confirmation page
(or the owner's page), and pressing 已完成 then 确认已完成 in the browser,
or POSTing a link, marks the milestone done via link. About 10 s."""

import re

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

import linkkit as lk
import msgkit
import peers
from msgkit import AT, LEDGER
from test_links_browser import WIDTH, browser, photograph  # noqa: F401 (browser: a fixture)

GREEN = bytes.fromhex("1a7f37")  # mail-html.c: the 已完成 button's background
CONFIRM = {"已完成": "标记为已完成？", "推迟1天": "推迟1天？", "推迟3天": "推迟3天？",
           "推迟7天": "推迟7天？"}


def czj_mail(state):
    mails = lk.wait_mail(state, 2)
    (m,) = [m for m in mails if m["To"].addresses[0].addr_spec == "czj@czj.yuli.example"]
    return m


def rows_in(driver):
    """The rows of items: each <tr> that holds a 已完成 link, with its links."""
    return driver.execute_script("""
        return [...document.querySelectorAll('tr')].filter(
            tr => [...tr.querySelectorAll('a')].some(a => a.textContent === '已完成')
        ).map(tr => {
            const r = tr.getBoundingClientRect();
            return {text: tr.innerText, left: r.left, right: r.right, height: r.height,
                    links: [...tr.querySelectorAll('a')].map(a => {
                        const b = a.getBoundingClientRect();
                        return {tag: a.tagName, text: a.textContent, href: a.getAttribute('href'),
                                left: b.left, right: b.right, width: b.width, height: b.height};
                    })};
        });""")


def test_mail_html_in_a_browser(tmp_path, daemons, browser):  # noqa: F811
    driver = browser
    port = peers.free_port()
    setup = msgkit.configure(tmp_path / "c", "seven", None, port, formats=())
    d = daemons(setup.conf)
    d.start(AT - 2)
    mail = czj_mail(d.state)
    items = [it for it in msgkit.expected("seven")]
    html = mail.get_body(("html",)).get_content()
    page = tmp_path / "mail.html"
    page.write_text(html, encoding="utf-8")

    driver.get(page.as_uri())
    WebDriverWait(driver, 10).until(
        lambda x: x.execute_script("return document.readyState") == "complete")
    colours = photograph(driver, tmp_path, "mail-html")  # 390×844, not blank, no sideways scroll
    assert colours[GREEN] > 300, "no 已完成 button to be seen"
    assert driver.execute_script("return document.documentElement.scrollWidth") <= WIDTH
    assert driver.execute_script("return document.body.scrollWidth") <= WIDTH
    assert driver.title == str(mail["Subject"])

    # A row per item, in due-date order, each on the page and within its width.
    rows = rows_in(driver)
    assert len(rows) == len(items), [r["text"][:40] for r in rows]
    for row, it in zip(rows, items):
        assert it.item in row["text"] and it.due_words in row["text"] and it.left in row["text"], (
            row["text"], it)
        assert it.owners in row["text"], row["text"]
        assert 0 <= row["left"] and row["right"] <= WIDTH and row["height"] > 40, row
        labels = [a["text"] for a in row["links"]]
        assert labels == list(msgkit.BUTTONS), labels
        for a in row["links"]:
            assert a["tag"] == "A" and a["href"].startswith(f"http://127.0.0.1:{port}/"), a
            assert a["width"] > 20 and a["height"] > 20 and a["right"] <= WIDTH, a
    for el in driver.find_elements(By.XPATH, "//tr[.//a[text()='已完成']]"):
        assert el.is_displayed()

    # The footer: the owner's page and its webcal:// feed.
    footer = {a.text: a.get_attribute("href") for a in driver.find_elements(By.TAG_NAME, "a")
              if a.text in ("我的全部事项", "订阅我的日历")}
    assert footer["订阅我的日历"] == f"webcal://127.0.0.1:{port}/czj.ics", footer
    assert lk.claim_of(lk.token_of(footer["我的全部事项"]))["owner"] == "czj"

    # Every button's GET: its confirmation page, or the owner's page.
    web = lk.Web(port)
    for row, it in zip(rows, items):
        for a in row["links"]:
            answer = web.get(a["href"])
            assert answer.status == 200, (a, answer.status)
            p = answer.page()
            if a["text"] == "查看":
                assert p.h1 == "县财政局的工作事项", p.h1
            else:
                assert p.h1 == CONFIRM[a["text"]], (a["text"], p.h1)
                assert lk.claim_of(lk.token_of(a["href"]))["milestone"] == it.milestone
                assert it.item in p.text
    for it in items:
        lk.untouched(d, it.milestone)  # looking changes nothing

    # 已完成 pressed in the browser, then 确认已完成: a POST from the page.
    first = items[0]
    link = driver.find_elements(By.XPATH, "//tr[.//a[text()='已完成']]")[0].find_element(
        By.LINK_TEXT, "已完成")
    link.click()
    WebDriverWait(driver, 10).until(lambda x: x.find_elements(By.TAG_NAME, "h1") and
                                    x.find_element(By.TAG_NAME, "h1").text == "标记为已完成？")
    photograph(driver, tmp_path, "mail-html-confirm")
    (button,) = driver.find_elements(By.TAG_NAME, "button")
    assert button.text == "确认已完成"
    lk.untouched(d, first.milestone)
    button.click()
    WebDriverWait(driver, 10).until(lambda x: "/me/" in x.current_url)
    assert driver.current_url.endswith(f"?done={LEDGER}/{first.milestone}"), driver.current_url
    done_by_link(d, first.milestone, "127.0.0.1")

    # The POST of another row's 已完成 link, as any client makes it.
    second = items[1]
    url = rows[1]["links"][0]["href"]
    answer = web.post(url)
    assert answer.status == 303, (answer.status, answer.text[:200])
    done_by_link(d, second.milestone, None)
    for it in items[2:]:
        lk.untouched(d, it.milestone)


def done_by_link(d, milestone, address):
    s = lk.show(d, milestone)
    assert s["milestone"]["status"] == "done" and s["milestone"]["done_by"] == "县财政局", s
    (h,) = s["history"]
    assert (h["action"], h["user"], h["via"]) == ("done", "县财政局", "link"), h
    if address:
        assert h["address"] == address, h
    text = d.ctl("show", milestone).stdout
    assert re.search(r"done\s+县财政局 via link from 127\.0\.0\.\d+", text), text
