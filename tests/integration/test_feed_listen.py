# SPDX-License-Identifier: MIT
"""feed.listen must be served, or the start fails, as nginx does: the real
ledgerd, with a real socket of another process holding one of its
addresses.

- An address that cannot be bound (the port is taken) fails the start,
  non-zero, with the reason: "cannot listen on 127.0.0.1:PORT
  (feed.listen): Address already in use"; the addresses bound before it
  are not left served.
- Free addresses are served, and the FeedAddresses property lists them
  (read over the private socket: `ledgerctl status` does not show it;
  its feed_urls name the first). Without feed.listen nothing is served and
  FeedAddresses is empty."""

import datetime
import json
import socket
import urllib.request

import peers

DAY = datetime.date(2025, 3, 24)  # a Monday, no holiday
AT = peers.instant(DAY)           # 2025-03-24 09:30 +08:00


def config(tmp_path, listen):
    return peers.write_config(tmp_path / "conf", [peers.Owner("czj", "县财政局")],
                              [peers.Task("1", "编制部门预算", ("县财政局",), DAY)],
                              feed=None if listen is None else {"listen": listen})


def refused(port, host="127.0.0.1"):
    try:
        socket.create_connection((host, port), timeout=2).close()
    except ConnectionRefusedError:
        return True
    return False


def test_a_taken_port_fails_the_start(tmp_path, daemons):
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    taken, free = holder.getsockname()[1], peers.free_port()
    try:
        d = daemons(config(tmp_path, [f"127.0.0.1:{free}", f"127.0.0.1:{taken}"]))
        d.start(AT - 3600, wait=False)
        code = d.exited()
        log = d.log_text()
        assert code != 0, log
        assert (f"cannot listen on 127.0.0.1:{taken} (feed.listen): Address already in use"
                in log), log
        assert not any("READY=1" in m for m in d.messages) and "ledgerd running" not in log, log
        assert refused(free), "the address bound before the taken one is still served"
        # The holder keeps its port.
        with socket.create_connection(("127.0.0.1", taken), timeout=2):
            pass
    finally:
        holder.close()


def test_the_addresses_served_are_listed(tmp_path, daemons):
    port = peers.free_port()
    d = daemons(config(tmp_path, [f"127.0.0.1:{port}", f"[::1]:{port}"])).start(AT - 3600)
    assert d.property("FeedAddresses") == [f"127.0.0.1:{port}", f"[::1]:{port}"]
    for host in ("127.0.0.1", "[::1]"):
        with urllib.request.urlopen(f"http://{host}:{port}/ledger.ics", timeout=10) as r:
            assert r.status == 200 and r.read().startswith(b"BEGIN:VCALENDAR\r\n")
    status = json.loads(d.ctl("status", "--json").stdout)
    assert f"http://127.0.0.1:{port}/ledger.ics" in status["feed_urls"], status["feed_urls"]


def test_no_feed_listen_serves_nothing(tmp_path, daemons):
    d = daemons(config(tmp_path, None)).start(AT - 3600)
    assert d.property("FeedAddresses") == []
    assert "serving calendar feeds" not in d.log_text()
