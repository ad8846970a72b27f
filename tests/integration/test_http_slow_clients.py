# SPDX-License-Identifier: MIT
"""The feed server against clients that are slow on purpose, on loopback:
the real ledgerd serving feed.listen on 127.0.0.1, and real sockets.

- 1,024 connections from 16 loopback addresses (127.0.0.2 … 127.0.0.17,
  64 each) trickle their request headers one byte a second. Meanwhile
  curl from 127.0.0.1 gets the whole feed, again and again, each time
  within 1 s. Every trickling connection is closed by the server within
  the header deadline, 10 s from its connect (plus slack: the server
  sweeps once a second); those it accepted stay open until about then
  (those past its per-address limit it closes at once).
- A request with both Content-Length and Transfer-Encoding: chunked is
  answered 400 and its connection closed (request smuggling)."""

import datetime
import resource
import selectors
import socket
import subprocess
import threading
import time

import pytest

import peers

DAY = datetime.date(2025, 3, 24)
AT = peers.instant(DAY)
ADDRESSES = [f"127.0.0.{i}" for i in range(2, 18)]  # 16
PER_ADDRESS = 64
DEADLINE = 10.0  # the header deadline, from connect
SLACK = 2.5      # the sweep's second, and a loaded machine
FAST = 1.0       # a normal GET of the feed, whole, within this


@pytest.fixture
def feed(tmp_path, daemons):
    """ledgerd serving a small ledger's feeds on 127.0.0.1; (daemon, port)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 8192
    assert hard >= want or hard == resource.RLIM_INFINITY, f"RLIMIT_NOFILE hard limit {hard}"
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, want), hard))
    port = peers.free_port()
    tasks = [peers.Task(str(i), f"事项{i}", ("县财政局",), DAY + datetime.timedelta(days=i))
             for i in range(1, 41)]
    conf = peers.write_config(tmp_path / "conf", [peers.Owner("czj", "县财政局")], tasks,
                              feed={"listen": [f"127.0.0.1:{port}"]})
    d = daemons(conf).start(AT - 86400)
    try:
        yield d, port
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def curl_feed(port):
    """(seconds curl took by its own clock, HTTP status, body)."""
    p = subprocess.run(["curl", "-s", "--max-time", "10", "-o", "-", "-w", "\n%{time_total} %{http_code}",
                        f"http://127.0.0.1:{port}/ledger.ics"], capture_output=True, timeout=30)
    body, _, tail = p.stdout.rpartition(b"\n")
    took, code = tail.decode().split()
    return float(took), int(code), body


class Tricklers(threading.Thread):
    """The slow clients: each sends one more byte of its request line and
    headers every second, and never ends them. Records when the server
    closed each one (EOF or reset)."""

    REQUEST = (b"GET /ledger.ics HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: trickle/1.0\r\n"
               b"Accept: text/calendar\r\nX-Padding: " + b"p" * 200)

    def __init__(self, port, until):
        super().__init__(daemon=True)
        self.sel = selectors.DefaultSelector()
        self.socks, self.opened, self.closed, self.sent = [], {}, {}, {}
        self.until = until
        self.stop = threading.Event()
        for addr in ADDRESSES:
            for _ in range(PER_ADDRESS):
                s = socket.socket()
                s.bind((addr, 0))
                s.connect(("127.0.0.1", port))
                self.opened[s] = time.monotonic()
                self.sent[s] = 0
                s.setblocking(False)
                self.socks.append(s)
                self.sel.register(s, selectors.EVENT_READ)

    def _closed_by_server(self, s):
        if s not in self.closed:
            self.closed[s] = time.monotonic()
            self.sel.unregister(s)

    def run(self):
        next_byte = time.monotonic()
        while not self.stop.is_set() and time.monotonic() < self.until and \
                len(self.closed) < len(self.socks):
            for key, _ in self.sel.select(timeout=max(0.0, min(0.2, next_byte - time.monotonic()))):
                try:
                    data = key.fileobj.recv(4096)
                except BlockingIOError:
                    continue
                except OSError:
                    data = b""
                if not data:
                    self._closed_by_server(key.fileobj)
                else:  # an answer to a request that was never finished
                    raise AssertionError(f"the server answered a trickle: {data[:80]!r}")
            if time.monotonic() >= next_byte:
                next_byte += 1.0
                for s in self.socks:
                    if s in self.closed:
                        continue
                    i = self.sent[s]
                    try:
                        s.send(self.REQUEST[i:i + 1])
                        self.sent[s] = i + 1
                    except BlockingIOError:
                        pass
                    except OSError:
                        self._closed_by_server(s)

    def close(self):
        self.stop.set()
        self.join(10)
        for s in self.socks:
            s.close()


def test_slow_headers_do_not_starve_a_normal_client(feed):
    d, port = feed
    took, code, whole = curl_feed(port)
    assert code == 200 and whole.startswith(b"BEGIN:VCALENDAR\r\n") and len(whole) > 5000

    start = time.monotonic()
    slow = Tricklers(port, until=start + DEADLINE + SLACK + 5)
    slow.start()
    try:
        gets = []
        while time.monotonic() < start + DEADLINE:
            took, code, body = curl_feed(port)
            gets.append(took)
            assert code == 200 and body == whole, (code, len(body), len(whole))
            assert took <= FAST, f"a GET took {took:.2f} s while {len(slow.socks)} trickled"
            time.sleep(0.3)
        slow.join(max(0.0, start + DEADLINE + SLACK + 5 - time.monotonic()))
    finally:
        slow.close()
    print(f"{len(gets)} GETs while they trickled, the slowest {max(gets):.3f} s")

    assert len(slow.socks) == len(ADDRESSES) * PER_ADDRESS == 1024
    open_ones = [s for s in slow.socks if s not in slow.closed]
    assert len(open_ones) == 0, (f"{len(open_ones)} trickling connections still open "
                           f"{DEADLINE + SLACK + 5:.0f} s after they connected")
    lives = {s: slow.closed[s] - slow.opened[s] for s in slow.socks}
    refused = [s for s, t in lives.items() if t < 1.0]    # past the per-address limit
    kept = [s for s, t in lives.items() if t >= 1.0]
    print(f"{len(refused)} closed at once, {len(kept)} kept for "
          f"{min(lives[s] for s in kept):.1f}-{max(lives[s] for s in kept):.1f} s"
          if kept else f"{len(refused)} closed at once, none kept")
    late = sorted(t for t in lives.values() if t > DEADLINE + SLACK)
    assert not late, f"{len(late)} closed past {DEADLINE} s + {SLACK} s: {late[:5]}"
    assert kept, "the server took none of the slow connections"
    early = sorted(lives[s] for s in kept if lives[s] < DEADLINE - 1)
    assert not early, f"{len(early)} closed well before the {DEADLINE} s deadline: {early[:5]}"
    assert d.proc.poll() is None


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_content_length_and_chunked_is_refused_and_closed(feed, method):
    _, port = feed
    request = (f"{method} /ledger.ics HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n"
               "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(request)
        answer, t = b"", time.monotonic()
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            except socket.timeout:
                raise AssertionError(f"the connection stayed open after {answer[:200]!r}") from None
            if not chunk:
                break
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 400 "), answer[:200]
    assert time.monotonic() - t < 5
    took, code, body = curl_feed(port)
    assert code == 200 and body.startswith(b"BEGIN:VCALENDAR")
