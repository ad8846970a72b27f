# SPDX-License-Identifier: MIT
"""ledgerd --print-schedule on the shipped ledger: the plan a person expects
around holidays, and the window options."""

import datetime
import json

from conftest import CONF, ledgerd

# 2025 days off and make-up working days, from the State Council notice
# (国办发明电〔2024〕12号), restated here independently of conf/.
OFF = {"2025-01-01"}
for a, b in [("2025-01-28", "2025-02-04"), ("2025-04-04", "2025-04-06"),
             ("2025-05-01", "2025-05-05"), ("2025-05-31", "2025-06-02"),
             ("2025-10-01", "2025-10-08")]:
    d = datetime.date.fromisoformat(a)
    while d <= datetime.date.fromisoformat(b):
        OFF.add(d.isoformat())
        d += datetime.timedelta(days=1)
WORK = {"2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"}


def working(day):
    d = datetime.date.fromisoformat(day)
    return day in WORK or (d.weekday() < 5 and day not in OFF)


def plan(*args):
    return json.loads(ledgerd("-c", CONF, "--print-schedule", "--json", *args).stdout)


def test_every_reminder_on_a_working_day_at_0930():
    reminders = plan()
    assert len(reminders) > 100
    for r in reminders:
        day, time = r["local"].split()
        assert working(day), r
        assert time == "09:30"


def test_deadline_on_a_holiday():
    # Task 13 is due 10月1日, the first day of the National Day week: the
    # due-day reminder moves to Tuesday 2025-09-30, the deadline does not.
    rs = [r for r in plan() if r["milestone"] == "13"]
    due = [r for r in rs if r["kind"] == "due"]
    assert [(r["local"], r["due"]) for r in due] == [("2025-09-30 09:30", "2025-10-01")]
    # 14d, 7d and 3d before; 3d is Sunday 2025-09-28, a make-up working day,
    # so it stays; 1d (09-30) merges with the moved due-day reminder.
    upcoming = sorted(r["local"][:10] for r in rs if r["kind"] == "upcoming")
    assert upcoming == ["2025-09-17", "2025-09-24", "2025-09-28"]


def test_window_is_inclusive():
    rs = plan("--from", "2025-09-30", "--to", "2025-09-30")
    assert rs and all(r["local"].startswith("2025-09-30") for r in rs)
    assert "13" in {r["milestone"] for r in rs}


def test_bad_window():
    p = ledgerd("-c", CONF, "--print-schedule", "--from", "2025-13-01", check=False)
    assert p.returncode == 2 and "--from" in p.stderr
    p = ledgerd("-c", CONF, "--print-schedule", "--from", "2025-10-01", "--to", "2025-09-01",
                check=False)
    assert p.returncode == 2


def test_table_output():
    out = ledgerd("-c", CONF, "--print-schedule", "--from", "2025-07-01", "--to", "2025-07-31").stdout
    lines = out.splitlines()
    assert lines[0].startswith("WHEN")
    assert lines[-1].endswith("reminders")
