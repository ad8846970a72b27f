# SPDX-License-Identifier: MIT
"""Never lose a reminder: the state database cannot take an instant's
reminders when it comes. The real ledgerd (--now a few seconds before a
09:30 instant) on its real SQLite database, real webhook receivers on
loopback, and two real faults:

- another process holds the database's write lock (BEGIN IMMEDIATE from
  Python's sqlite3) for 9 s across the instant;
- the state directory is a small tmpfs that the test mounts, filled to the
  last byte just before the instant and freed some seconds after;
- the same, filled while the instant's messages go out, so that their
  outcomes cannot be written.

What the daemon promises: an instant whose reminders cannot be recorded is
tried again after 1, 2, 4, then every 8 s, and no later instant overtakes
it; meanwhile the service is degraded, with the reason, in the Problems
property, a(sts) of (part, since, reason), part "reminders" (read here
over the private socket; `ledgerctl status` does not show it), and in
sd_notify's STATUS=. An outcome that cannot be written is kept by its
message and written again every 2 s (part "deliveries"). Once the fault is
gone, every reminder goes out exactly once and the problem clears."""

import datetime
import errno
import os
import sqlite3
import subprocess
import time

import pytest

import peers

DAY = datetime.date(2025, 3, 24)  # a Monday, no holiday
AT = peers.instant(DAY)           # 2025-03-24 09:30 +08:00


def sleep_until(t):
    time.sleep(max(0.0, t - time.time()))


def reminder_problems(d):
    """The "reminders" entries of the Problems property: [(since, reason)]."""
    return [(since, reason) for part, since, reason in d.property("Problems")
            if part == "reminders"]


def test_a_locked_database_across_the_instant(tmp_path, daemons):
    n, hold = 50, 9.0
    receiver = peers.HttpReceiver()
    try:
        owners, channels, tasks = peers.webhook_fleet(receiver, n, DAY)
        conf = peers.write_config(tmp_path / "conf", owners, tasks, channels=channels)
        d = daemons(conf).start(AT - 4)
        assert d.property("Problems") == []

        sleep_until(d.wall(AT) - 2)
        lock = sqlite3.connect(d.state / "state.db", isolation_level=None, timeout=10)
        lock.execute("BEGIN IMMEDIATE")
        locked = time.time()
        end = locked + hold - 0.3  # what is seen before this was seen while locked
        try:
            # Still locked: degraded, saying which reminders and why, to
            # systemd (STATUS=) and on the bus (Problems).
            d.wait_for("STATUS=Degraded: ", timeout=max(0.0, end - time.time()))
            found, answers, silent = [], [], 0
            while not found and time.time() < end:
                try:
                    problems = d.property("Problems", timeout=max(0.3, end - time.time()))
                except (AssertionError, subprocess.TimeoutExpired):
                    silent += 1
                    continue
                if time.time() < end:
                    answers.append(problems)
                    found = [(since, reason) for part, since, reason in problems
                             if part == "reminders"]
                time.sleep(0.2)
            assert found, (f"while the database was locked ({hold} s), the bus answered "
                           f"{len(answers)} times, never with a reminders problem (last answers: "
                           f"{answers[-2:]}); {silent} calls got no answer in time")
            ((since, reason),) = found
            assert f"{n} reminders" in reason and "locked" in reason, reason
            assert abs(since / 1e6 - AT) <= 6, (since, AT)  # the service's clock, at the instant
            assert receiver.received() == [], "sent before it was recorded"
            sleep_until(locked + hold)
        finally:
            lock.execute("ROLLBACK")
            lock.close()
        released = time.time()
        print(f"lock held {released - locked:.1f} s from {locked - d.wall(AT):+.1f} s")

        receiver.wait_for(n, timeout=max(0.0, released + 30 - time.time()), answered=True)
        log = peers.settled(d, n, timeout=max(1.0, released + 30 - time.time()))
        assert all(x["status"] == "sent" and x["tries"] == 1 for x in log.values()), log
        assert all(x["late"] is False for x in log.values())  # seconds after, not 5 minutes
        peers.wait_until(lambda: d.property("Problems") == [], 30, "the problem to clear",
                         interval=0.5)
        time.sleep(1)
        peers.once_each([receiver], log)
        assert "reminders work again" in d.log_text()
        status = d.status()
        assert (status["pending_deliveries"], status["failed_deliveries"]) == (0, 0)
    finally:
        receiver.stop()


# ---- a full disk ------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path):
    """tmp_path/state on a tmpfs of 16 MiB of its own; unmounted after the
    test (after the ledgerd instances of the daemons fixture, when that is
    asked for after this one)."""
    path = tmp_path / "state"
    path.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m,mode=0750", "tmpfs", str(path)],
                   check=True, capture_output=True, timeout=30)
    try:
        yield path
    finally:
        p = subprocess.run(["umount", str(path)], capture_output=True, text=True, timeout=30)
        assert p.returncode == 0, p.stderr


