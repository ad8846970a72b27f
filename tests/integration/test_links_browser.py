# SPDX-License-Identifier: MIT
"""Close the loop in a real browser: headless Chromium, driven by Selenium
through chromedriver, at a phone's 390×844, presses the 已完成 button of
real reminders, one taken from the Maildir outbox and one from a webhook's
body, the way a person would on a phone; then ledgerctl, the feeds and the
next day's reminders say it was done. Forged, expired and other owners'
links, opened the same way, change nothing. The confirmation page, the
owner's page and the page at / are photographed in the test: each picture
is read here (PNG, decoded with zlib and struct) and must show something
(more than a few colours, not all white, the blue of the buttons, the
black of the QR codes), and no page may scroll sideways. The pictures are
kept in the test's tmp_path, and copied to tests/integration/screenshots/
when that directory exists. About 10 s."""

import collections
import os
import shutil
import struct
import tempfile
import zlib

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

import linkkit as lk
import peers
from linkkit import AT, CZJ, DAY, LEDGER, SJJ, day
from conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WIDTH, HEIGHT = 390, 844
SHOTS = ROOT / "tests/integration/screenshots"

WHITE = b"\xff\xff\xff"
BUTTON_BLUE = bytes.fromhex("1f6feb")  # pages.c: button{background:#1f6feb}
BLACK = b"\x00\x00\x00"                # a QR code's dark modules


@pytest.fixture
def browser():
    # Not skipped when missing: they are in the Makefile's DEB_TEST (make deps).
    for path in (CHROMIUM, CHROMEDRIVER):
        assert os.access(path, os.X_OK), f"{path} is not installed: make deps"
    profile = tempfile.mkdtemp(prefix="chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-proxy-server", f"--user-data-dir={profile}",
                f"--window-size={WIDTH},{HEIGHT}"]:
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        # The viewport itself 390×844 (the window has its frame). Not in
        # mobile emulation: there a page too wide is zoomed out, and the
        # sideways scroll this test looks for would be hidden.
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1,
                                "mobile": False})
        driver.set_page_load_timeout(30)
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


# ---- pictures -----------------------------------------------------------------------------


def decode_png(data):
    """(width, height, pixels): an 8-bit RGB or RGBA, non-interlaced PNG,
    each pixel its RGB bytes."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:8]
    pos, idat, head = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        assert zlib.crc32(kind + chunk) == struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])[0]
        pos += 12 + length
        if kind == b"IHDR":
            head = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        elif kind == b"IEND":
            break
    width, height, depth, colour, _, _, interlace = head
    assert depth == 8 and colour in (2, 6) and interlace == 0, head
    bpp = 3 if colour == 2 else 4
    stride = width * bpp
    raw = zlib.decompress(idat)
    assert len(raw) == height * (stride + 1)
    prev = bytearray(stride)
    pixels = []
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if f == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        elif f == 2:
            line = bytearray((a + b) & 0xFF for a, b in zip(line, prev))
        elif f == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif f == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        else:
            assert f == 0, f"filter {f}"
        pixels.extend(bytes(line[i:i + 3]) for i in range(0, stride, bpp))
        prev = line
    return width, height, pixels


def photograph(driver, tmp_path, name):
    """A screenshot of the viewport, saved and checked: 390×844, something
    on it, and the page no wider than the screen. Returns its colours
    (RGB bytes → how many pixels)."""
    wide = driver.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
    png = driver.get_screenshot_as_png()
    (tmp_path / f"{name}.png").write_bytes(png)
    if SHOTS.is_dir():
        shutil.copy(tmp_path / f"{name}.png", SHOTS / f"{name}.png")
    width, height, pixels = decode_png(png)
    assert (width, height) == (WIDTH, HEIGHT), (name, width, height)
    colours = collections.Counter(pixels)
    assert len(colours) > 2, (name, colours.most_common(3))
    assert colours[WHITE] < 0.95 * len(pixels), (name, "nearly all white")
    assert colours.most_common(1)[0][1] < 0.95 * len(pixels), (name, colours.most_common(2))
    assert wide[1] == WIDTH and wide[0] <= wide[1], (name, "scrolls sideways", wide)
    return colours


# ---- helpers -------------------------------------------------------------------------------


def open_page(driver, url):
    driver.get(url)
    WebDriverWait(driver, 10).until(lambda d: d.execute_script("return document.readyState") == "complete")
    return lk.Page(driver.page_source)


def shows_confirmation(driver, url, item, owner):
    """The confirmation behind a 已完成 link: one form, one button."""
    page = open_page(driver, url)
    assert page.h1 == "标记为已完成？", page.text
    (form,) = page.forms
    assert (form.method, form.action, form.inputs, form.buttons) == ("post", url, {"confirm": "1"},
                                                                     ["确认已完成"])
    assert item in page.text and owner in page.text
    (button,) = driver.find_elements(By.TAG_NAME, "button")
    assert button.is_displayed() and button.text == "确认已完成"
    # On the first screen: nobody has to scroll to find it.
    bottom = driver.execute_script("return arguments[0].getBoundingClientRect().bottom", button)
    assert bottom <= HEIGHT, bottom
    return button


def press(driver, button, milestone):
    """Presses the button; the browser follows the 303 to the owner's page."""
    button.click()
    WebDriverWait(driver, 10).until(lambda d: "/me/" in d.current_url)
    assert driver.current_url.endswith(f"?done={LEDGER}/{milestone}"), driver.current_url
    WebDriverWait(driver, 10).until(lambda d: d.execute_script("return document.readyState") == "complete")
    return lk.Page(driver.page_source)


