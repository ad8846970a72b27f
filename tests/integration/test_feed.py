# SPDX-License-Identifier: MIT
"""The iCalendar feed of the shipped ledger, read by independent parsers:
python3-icalendar, vobject and calcurse, plus our own byte-level rules."""

import re

import icslint
from conftest import CONF, NOW, ledgerd


def feed(tmp_path, *args, conf=CONF, now=NOW):
    return ledgerd("-c", conf, "--state-dir", tmp_path / "state", "--now", now,
                   "--print-ics", *args, text=False).stdout


def dated_milestones(conf=CONF):
    """Every dated milestone id, as --check lists them."""
    return re.findall(r"→ (\S+)\s+\d{4}-\d\d-\d\d", ledgerd("-c", conf, "--check").stdout)


def uids(data):
    return re.findall(rb"^UID:(\S+)\r$", data, re.M)


def test_feed_passes_every_validator(tmp_path):
    data = feed(tmp_path)
    assert icslint.lint(data) == []
    assert icslint.parse_with_icalendar(data) == []
    assert icslint.validate_with_vobject(data) == []


def test_one_event_per_dated_milestone(tmp_path):
    data = feed(tmp_path)
    expected = [f"{m}@yuli-2025.ledgerd".encode() for m in dated_milestones()]
    assert uids(data) == expected
    assert len(expected) >= 30


def test_calcurse_imports_everything(tmp_path):
    assert icslint.import_with_calcurse(feed(tmp_path), tmp_path) == []


def test_renders_are_identical(tmp_path):
    first = feed(tmp_path)
    second = feed(tmp_path, now="2025-06-01T10:00")  # later, nothing changed
    assert first == second


def test_per_owner_feed(tmp_path):
    data = feed(tmp_path, "--owner", "czj-sbg")
    assert uids(data) == [b"28@yuli-2025.ledgerd"]
    assert b"X-WR-CALNAME:" in data and "县财政局社会保障股".encode() in data
    bumen = feed(tmp_path, "--owner", "各相关部门单位")
    # 2, 5, 13 … belong to 县财政局 alone; 15.x and 24 to both.
    assert b"UID:15.1@yuli-2025.ledgerd" in bumen and b"UID:24@yuli-2025.ledgerd" in bumen
    assert b"UID:13@yuli-2025.ledgerd" not in bumen
    assert icslint.lint(bumen) == []


def test_unknown_owner(tmp_path):
    p = ledgerd("-c", CONF, "--state-dir", tmp_path, "--print-ics", "--owner", "nobody",
                check=False)
    assert p.returncode == 1
    assert 'no owner "nobody"' in p.stderr


def event(data, uid):
    m = re.search(rb"BEGIN:VEVENT\r\nUID:" + re.escape(uid) + rb"\r\n.*?END:VEVENT\r\n", data, re.S)
    if not m:  # UID need not come first
        for block in re.findall(rb"BEGIN:VEVENT\r\n.*?END:VEVENT\r\n", data, re.S):
            if b"UID:" + uid + b"\r\n" in block:
                return block
    return m.group(0) if m else None


def test_change_moves_only_that_event(tmp_path, conf_copy):
    conf = conf_copy / "ledgerd.conf"
    before = feed(tmp_path, conf=conf)
    ledger = conf_copy / "ledgers/yuli-2025.conf"
    text = ledger.read_text(encoding="utf-8")
    ledger.write_text(text.replace('deadline = "11月10日前";', 'deadline = "11月12日前";', 1),
                      encoding="utf-8")
    after = feed(tmp_path, conf=conf, now="2025-03-01T12:00")
    changed = [u for u in uids(before) if event(before, u) != event(after, u)]
    assert changed == [b"28@yuli-2025.ledgerd"]
    ev = event(after, b"28@yuli-2025.ledgerd")
    assert b"SEQUENCE:1\r\n" in ev
    assert b"DTSTAMP:20250301T040000Z\r\n" in ev
    assert b"DTSTART;VALUE=DATE:20251112\r\n" in ev


def test_output_file_is_replaced_atomically(tmp_path):
    out = tmp_path / "feeds" / "ledger.ics"
    out.parent.mkdir()
    ledgerd("-c", CONF, "--state-dir", tmp_path / "state", "--now", NOW, "--print-ics", "-o", out)
    assert out.read_bytes() == feed(tmp_path)
    assert [p.name for p in out.parent.iterdir()] == ["ledger.ics"]