def fill(path):
    """Writes path until the file system has not a byte left; returns its size."""
    written = 0
    with open(path, "wb", buffering=0) as f:
        for chunk in (1 << 20, 4096, 1):
            block = b"\0" * chunk
            while True:
                try:
                    k = f.write(block)
                except OSError as e:
                    if e.errno != errno.ENOSPC:
                        raise
                    break
                written += k
                if k < chunk:
                    break
    return written


def test_a_full_disk_at_the_instant(tmp_path, small_disk, daemons):
    n_receivers, per_receiver = 3, 100
    n = n_receivers * per_receiver
    state = small_disk
    receivers = [peers.HttpReceiver() for _ in range(n_receivers)]
    try:
        owners, channels, tasks = [], [], []
        for i, rc in enumerate(receivers):
            o, c, t = peers.webhook_fleet(rc, per_receiver, DAY, start=1 + i * per_receiver)
            owners += o
            channels += c
            tasks += t
        conf = peers.write_config(tmp_path / "conf", owners, tasks, channels=channels)
        d = daemons(conf).start(AT - 6)  # its log goes beside the state, not on the tmpfs
        assert d.property("Problems") == []

        # The write-ahead log as small as it gets (a checkpoint, as SQLite
        # makes by itself): the instant's records need new blocks.
        db = sqlite3.connect(d.state / "state.db", isolation_level=None, timeout=10)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.close()
        sleep_until(d.wall(AT) - 1.5)
        ballast = state / "ballast"
        print(f"filled the disk with {fill(ballast)} bytes at {time.time() - d.wall(AT):+.1f} s")
        try:
            found = peers.wait_until(lambda: reminder_problems(d), 10,
                                     "the reminders problem while the disk is full", interval=0.3)
            ((since, reason),) = found
            assert f"{n} reminders" in reason and ("No space" in reason or "full" in reason), reason
            d.wait_for("STATUS=Degraded: ")
            sleep_until(d.wall(AT) + 6)
            # The problem lasts while the disk is full; nothing went out unrecorded.
            assert reminder_problems(d), "the problem cleared while the disk was full"
            assert sum(len(rc.received()) for rc in receivers) == 0
        finally:
            os.unlink(ballast)
        freed = time.time()
        print(f"freed at {freed - d.wall(AT):+.1f} s")

        for rc in receivers:
            rc.wait_for(per_receiver, timeout=max(0.0, freed + 30 - time.time()), answered=True)
        log = peers.settled(d, n, timeout=max(1.0, freed + 30 - time.time()),
                            args=("--limit", str(n + 1)))
        print(f"all {n} delivered {time.time() - freed:.1f} s after freeing")
        assert all(x["status"] == "sent" for x in log.values()), \
            [x for x in log.values() if x["status"] != "sent"][:5]
        peers.wait_until(lambda: d.property("Problems") == [], 30, "the problems to clear",
                         interval=0.5)
        time.sleep(1)
        peers.once_each(receivers, log)
        assert d.proc.poll() is None
    finally:
        for rc in receivers:
            rc.stop()


def test_a_full_disk_while_sending(tmp_path, small_disk, daemons):
    """The instant is recorded; the disk fills while its messages go out,
    one every half second: the outcomes the log cannot take are kept and
    written again (part "deliveries"), and no message goes out twice for
    want of a record."""
    n = 16
    receiver = peers.HttpReceiver(default=peers.slow(0.5))
    try:
        owners, channels, tasks = peers.webhook_fleet(receiver, n, DAY)
        conf = peers.write_config(tmp_path / "conf", owners, tasks, channels=channels)
        d = daemons(conf).start(AT - 4)
        db = sqlite3.connect(d.state / "state.db", isolation_level=None, timeout=10)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # as in test_a_full_disk_at_the_instant
        db.close()
        receiver.wait_for(1, timeout=10)  # recorded, and sending
        time.sleep(0.3)
        ballast = small_disk / "ballast"
        fill(ballast)
        full = time.time()
        try:
            found = peers.wait_until(
                lambda: [r for part, _, r in d.property("Problems") if part == "deliveries"], 10,
                "the deliveries problem while the disk is full", interval=0.3)
            assert "No space" in found[0] or "full" in found[0], found
            d.wait_for("STATUS=Degraded: ")
            sleep_until(full + 3)
            assert reminder_problems(d) == []  # the instant itself was recorded before
        finally:
            os.unlink(ballast)
        freed = time.time()
        print(f"{len(receiver.received())} of {n} sent while the disk was full")

        receiver.wait_for(n, timeout=max(0.0, freed + 30 - time.time()), answered=True)
        log = peers.settled(d, n, timeout=max(1.0, freed + 30 - time.time()))
        assert all(x["status"] == "sent" and x["tries"] == 1 for x in log.values()), \
            [x for x in log.values() if x["status"] != "sent" or x["tries"] != 1][:3]
        peers.wait_until(lambda: d.property("Problems") == [], 10, "the problem to clear",
                         interval=0.5)
        assert "deliveries work again" in d.log_text()
        time.sleep(1)
        peers.once_each([receiver], log)
    finally:
        receiver.stop()
