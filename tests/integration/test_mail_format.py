# SPDX-License-Identifier: MIT
"""A reminder e-mail from core/notify/mail.c, read back with Python's email parser
and python3-icalendar: the Chinese subject decodes, each encoded-word stands
alone, the calendar attachment parses, and the Message-ID is stable."""

import base64
import email
import email.policy
import re
import shutil
import subprocess

import icalendar
import pytest

from conftest import BUILD, ROOT

SUBJECT = "【台账提醒】部门整体支出绩效自评（单位自评）将于2025年3月31日到期（还有7天）"


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    lib = BUILD / "libledger.a"
    cc = shutil.which("cc") or shutil.which("gcc")
    if not lib.exists() or not cc:
        pytest.fail("needs a C compiler and libledger.a")
    exe = tmp_path_factory.mktemp("mail") / "mail-driver"
    # libledger's hashing and base64 are libcrypto's.
    libs = subprocess.run(["pkg-config", "--libs", "openssl"], check=True, capture_output=True,
                          text=True).stdout.split()
    subprocess.run([cc, "-std=c17", "-D_GNU_SOURCE", "-I", str(ROOT / "core"),
                    str(ROOT / "tests/integration/mail-driver.c"), str(lib), *libs, "-o", str(exe)],
                   check=True)
    return exe


def build(driver, key):
    return subprocess.run([driver, key], check=True, capture_output=True).stdout


def parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


def test_headers(driver):
    raw = build(driver, "yuli-2025/2025-03-24T01:00Z/czj")
    m = parse(raw)
    assert str(m["Subject"]) == SUBJECT
    assert m["Date"].datetime.isoformat() == "2025-03-24T09:00:00+08:00"
    assert m["Auto-Submitted"] == "auto-generated"
    assert [a.addr_spec for a in m["To"].addresses] == ["czj@example.org", "sjj@example.org"]
    assert m["To"].addresses[1].display_name == "Audit, Office"
    assert m["From"].addresses[0].display_name == "台账提醒"
    assert not m.defects


def test_lines_and_encoded_words(driver):
    raw = build(driver, "k")
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    for line in raw.split(b"\r\n"):
        assert len(line) <= 78, line
    words = re.findall(r"=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=", head)
    assert len(words) >= 4
    for w in words:
        assert len(w) + 12 <= 75
        base64.b64decode(w, validate=True).decode("utf-8")  # each one alone


def test_message_id_stable(driver):
    a, b = parse(build(driver, "k1")), parse(build(driver, "k1"))
    c = parse(build(driver, "k2"))
    assert a["Message-ID"] == b["Message-ID"] != c["Message-ID"]
    assert re.fullmatch(r"<ledgerd\.[0-9a-f]{32}@finance\.example\.gov\.cn>", a["Message-ID"])


def test_body_and_calendar(driver):
    m = parse(build(driver, "k"))
    assert m.get_content_type() == "multipart/mixed"
    text = m.get_body(("plain",))
    assert text.get_content_charset() == "utf-8"
    assert text.get_content().replace("\r\n", "\n") == \
        "工作事项：部门整体支出绩效自评（单位自评）\n责任单位：县财政局\n"
    (att,) = list(m.iter_attachments())
    assert att.get_content_type() == "text/calendar"
    assert att.get_param("method") == "PUBLISH"
    assert att.get_param("charset") == "UTF-8"
    assert att.get_filename() == "15.1.ics"
    cal = icalendar.Calendar.from_ical(att.get_payload(decode=True))
    assert str(cal["METHOD"]) == "PUBLISH"
    (event,) = cal.walk("VEVENT")
    assert str(event["SUMMARY"]) == "部门整体支出绩效自评（单位自评）"
    assert event["DTSTART"].dt.isoformat() == "2025-03-31"
