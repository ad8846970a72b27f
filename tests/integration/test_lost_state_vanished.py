# SPDX-License-Identifier: MIT
"""Never lose a reminder, never send old ones again: a state database that
vanished is told apart from a first start. The real ledgerd on a real
state directory:

- after a first run (which writes <state>/state.id), state.db deleted,
  truncated to 0 bytes, or replaced by an empty SQLite database: ledgerd
  refuses to start, non-zero, with a message naming --accept-new-state,
  as often as it is started so, and sends nothing; with
  --accept-new-state it starts, and goes on without it afterwards;
- a genuine first start (an empty state directory) at 10:00, after the
  09:30 instant, sends nothing for 09:30 (no "补发" burst); the same
  service down over the next day's 09:30 and back at 10:00 sends that
  reminder, late, as any restart after a downtime does."""

import datetime
import os
import sqlite3
import time

import pytest

import peers

DAY = datetime.date(2025, 3, 24)  # a Monday, no holiday
NEXT = DAY + datetime.timedelta(days=1)
AT = peers.instant(DAY)           # 2025-03-24 09:30 +08:00
TEN = peers.instant(DAY, "10:00")


def config(tmp_path, receiver, tasks):
    owner = peers.Owner("czj", "县财政局", channels=("h",))
    return peers.write_config(tmp_path / "conf", [owner], tasks,
                              channels=[peers.Channel("h", "json", receiver.url("/hook"))])


def last_start(d):
    """The log of d's last start."""
    return d.log_text().rsplit("==== start", 1)[-1]


def lose(db, how):
    for f in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        if how != "truncated" and f.exists():
            f.unlink()
    if how == "truncated":
        os.truncate(db, 0)
    elif how == "an empty database":
        empty = sqlite3.connect(db)
        empty.execute("VACUUM")  # a valid database file of one page, without tables
        empty.close()
        assert db.stat().st_size > 0


@pytest.mark.parametrize("how", ["deleted", "truncated", "an empty database"])
def test_a_lost_state_database_is_refused_unless_accepted(tmp_path, daemons, receiver, how):
    conf = config(tmp_path, receiver, [peers.Task("1", "编制部门预算", ("县财政局",), DAY)])
    d = daemons(conf).start(AT - 3600)  # 08:30: before the instant
    assert (d.state / "state.id").is_file()
    assert d.stop() == 0
    db = d.state / "state.db"
    lose(db, how)

    for _ in range(2):  # a refusal must not make the next start pass
        d.start(TEN, wait=False)
        code = d.exited()
        log = last_start(d)
        assert code != 0, log
        assert "--accept-new-state" in log and "state.db" in log and str(d.state) in log, log
        assert "ledgerd running" not in log and not any("READY=1" in m for m in d.messages), log
    if how == "deleted":
        assert not db.exists(), "the refusal wrote a database"
    assert (d.state / "state.id").is_file()
    assert receiver.received() == []

    d.extra_args = ["--accept-new-state"]
    d.start(TEN)
    assert d.status()["daemon"] == "running"
    assert "--accept-new-state was given" in last_start(d)
    assert d.stop() == 0
    d.extra_args = []
    d.start(TEN + 60)  # afresh from here on: no flag needed any more
    time.sleep(2)
    assert d.deliveries() == [] and receiver.received() == []


def test_a_first_start_sends_nothing_from_before_it_a_restart_catches_up(tmp_path, daemons,
                                                                        receiver):
    conf = config(tmp_path, receiver, [peers.Task("1", "编制部门预算", ("县财政局",), DAY),
                                       peers.Task("2", "报送绩效自评报告", ("县财政局",), NEXT)])
    d = daemons(conf)
    assert not d.state.exists()
    d.start(TEN)  # first start, half an hour after the 09:30 instant
    time.sleep(3)
    assert receiver.received() == [] and d.deliveries() == []
    assert (d.state / "state.id").is_file()
    assert d.stop() == 0

    # Down over the next day's 09:30, back at 10:00: that one is sent, late.
    d.start(peers.instant(NEXT, "10:00"))
    (hook,) = receiver.wait_for(1, "/hook", timeout=10, answered=True)
    body = hook.json()
    assert body["data"]["late"] is True, body
    assert [r["milestone"] for r in body["data"]["reminders"]] == ["2"], body
    (dl,) = peers.settled(d, 1).values()
    assert (dl["status"], dl["late"]) == ("sent", True), dl
    assert [i["milestone"] for i in dl["items"]] == ["2"]
    time.sleep(1)
    assert len(receiver.received()) == 1
