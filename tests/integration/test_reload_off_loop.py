# SPDX-License-Identifier: MIT
"""A large configuration never stops the service from answering: with a
generated ledger of 100,000 milestones (tests/bench/gen-ledger), the
configuration is read again (SIGHUP) and every feed rendered again on
threads, while a client on the private socket asks for a property every
20 ms over one connection: no answer takes more than 100 ms, and the
reload is done (its summary logged) while they go on."""

import datetime
import pathlib
import signal
import subprocess
import time

import pytest

import peers

HERE = pathlib.Path(__file__).resolve().parent
GEN_LEDGER = HERE.parent / "bench/gen-ledger"

# One connection, a call every 20 ms until the file named by argv[3] exists;
# prints the slowest answer, in seconds, and how many there were.
_POLL = peers.PEER_CONNECTION + """
slowest, n = 0.0, 0
open(sys.argv[2], "w").close()
while not os.path.exists(sys.argv[3]):
    t = time.monotonic()
    c.call_blocking(None, "/org/ledgerd/Ledger1", "org.freedesktop.DBus.Properties", "Get",
                    "ss", ("org.ledgerd.Ledger1", "Counts"), timeout=5)
    slowest, n = max(slowest, time.monotonic() - t), n + 1
    time.sleep(0.02)
print(slowest, n)
"""


@pytest.fixture
def large_conf(tmp_path):
    conf = tmp_path / "conf"
    subprocess.run(["/usr/bin/python3", str(GEN_LEDGER), "100000", str(conf)], check=True)
    text = (conf / "ledgerd.conf").read_text(encoding="utf-8")
    port = peers.free_port()
    text = text.replace('feed = { name = "基准台账"; };',
                        f'feed = {{ name = "基准台账"; listen = [ "127.0.0.1:{port}" ]; }};')
    assert f":{port}" in text
    (conf / "ledgerd.conf").write_text(text, encoding="utf-8")
    return conf / "ledgerd.conf"


def test_a_large_reload_leaves_the_bus_answering(tmp_path, large_conf):
    with peers.daemons(tmp_path) as make:
        d = make(large_conf).start(peers.instant(datetime.date(2025, 3, 24)) - 3600)
        started, stop = tmp_path / "started", tmp_path / "stop"
        poll = subprocess.Popen(["/usr/bin/python3", "-c", _POLL, f"unix:path={d.run_dir}/private",
                                 str(started), str(stop)], stdout=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 30
            while not started.exists() and time.monotonic() < deadline:
                time.sleep(0.02)
            for _ in range(2):
                reloads = d.log_text().count("reloaded ")
                d.proc.send_signal(signal.SIGHUP)
                deadline = time.monotonic() + 60
                while d.log_text().count("reloaded ") == reloads:
                    assert time.monotonic() < deadline, d.log_text()[-2000:]
                    time.sleep(0.05)
            time.sleep(1.5)  # the feeds' render after the reload, on its thread
        finally:
            stop.touch()
            out, _ = poll.communicate(timeout=30)
        slowest, n = out.split()
        print(f"{n} answers, the slowest in {float(slowest) * 1000:.0f} ms")
        assert int(n) > 20
        assert float(slowest) <= 0.100, f"an answer took {float(slowest) * 1000:.0f} ms"
        assert "100000 milestones: 0 added, 0 removed, 0 moved" in d.log_text()
