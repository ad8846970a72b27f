# SPDX-License-Identifier: MIT
"""Never lose a reminder, never send one twice: one ledgerd per state
directory and per runtime directory. The real ledgerd twice over:

- a second ledgerd with the same configuration and options (the same
  state directory, the same runtime directory) exits at once, non-zero,
  naming the running one's PID (the lock is <state>/lock, which holds it);
  so does one with only the state directory in common. Started before an
  instant of 100 webhook reminders and during their burst, they send
  nothing: each reminder goes out once, by the first,
  whose private socket answers throughout;
- a second ledgerd with a state directory of its own but the same runtime
  directory refuses to start ("another ledgerd answers there") and leaves
  the live socket where it is."""

import datetime
import os
import time

import peers

DAY = datetime.date(2025, 3, 24)  # a Monday, no holiday
AT = peers.instant(DAY)           # 2025-03-24 09:30 +08:00


def second_on(first, conf, state, log, now, same_runtime=True):
    """Another ledgerd on conf and state, with first's runtime directory
    (or one of its own), started and left to exit; returns (exit status,
    seconds it took, its log)."""
    d = peers.Ledgerd(conf, state)
    if same_runtime:
        d.run_dir = first.run_dir
    d.log = log
    t = time.monotonic()
    d.start(now, wait=False)
    try:
        code = d.exited(timeout=10)
    finally:
        d.close()
    return code, time.monotonic() - t, d.log_text()


def test_a_second_ledgerd_on_the_same_state_exits_and_sends_nothing(tmp_path, daemons):
    n = 100
    receiver = peers.HttpReceiver(default=peers.slow(0.01))  # a burst of a second or two
    try:
        owners, channels, tasks = peers.webhook_fleet(receiver, n, DAY)
        conf = peers.write_config(tmp_path / "conf", owners, tasks, channels=channels)
        first = daemons(conf).start(AT - 5)
        pid = first.proc.pid
        assert (first.state / "lock").read_text().strip() == str(pid)
        socket_before = os.stat(first.run_dir / "private").st_ino

        code, took, log = second_on(first, conf, first.state, tmp_path / "second.log", AT - 3)
        print(f"the second exited {code} in {took:.2f} s: {log}")
        assert code != 0 and took < 3, (code, took)
        assert f"another ledgerd (PID {pid}) is running on the state directory" in log, log
        assert "READY" not in log and "ledgerd running" not in log, log

        # During the burst, again (its clock past the instant), with only
        # --state-dir in common.
        receiver.wait_for(1, timeout=15)
        code, took, log = second_on(first, conf, first.state, tmp_path / "third.log", AT + 1,
                                    same_runtime=False)
        assert code != 0 and took < 3, (code, took, log)
        assert f"PID {pid}" in log, log
        assert len(receiver.received()) < n, "the burst was over before the second try"

        # The first runs on, on its socket, and sends every reminder once.
        assert first.proc.poll() is None
        assert os.stat(first.run_dir / "private").st_ino == socket_before
        assert first.status()["daemon"] == "running"
        receiver.wait_for(n, timeout=30, answered=True)
        log = peers.settled(first, n, args=("--limit", str(n + 1)))
        assert all(x["status"] == "sent" and x["tries"] == 1 for x in log.values())
        time.sleep(1)
        peers.once_each([receiver], log)
        assert (first.state / "lock").read_text().strip() == str(pid)
    finally:
        receiver.stop()


def test_a_second_ledgerd_on_the_same_runtime_directory_refuses(tmp_path, daemons):
    conf = peers.write_config(tmp_path / "conf", [peers.Owner("czj", "县财政局")],
                              [peers.Task("1", "编制部门预算", ("县财政局",), DAY)])
    first = daemons(conf).start(AT - 3600)
    socket = first.run_dir / "private"
    before = os.stat(socket)

    code, took, log = second_on(first, conf, tmp_path / "other-state", tmp_path / "second.log",
                                AT - 3600)
    print(f"the second exited {code} in {took:.2f} s: {log}")
    assert code != 0 and took < 3, (code, took)
    assert f"{socket}: cannot listen" in log and "another ledgerd answers there" in log, log
    after = os.stat(socket)
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert first.proc.poll() is None
    status = first.status()
    assert status["daemon"] == "running" and status["config_path"] == str(conf)
    assert first.stop() == 0
