# SPDX-License-Identifier: MIT
"""ledgerctl rollover: next year's ledger from the shipped one, which ledgerd
loads with every dated milestone a year on; explicit dates and what could not
move are listed for a person."""

import re

from conftest import ROOT, ledgerctl, ledgerd

HAND = ROOT / "conf/ledgers/yuli-2025.conf"


def milestones(check_output):
    """(id, date) of every dated milestone --check shows."""
    return re.findall(r"→ (\S+)\s+(\d{4}-\d\d-\d\d)", check_output)


def test_shipped_ledger_to_2026(conf_copy):
    p = ledgerctl("rollover", "--to", "2026", "--config", ROOT / "conf/ledgerd.conf", HAND)
    new = p.stdout
    assert 'id = "yuli-2026";' in new and "year = 2026;" in new
    assert 'title = "2026年度尉犁县全面实施预算绩效管理工作台账";' in new
    assert 'item = "2025年度财政重点绩效评价";' in new            # was 2024年度
    assert 'deadline = "根据2027年部门预算编制时间";' in new        # was 2026年
    assert "《尉犁县分行业分领域共性项目绩效指标体系（2023年度）》" in new  # a document: kept
    # comments stay as they were
    assert new.splitlines()[0] == HAND.read_text(encoding="utf-8").splitlines()[0]
    f = str(HAND)
    assert p.stderr.splitlines() == [
        f"{f}:1: warning: a comment names 2025年: comments are not changed",
        f"{f}:23: warning: ledger id yuli-2025 is now yuli-2026: the calendar events of the "
        "new year are new events",
        f"{f}:108: warning: a comment names 2025-03-20: comments are not changed",
        f"{f}:131: warning: 2023年 in a document's name (《…》) is kept: check it",
        f"{f}:131: warning: 2023年 in a document's name (《…》) is kept: check it",
        f"{f}:318: warning: 2023年 in a document's name (《…》) is kept: check it",
        "ledgerctl rollover: 6 items to check",
    ]
    before = milestones(ledgerd("-c", conf_copy / "ledgerd.conf", "--check").stdout)
    (conf_copy / "ledgers/yuli-2025.conf").write_text(new, encoding="utf-8")
    after = ledgerd("-c", conf_copy / "ledgerd.conf", "--check")
    assert len(before) == 36
    assert milestones(after.stdout) == [(m, "2026" + d[4:]) for m, d in before]
    assert "ledger yuli-2026:" in after.stdout


def test_explicit_dates_and_leap_day(tmp_path):
    ledger = tmp_path / "ledger.conf"
    ledger.write_text(
        'ledger = {\n  id = "x-2024";\n  title = "2024年度台账";\n  year = 2024;\n'
        '  tasks = (\n    { id = "1"; owners = [ "czj" ]; deadline = "根据安排";\n'
        '      dates = ( { date = "2024-02-29"; label = "报送"; },\n'
        '                { date = "2024-10-10"; } ); },\n'
        '    { id = "2"; owners = [ "czj" ]; deadline = "2月29日前"; }\n  );\n};\n',
        encoding="utf-8")
    p = ledgerctl("rollover", "--to", "2025", "--config", ROOT / "conf/ledgerd.conf", ledger)
    f = str(ledger)
    assert p.stderr.splitlines() == [
        f"{f}:2: warning: ledger id x-2024 is now x-2025: the calendar events of the new year "
        "are new events",
        f"{f}:7: warning: explicit date 2024-02-29 has no day like it in 2025: written as "
        "2025-02-28; check it",
        f"{f}:8: warning: explicit date 2024-10-10 moved to 2025-10-10: check it against the "
        "new year's timetable",
        f"{f}:9: warning: deadline \"2月29日前\" does not read in 2025: date does not exist: "
        "\"2月29日前\"; fix it or give dates",
        "ledgerctl rollover: 4 items to check",
    ]
    rolled = tmp_path / "rolled.conf"
    rolled.write_text(p.stdout, encoding="utf-8")
    (tmp_path / "ledgerd.conf").write_text(
        'ledgers = [ "rolled.conf" ];\nowners = ( { id = "czj"; name = "县财政局"; } );\n',
        encoding="utf-8")
    out = ledgerd("-c", tmp_path / "ledgerd.conf", "--check").stdout
    assert milestones(out) == [("1.1", "2025-02-28"), ("1.2", "2025-10-10")]
    assert "1 not understood" in out.splitlines()[-1]


def test_refused(tmp_path):
    p = ledgerctl("rollover", HAND, check=False)
    assert p.returncode == 2 and "--to YEAR is required" in p.stderr
    p = ledgerctl("rollover", "--to", "2025", HAND, check=False)
    assert p.returncode == 1 and p.stdout == ""
    assert p.stderr == f"{HAND}: error: the ledger is of 2025 already\n"
    p = ledgerctl("rollover", "--to", "2026", ROOT / "conf/ledgerd.conf", check=False)
    assert p.returncode == 1
    assert "not a ledger file: no ledger = { year = …; }" in p.stderr
    p = ledgerctl("rollover", "--to", "2026", tmp_path / "none.conf", check=False)
    assert p.returncode == 1
    assert p.stderr == f"ledgerctl rollover: {tmp_path}/none.conf: No such file or directory\n"


def test_warns_when_no_calendar_covers_the_new_year():
    p = ledgerctl("rollover", "--to", "2027", "--config", ROOT / "conf/ledgerd.conf", HAND)
    warning = [line for line in p.stderr.splitlines() if "no holiday calendar" in line]
    assert len(warning) == 1 and "covers 2027" in warning[0] and "cn-2027" in warning[0]
    assert p.stderr.splitlines()[-1] == "ledgerctl rollover: 7 items to check"
