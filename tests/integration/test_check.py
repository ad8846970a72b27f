# SPDX-License-Identifier: MIT
"""ledgerd --check on the shipped ledger, against a golden file read by a
person, and the errors a broken configuration gets."""

import pathlib

from conftest import CONF, ROOT, ledgerd

GOLDEN = ROOT / "tests/golden/check-yuli-2025.txt"


def test_check_matches_golden():
    p = ledgerd("-c", CONF, "--check")
    assert p.stderr == ""
    if p.stdout != GOLDEN.read_text(encoding="utf-8"):
        out = pathlib.Path("/tmp/check-yuli-2025.actual.txt")
        out.write_text(p.stdout, encoding="utf-8")
        raise AssertionError(f"--check differs from {GOLDEN}; actual output in {out}")


def test_check_reads_every_row():
    out = ledgerd("-c", CONF, "--check").stdout
    # Rows without a serial number, row 41, and the three-part deadline of row 15.
    for line in ("  34b   9月10日之前", "  41    根据尉犁县考核办具体工作时间安排",
                 "→ 15.3   2025-06-20 周五  真实性核查"):
        assert line in out, line
    assert "0 not understood" in out.splitlines()[-1]


def write(path, text):
    path.write_text(text, encoding="utf-8")


def test_broken_ledger_names_file_and_line(conf_copy):
    ledger = conf_copy / "ledgers/yuli-2025.conf"
    text = ledger.read_text(encoding="utf-8")
    write(ledger, text.replace('deadline = "7月底之前";', 'deadlin = "7月底之前";', 1))
    line = next(i for i, l in enumerate(ledger.read_text().splitlines(), 1) if "deadlin =" in l)
    p = ledgerd("-c", conf_copy / "ledgerd.conf", "--check", check=False)
    assert p.returncode == 1
    assert f"{ledger}:{line}: error: unknown key 'deadlin' in task (did you mean 'deadline'?)" in p.stderr
    assert "configuration not loaded (1 error)" in p.stderr
    assert p.stdout == ""


def test_unknown_owner_and_impossible_date(conf_copy):
    ledger = conf_copy / "ledgers/yuli-2025.conf"
    text = ledger.read_text(encoding="utf-8")
    text = text.replace('owners = [ "县财政局社会保障股" ];', 'owners = [ "县财政局社保股" ];', 1)
    text = text.replace("  tasks = (\n", '  tasks = (\n    { id = "99"; owners = [ "县财政局" ];'
                        ' dates = ( { date = "2025-02-30"; } ); },\n', 1)
    write(ledger, text)
    p = ledgerd("-c", conf_copy / "ledgerd.conf", "--check", check=False)
    assert p.returncode == 1
    assert 'error: task 28: owner "县财政局社保股" is not defined' in p.stderr
    assert 'error: task 99: "2025-02-30" is not a date (YYYY-MM-DD)' in p.stderr
    assert "(2 errors)" in p.stderr


def test_unreadable_config():
    p = ledgerd("-c", "/nonexistent/ledgerd.conf", "--check", check=False)
    assert p.returncode == 1
    assert "/nonexistent/ledgerd.conf: error: cannot read: No such file or directory" in p.stderr


def test_usage_errors():
    assert ledgerd("-c", CONF, "--check", "--print-ics", check=False).returncode == 2
    assert ledgerd("-c", CONF, "--check", "stray", check=False).returncode == 2
    assert ledgerd("-c", CONF, "--check", "--now", "soon", check=False).returncode == 2
    assert ledgerd("--help").stdout.startswith("Usage: ledgerd")


def test_check_2026_ledger_with_the_2026_calendar(tmp_path):
    """The shipped calendars cover 2026: no warning, holiday phrases read,
    standing work ongoing, and reminders around National Day 2026 on
    2026-09-30, never in the holiday week."""
    (tmp_path / "l.conf").write_text(
        'ledger = { id = "t-2026"; title = "2026年度台账"; year = 2026; tasks = (\n'
        '  { id = "1"; owners = [ "县财政局" ]; deadline = "国庆节前报送县财政局"; },\n'
        '  { id = "2"; owners = [ "县财政局" ]; deadline = "10月9日前"; },\n'
        '  { id = "3"; owners = [ "县财政局" ]; deadline = "长期坚持"; }\n'
        '); };\n', encoding="utf-8")
    conf = (ROOT / CONF).read_text(encoding="utf-8")
    conf = conf.replace('ledgers = [ "ledgers/yuli-2025.conf" ];', 'ledgers = [ "l.conf" ];')
    conf = conf.replace('"holidays/', f'"{ROOT}/conf/holidays/')
    (tmp_path / "c.conf").write_text(conf, encoding="utf-8")
    p = ledgerd("-c", tmp_path / "c.conf", "--check")
    assert "no holiday calendar covers 2026" not in p.stderr, p.stderr
    assert "→ 1      2026-09-30 周三  — 报送县财政局" in p.stdout, p.stdout
    assert "~ ongoing:" in p.stdout and p.stdout.splitlines()[-1].endswith("1 ongoing")
    plan = ledgerd("-c", tmp_path / "c.conf", "--print-schedule", "--from", "2026-09-01",
                   "--to", "2026-10-31").stdout
    days = {line.split()[0] for line in plan.splitlines() if line[:4] == "2026"}
    assert "2026-09-30" in days, plan
    assert not any("2026-10-01" <= d <= "2026-10-07" for d in days), plan