def cards(page, heading):
    return [c for c in page.cards if c.heading == heading]


def buttons_in_one_row(driver):
    """Each open milestone's four buttons side by side."""
    tops = driver.execute_script(
        "return [...document.querySelectorAll('.actions')].map("
        "a => [...a.querySelectorAll('button')].map(b => Math.round(b.getBoundingClientRect().top)))")
    assert tops and all(len(t) == 4 and len(set(t)) == 1 for t in tops), tops


def marked_by_link(d, milestone, owner):
    s = lk.show(d, milestone)
    assert s["milestone"]["status"] == "done" and s["milestone"]["done_by"] == owner, s
    assert [(h["action"], h["user"], h["via"], h["address"]) for h in s["history"]] == [
        ("done", owner, "link", "127.0.0.1")], s["history"]
    text = d.ctl("show", milestone).stdout
    assert f"by {owner}" in text and f"done    {owner} via link from 127.0.0.1" in text, text


# ---- the test --------------------------------------------------------------------------------


def test_done_in_a_browser_from_a_mail_and_from_a_webhook(tmp_path, daemons, browser):
    """czj is reminded by e-mail (the Maildir outbox), sjj on a json channel.
    Milestones 1 (czj) and 2 (sjj) are due today, with an overdue notice
    tomorrow; 3 (czj) and 4 (sjj), due tomorrow, are the control."""
    driver = browser
    receiver = peers.HttpReceiver()
    try:
        port = peers.free_port()
        owners = [peers.Owner("czj", CZJ, emails=("jixiao@czj.example",)),
                  peers.Owner("sjj", SJJ, channels=("j",))]
        tasks = [peers.Task("1", "编制部门预算", (CZJ,), DAY), peers.Task("2", "审计整改", (SJJ,), DAY),
                 peers.Task("3", "报送绩效自评报告", (CZJ,), day(1)),
                 peers.Task("4", "整改情况报告", (SJJ,), day(1))]
        conf = lk.configure(tmp_path / "conf", owners, tasks, port,
                            channels=[peers.Channel("j", "json", receiver.url("/j"))], overdue=("1wd",))
        d = daemons(conf).start(AT - 2)
        web = lk.Web(port)
        (mail,) = lk.wait_mail(d.state, 1)
        (mail_links,) = lk.links_in(lk.text_of(mail))
        (hook,) = receiver.wait_for(1, path="/j")
        (hook_links,) = lk.links_in(hook.json()["data"]["text"])
        assert lk.claim_of(lk.token_of(mail_links["done"]))["milestone"] == "1"
        assert lk.claim_of(lk.token_of(hook_links["done"]))["milestone"] == "2"
        etag = web.get("/ledger.ics").header("ETag")

        # The 已完成 of the e-mail: the browser's GET shows what will happen,
        # and changes nothing.
        button = shows_confirmation(driver, mail_links["done"], "编制部门预算", CZJ)
        colours = photograph(driver, tmp_path, "confirm")
        assert colours[BUTTON_BLUE] > 500, "no button to be seen"
        lk.untouched(d, "1")
        assert web.get("/ledger.ics").header("ETag") == etag
        page = press(driver, button, "1")
        assert page.h1 == f"{CZJ}的工作事项"
        assert page.notice == "已将「编制部门预算」标记为已完成。"
        assert [c.item for c in cards(page, "待完成")] == ["报送绩效自评报告"]
        (done,) = cards(page, "已完成")
        assert done.item == "✓ 编制部门预算" and "由县财政局标记完成（经提醒中的链接）" in done.meta
        colours = photograph(driver, tmp_path, "owner")
        assert colours[BUTTON_BLUE] > 500, "no buttons to be seen"
        buttons_in_one_row(driver)
        marked_by_link(d, "1", CZJ)

        # The 已完成 of the webhook's message, for the other owner.
        button = shows_confirmation(driver, hook_links["done"], "审计整改", SJJ)
        photograph(driver, tmp_path, "confirm-webhook")
        lk.untouched(d, "2")
        page = press(driver, button, "2")
        assert page.h1 == f"{SJJ}的工作事项"
        assert page.notice == "已将「审计整改」标记为已完成。"
        assert [c.item for c in cards(page, "待完成")] == ["整改情况报告"]
        assert [c.item for c in cards(page, "已完成")] == ["✓ 审计整改"]
        photograph(driver, tmp_path, "owner-webhook")
        marked_by_link(d, "2", SJJ)

        # The feeds say so: 【已完成】, and no alarm.
        for path, milestones in [("/ledger.ics", "12"), ("/czj.ics", "1"), ("/sjj.ics", "2")]:
            ev = lk.events(web.feed(path))
            for m in milestones:
                assert ev[lk.uid(m)].summary.startswith("【已完成】"), (path, m)
                assert ev[lk.uid(m)].alarms == 0, (path, m)
        assert lk.events(web.feed("/czj.ics"))[lk.uid("3")].alarms == 1

        # Forged, expired and another owner's links, opened the same way.
        key = lk.link_key(d.state)
        page = open_page(driver, mail_links["page"])
        (card,) = cards(page, "待完成")
        three = lk.token_of(card.forms[0].action)
        expires = lk.claim_of(three)["expires"]
        for token, status, h1 in [
                (lk.forge(three, -3), 404, "链接无效"),
                (lk.forge(three, 5), 404, "链接无效"),
                (lk.sign(key, "done", "3", "czj", int(d.clock()) - 60,
                         generation=lk.claim_of(three)["generation"]), 410, "链接已过期"),
                (lk.sign(key, "done", "4", "czj", expires), 404, "链接无效"),
                (lk.reclaim(three, owner="sjj"), 404, "链接无效"),
                (lk.reclaim(three, milestone="4", owner="sjj"), 404, "链接无效")]:
            url = f"{web.base}/act/{token}"
            page = open_page(driver, url)
            assert page.h1 == h1 and page.forms == [], (token, page.h1)
            assert not driver.find_elements(By.TAG_NAME, "button")
            assert web.post(url).status == status, token
        lk.untouched(d, "3")
        lk.untouched(d, "4")
        # The genuine one still works.
        assert web.get(card.forms[0].action).status == 200

        # The page at /.
        open_page(driver, web.base + "/")
        colours = photograph(driver, tmp_path, "index")
        assert colours[BLACK] > 2000, "no QR code to be seen"
        qrs = driver.find_elements(By.CSS_SELECTOR, "svg.qr")
        assert len(qrs) == 3 and all(q.is_displayed() and q.size["width"] >= 100 for q in qrs)
        text = driver.find_element(By.TAG_NAME, "body").text
        assert "未完成 2 项" in text and "下一个截止：3月25日（还有1天）" in text, text
        assert "都带有【已完成】【推迟】【查看】按钮" in text and "ledgerctl" not in text

        # Tomorrow at 09:30: the controls' reminders, and nothing of 1 and 2.
        assert d.stop() == 0
        d.start(peers.instant(day(1)) - 2)
        lk.wait_mail(d.state, 2)
        receiver.wait_for(2, path="/j")
        lk.wait(1.5)
        mails = lk.maildir(d.state)
        assert len(mails) == 2
        assert [lk.claim_of(lk.token_of(x["done"]))["milestone"]
                for x in lk.links_in(lk.text_of(mails[-1]))] == ["3"]
        hooks = receiver.received("/j")
        assert len(hooks) == 2
        assert [r["milestone"] for r in hooks[-1].json()["data"]["reminders"]] == ["4"]
        for x in d.deliveries():
            if x["at"].startswith("2025-03-25"):
                assert [i["milestone"] for i in x["items"]] in (["3"], ["4"]), x
    finally:
        receiver.stop()
