# SPDX-License-Identifier: MIT
"""The calendar feeds over HTTP (issue 5): the real ledgerd on loopback, on a
free port, asked by curl, by raw sockets and by python's http.client; the
feeds it serves read by python3-icalendar, vobject and calcurse; hostile
requests; and a reload and a done mark while requests stream in."""

import email.utils
import gzip
import hashlib
import http.client
import json
import re
import shutil
import signal
import socket
import subprocess
import threading
import time

import pytest

import icslint
from conftest import LEDGERD, ROOT

TOKEN = "s3cret-Feed_token-0123456789"
SLUG_PRIVATE = "czj-sbg"  # 县财政局社会保障股: its feed needs the token


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def configure(conf_dir, listen, directory=None, token=True):
    """The copied ledgerd.conf, serving on listen (a list), maybe writing
    the feeds into directory, with czj-sbg's feed private."""
    path = conf_dir / "ledgerd.conf"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"\n\s*listen = \[.*?\];[^\n]*", "", text)
    text = re.sub(r"\n\s*directory = [^\n]*", "", text)
    extra = "listen = [ %s ];" % ", ".join(f'"{a}"' for a in listen)
    if directory:
        extra += f' directory = "{directory}";'
    text = text.replace('refresh = "PT6H";', f'refresh = "PT6H"; {extra}', 1)
    if token:
        text = text.replace('{ id = "czj-sbg"; name = "县财政局社会保障股";',
                            f'{{ id = "czj-sbg"; name = "县财政局社会保障股"; feed_token = "{TOKEN}";', 1)
    path.write_text(text, encoding="utf-8")
    return path


class Daemon:
    """ledgerd in the foreground, with its state and socket under tmp."""

    def __init__(self, conf, tmp, port, prefix=()):
        self.tmp = tmp
        self.port = port
        self.run_dir = tmp / "run"
        self.log = open(tmp / "ledgerd.log", "w+b")
        self.proc = subprocess.Popen(
            [*prefix, str(LEDGERD), "-c", str(conf), "--no-bus", "--state-dir", str(tmp / "state"),
             "--runtime-dir", str(self.run_dir)], stdout=subprocess.DEVNULL, stderr=self.log)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log_text()
            # HTTP first: under systemd-socket-activate, the first connection starts ledgerd.
            if self.answers() and (self.run_dir / "private").exists():
                return
            time.sleep(0.05)
        log = self.log_text()
        self.stop()
        raise AssertionError("ledgerd did not start:\n" + log)

    def answers(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                return s.recv(12).startswith(b"HTTP/1.1 200")
        except OSError:
            return False

    def log_text(self):
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self):
        """Stops it; it must not have crashed on the way."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)
        code = self.proc.returncode
        self.log.close()
        return code


@pytest.fixture
def daemon(tmp_path, conf_copy):
    port = free_port()
    conf = configure(conf_copy, [f"127.0.0.1:{port}"], directory=tmp_path / "feeds")
    d = Daemon(conf, tmp_path, port)
    d.conf = conf
    d.conf_dir = conf_copy
    yield d
    assert d.stop() == 0, d.log_text()


# ---- clients ----------------------------------------------------------------------------


def curl(*args):
    """curl's answer: (status, {lower-case header: value}, body bytes)."""
    p = subprocess.run(["curl", "-s", "-i", "--path-as-is", "--max-time", "20", *args],
                       capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr
    head, _, body = p.stdout.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, body


def raw(port, request, source="127.0.0.1"):
    """Sends request bytes as they are; returns all the answer (the server
    closes) or what came within the timeout."""
    with socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0)) as s:
        s.sendall(request)
        answer = b""
        try:
            while chunk := s.recv(65536):
                answer += chunk
        except (socket.timeout, ConnectionResetError):
            pass
        return answer


def strong_etag(body):
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def uids(data):
    return re.findall(rb"^UID:(\S+)\r$", data, re.M)


def dbus_call(d, method, signature="", args=(), interface="org.ledgerd.Ledger1"):
    """A call over the private socket, peer to peer (no bus name, so not
    busctl), with python3-dbus; the answer as JSON."""
    # libdbus loses the reply to the first call on a fresh peer-to-peer
    # connection to ledgerd (later ones arrive; ledgerctl is not affected):
    # a Ping with a short timeout goes first.
    code = ("import dbus,sys,json;c=dbus.connection.Connection(sys.argv[1])\n"
            "try: c.call_blocking(None,'/','org.freedesktop.DBus.Peer','Ping','',(),timeout=0.2)\n"
            "except dbus.DBusException: pass\n"
            "r=c.call_blocking(None,'/org/ledgerd/Ledger1',sys.argv[2],sys.argv[3],sys.argv[4],"
            "json.loads(sys.argv[5]),timeout=30)\n"
            "print(json.dumps(r))")
    p = subprocess.run(["/usr/bin/python3", "-c", code, f"unix:path={d.run_dir}/private", interface,
                        method, signature, json.dumps(list(args))],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


# ---- what is served -------------------------------------------------------------------------


def test_feed_and_its_headers(daemon, tmp_path):
    status, h, body = curl(daemon.url("/ledger.ics"))
    assert status == 200
    assert h["content-type"] == "text/calendar; charset=utf-8"
    assert h["etag"] == strong_etag(body)
    assert h["cache-control"] == "no-cache"
    assert h["vary"] == "Accept-Encoding"
    assert int(h["content-length"]) == len(body)
    assert "content-encoding" not in h
    modified = email.utils.parsedate_to_datetime(h["last-modified"]).timestamp()
    assert time.time() - 120 < modified <= time.time() + 1
    # The same bytes as --print-ics with the same state (the same revisions).
    printed = subprocess.run([LEDGERD, "-c", daemon.conf, "--state-dir", tmp_path / "state",
                              "--print-ics"], capture_output=True, check=True).stdout
    assert body == printed
    # …and as the feed directory, whose files carry Last-Modified as their time.
    assert (tmp_path / "feeds/ledger.ics").read_bytes() == body
    assert gzip.decompress((tmp_path / "feeds/ledger.ics.gz").read_bytes()) == body
    assert (tmp_path / "feeds/ledger.ics").stat().st_mtime == modified
    assert (tmp_path / "feeds" / TOKEN / f"{SLUG_PRIVATE}.ics").is_file()
    assert not (tmp_path / "feeds" / f"{SLUG_PRIVATE}.ics").exists()


def test_served_feed_passes_every_validator(daemon):
    _, _, body = curl(daemon.url("/ledger.ics"))
    assert icslint.lint(body) == []
    assert icslint.parse_with_icalendar(body) == []
    assert icslint.validate_with_vobject(body) == []
    assert len(uids(body)) >= 30


def test_calcurse_imports_the_served_feed(daemon, tmp_path):
    _, _, body = curl(daemon.url("/ledger.ics"))
    assert len(uids(body)) >= 30
    assert icslint.import_with_calcurse(body, tmp_path) == []


def test_owner_feeds_hold_exactly_their_milestones(daemon):
    """Against the bus API's own list (another code path): each owner's feed
    holds the dated milestones whose task names that owner, and no other."""
    milestones = dbus_call(daemon, "ListMilestones", "a{sv}", [{}])
    slugs = {"县财政局": "czj", "各相关部门单位": "bumen", "州财政局": "zhou-czj",
             "县财政局社会保障股": f"{TOKEN}/{SLUG_PRIVATE}", "县财政局企业股": "czj-qyg"}
    everything, public = set(), set()
    for name, slug in slugs.items():
        status, _, body = curl(daemon.url(f"/{slug}.ics"))
        assert status == 200, slug
        want = {f"{m[1]}@{m[0]}.ledgerd".encode() for m in milestones if m[5] and name in m[7]}
        assert sorted(uids(body)) == sorted(want), name
        unfolded = body.replace(b"\r\n ", b"")
        assert f"X-WR-CALNAME:尉犁县预算绩效管理工作台账 · {name}\r\n".encode() in unfolded
        assert icslint.lint(body) == []
        everything |= want
        if slug != f"{TOKEN}/{SLUG_PRIVATE}":
            public |= want
    # The feed of everything is public: a task whose owners all have a
    # feed_token (28, 县财政局社会保障股's only one) is left out of it.
    _, _, all_body = curl(daemon.url("/ledger.ics"))
    assert set(uids(all_body)) == public
    assert everything - public == {b"28@yuli-2025.ledgerd"}
    assert set(uids(curl(daemon.url(f"/{TOKEN}/{SLUG_PRIVATE}.ics"))[2])) == {b"28@yuli-2025.ledgerd"}


def test_index_page(daemon):
    status, h, body = curl(daemon.url("/"))
    assert status == 200
    assert h["content-type"] == "text/html; charset=utf-8"
    page = body.decode("utf-8")
    base = f"127.0.0.1:{daemon.port}"
    for slug in ["ledger", "czj", "bumen", "zhou-czj", "czj-qyg"]:
        assert f'href="webcal://{base}/{slug}.ics"' in page
        assert f'href="http://{base}/{slug}.ics"' in page
    assert TOKEN not in page and f"/{SLUG_PRIVATE}.ics" not in page  # named, without its address
    assert "县财政局社会保障股" in page
    for app in ["Outlook", "Apple", "iPhone", "Thunderbird", "Google"]:
        assert app in page


def test_feed_urls_property(daemon):
    urls = dbus_call(daemon, "Get", "ss", ["org.ledgerd.Ledger1", "FeedURLs"],
                     interface="org.freedesktop.DBus.Properties")
    base = f"http://127.0.0.1:{daemon.port}"
    assert urls == [f"{base}/ledger.ics", f"{base}/czj.ics", f"{base}/bumen.ics",
                    f"{base}/zhou-czj.ics", f"{base}/<token>/{SLUG_PRIVATE}.ics",
                    f"{base}/czj-qyg.ics"]


# ---- HTTP ---------------------------------------------------------------------------------


def test_if_none_match(daemon):
    url = daemon.url("/ledger.ics")
    _, h, _ = curl(url)
    etag = h["etag"]
    for value in [etag, f"W/{etag}", f'"other", {etag}', "*"]:
        status, h304, body = curl("-H", f"If-None-Match: {value}", url)
        assert status == 304, value
        assert body == b""
        assert h304["etag"] == etag
        assert h304["cache-control"] == "no-cache" and h304["vary"] == "Accept-Encoding"
    assert curl("-H", 'If-None-Match: "0123"', url)[0] == 200
    # If-None-Match decides: a matching date does not make a changed tag 304.
    status, _, _ = curl("-H", 'If-None-Match: "0123"', "-H",
                        f"If-Modified-Since: {h['last-modified']}", url)
    assert status == 200


def test_if_modified_since(daemon):
    url = daemon.url("/ledger.ics")
    _, h, _ = curl(url)
    modified = email.utils.parsedate_to_datetime(h["last-modified"]).timestamp()
    assert curl("-H", f"If-Modified-Since: {h['last-modified']}", url)[0] == 304
    now = email.utils.formatdate(time.time(), usegmt=True)
    assert curl("-H", f"If-Modified-Since: {now}", url)[0] == 304
    earlier = email.utils.formatdate(modified - 1, usegmt=True)
    assert curl("-H", f"If-Modified-Since: {earlier}", url)[0] == 200
    # A date that cannot be read, or in the future, is ignored (RFC 9110 13.1.3).
    assert curl("-H", "If-Modified-Since: yesterday", url)[0] == 200
    future = email.utils.formatdate(time.time() + 86400, usegmt=True)
    assert curl("-H", f"If-Modified-Since: {future}", url)[0] == 200
    # The other two forms of HTTP-date.
    asctime = time.strftime("%a %b %e %H:%M:%S %Y", time.gmtime(modified))
    assert curl("-H", f"If-Modified-Since: {asctime}", url)[0] == 304
    rfc850 = time.strftime("%A, %d-%b-%y %H:%M:%S GMT", time.gmtime(modified))
    assert curl("-H", f"If-Modified-Since: {rfc850}", url)[0] == 304


def test_head(daemon):
    url = daemon.url("/ledger.ics")
    _, get_h, body = curl(url)
    status, h, head_body = curl("-I", url)
    assert status == 200 and head_body == b""
    assert int(h["content-length"]) == len(body)
    for name in ["etag", "last-modified", "content-type", "cache-control", "vary"]:
        assert h[name] == get_h[name]


def test_gzip_round_trip(daemon):
    url = daemon.url("/ledger.ics")
    _, plain_h, plain = curl(url)
    status, h, packed = curl("-H", "Accept-Encoding: gzip, deflate", url)
    assert status == 200
    assert h["content-encoding"] == "gzip"
    assert h["vary"] == "Accept-Encoding"
    assert int(h["content-length"]) == len(packed) < len(plain) / 4
    assert gzip.decompress(packed) == plain
    assert h["etag"] == plain_h["etag"][:-1] + '-gz"'  # another representation, another tag
    assert curl("-H", "Accept-Encoding: gzip", "-H", f"If-None-Match: {h['etag']}", url)[0] == 304
    _, h0, body0 = curl("-H", "Accept-Encoding: gzip;q=0, br", url)
    assert "content-encoding" not in h0 and body0 == plain


def test_private_feed_token(daemon):
    status, h, body = curl(daemon.url(f"/{TOKEN}/{SLUG_PRIVATE}.ics"))
    assert status == 200 and uids(body) == [b"28@yuli-2025.ledgerd"]
    assert h["cache-control"] == "private, no-cache"
    wrong = TOKEN[:-1] + ("x" if TOKEN[-1] != "x" else "y")
    for path in [f"/{wrong}/{SLUG_PRIVATE}.ics", f"/{SLUG_PRIVATE}.ics", f"/{TOKEN}x/{SLUG_PRIVATE}.ics",
                 f"/{TOKEN[:-1]}/{SLUG_PRIVATE}.ics", f"//{SLUG_PRIVATE}.ics", f"/{TOKEN}/czj.ics",
                 f"/{TOKEN}/", f"/{TOKEN}/{TOKEN}/{SLUG_PRIVATE}.ics"]:
        status, h, body = curl(daemon.url(path))
        assert status == 404, path
        assert body == b"Not Found\n"


def test_not_found_and_method_not_allowed(daemon):
    for path in ["/nope.ics", "/ledger.ics/", "/ledger", "/LEDGER.ICS", "/index.html", "/czj.ics.gz"]:
        assert curl(daemon.url(path))[0] == 404, path
    for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "BREW"]:
        status, h, body = curl("-X", method, "-d", "x=1", daemon.url("/ledger.ics"))
        assert status == 405, method
        assert h["allow"] == "GET, HEAD"


# ---- hostile requests -------------------------------------------------------------------------


def still_serving(daemon):
    status, h, body = curl(daemon.url("/ledger.ics"))
    assert status == 200 and h["etag"] == strong_etag(body)


def test_long_urls_and_headers(daemon):
    long = "a" * 100_000
    assert curl(daemon.url("/" + long))[0] == 414
    assert curl("-H", f"X-Long: {long}", daemon.url("/ledger.ics"))[0] == 431
    many = [arg for i in range(2000) for arg in ("-H", f"X-Header-{i}: {'v' * 20}")]
    assert curl(*many, daemon.url("/ledger.ics"))[0] == 431
    still_serving(daemon)


def test_path_traversal_and_garbage(daemon):
    port = daemon.port
    for path in [b"/../etc/passwd", b"/%2e%2e/etc/passwd", b"/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
                 b"/..%2f..%2fetc%2fpasswd", b"/ledger.ics/../../etc/passwd", b"/./ledger.ics",
                 b"/%00", b"/ledger.ics%00.html", b"/%00/../ledger.ics", b"/czj.ics%00",
                 b"/" + TOKEN.encode() + b"/../ledger.ics",
                 b"/state.db", b"/../state/state.db", b"/feeds.stamps"]:
        answer = raw(port, b"GET " + path + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert answer.startswith(b"HTTP/1.1 404") or answer.startswith(b"HTTP/1.1 400"), (path, answer[:80])
        assert b"root:" not in answer and b"SQLite" not in answer
    for request in [b"GARBAGE\r\n\r\n", b"GET\r\n\r\n", b"get /ledger.ics HTTP/1.1\r\nHost: x\r\n\r\n",
                    b"GET /ledger.ics HTTP/9.9\r\nHost: x\r\n\r\n", b"\x00\xff\xfe\r\n\r\n",
                    b"GET /ledger.ics HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
                    b"GET /ledger.ics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"]:
        answer = raw(port, request)
        assert not answer.startswith(b"HTTP/1.1 200"), request
    still_serving(daemon)


def is_open(s):
    """Whether the server still holds this connection (no EOF, no reset)."""
    s.setblocking(False)
    try:
        return s.recv(1) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False


def test_hundreds_of_idle_connections(daemon):
    """300 idle connections from other addresses, and one client holding
    more than its share (32 per address), while a normal request still gets
    its feed."""
    idle = []
    try:
        for i in range(300):  # 30 from each of 10 addresses: under the per-address limit
            idle.append(socket.create_connection(("127.0.0.1", daemon.port), timeout=5,
                                                 source_address=(f"127.0.0.{2 + i % 10}", 0)))
        greedy = 0
        for _ in range(300):  # from one address: past the limit, refused
            try:
                s = socket.create_connection(("127.0.0.1", daemon.port), timeout=5,
                                             source_address=("127.0.0.19", 0))
                idle.append(s)
                greedy += 1
            except OSError:
                pass
        for s in idle[:50]:  # slow clients: half a request each
            s.sendall(b"GET /ledger.ics HTTP/1.1\r\nHost: x\r\n")
        t = time.monotonic()
        still_serving(daemon)
        assert time.monotonic() - t < 2
        # The server kept at most its per-address limit of the greedy ones.
        time.sleep(0.5)
        assert greedy > 32
        assert sum(is_open(s) for s in idle[300:]) <= 32
        assert sum(is_open(s) for s in idle[:300]) == 300
    finally:
        for s in idle:
            s.close()
    still_serving(daemon)


# ---- changes while serving --------------------------------------------------------------------


class Stream(threading.Thread):
    """Asks for a feed again and again on keep-alive connections, keeping
    every (etag, body) it got."""

    def __init__(self, port, path, headers=None):
        super().__init__(daemon=True)
        self.port, self.path, self.headers = port, path, headers or {}
        self.stop = threading.Event()
        self.seen = []  # (etag, sha256 of the body), in order
        self.bodies = {}  # sha256 → body
        self.errors = []

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        while not self.stop.is_set():
            try:
                conn.request("GET", self.path, headers=self.headers)
                r = conn.getresponse()
                body = r.read()
                if r.getheader("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                digest = hashlib.sha256(body).hexdigest()
                etag = r.getheader("ETag")
                if r.status != 200 or etag.removesuffix('-gz"').removesuffix('"') != '"' + digest[:32]:
                    self.errors.append((r.status, etag, digest))
                self.seen.append((etag, digest))
                self.bodies[digest] = body
            except Exception as e:  # noqa: BLE001 — any failure is the test's finding
                self.errors.append(repr(e))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.close()

    def etags(self):
        """The distinct etags, in the order they first came."""
        return list(dict.fromkeys(e for e, _ in self.seen))


def wait_for(predicate, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_reload_and_done_mark_under_load(daemon):
    streams = [Stream(daemon.port, "/ledger.ics"),
               Stream(daemon.port, "/ledger.ics", {"Accept-Encoding": "gzip"}),
               Stream(daemon.port, f"/{TOKEN}/{SLUG_PRIVATE}.ics"),
               Stream(daemon.port, "/czj-qyg.ics")]
    for s in streams:
        s.start()
    assert wait_for(lambda: all(len(s.seen) > 20 for s in streams))
    before = curl(daemon.url("/ledger.ics"))[1]["etag"]
    qyg_before = curl(daemon.url("/czj-qyg.ics"))[1]

    # A done mark: the feeds do not show done marks, so nothing changes.
    dbus_call(daemon, "MarkDone", "ss", ["15.2", "已报送"])
    n = len(streams[0].seen)
    assert wait_for(lambda: len(streams[0].seen) > n + 50)
    assert curl(daemon.url("/ledger.ics"))[1]["etag"] == before

    # A reload with two changed deadlines: task 28, 县财政局社会保障股's only
    # one, in its private feed only; task 27 (州财政局) in the public feed.
    ledger = daemon.conf_dir / "ledgers/yuli-2025.conf"
    text = ledger.read_text(encoding="utf-8")
    text = text.replace('deadline = "11月10日前";', 'deadline = "11月12日前";', 1)
    text = text.replace('deadline = "10月1日前";', 'deadline = "10月20日前";', 1)
    ledger.write_text(text, encoding="utf-8")
    daemon.proc.send_signal(signal.SIGHUP)
    assert wait_for(lambda: all(len(s.etags()) == 2 for s in streams[:3])), daemon.log_text()
    # A reload that changes nothing changes no tag.
    daemon.proc.send_signal(signal.SIGHUP)
    n = len(streams[0].seen)
    assert wait_for(lambda: len(streams[0].seen) > n + 100)
    for s in streams:
        s.stop.set()
    for s in streams:
        s.join(timeout=30)

    for s in streams:
        assert s.errors == [], s.errors[:3]
        # Every response was whole: its tag is the hash of its bytes (checked
        # per response in the thread), and every body is a valid calendar.
        for body in s.bodies.values():
            assert icslint.lint(body) == [], s.path
        # Tags and contents change together, once, old to new, never back.
        assert len(s.bodies) == len(s.etags())
        tags = [e for e, _ in s.seen]
        first_new = tags.index(s.etags()[-1])
        assert all(t == s.etags()[-1] for t in tags[first_new:])
    assert len(streams[0].etags()) == 2 and streams[0].etags()[0] == before
    new_all = streams[0].bodies[streams[0].seen[-1][1]]
    assert b"DTSTART;VALUE=DATE:20251020\r\n" in new_all
    assert b"UID:28@yuli-2025.ledgerd" not in new_all
    private_new = streams[2].bodies[streams[2].seen[-1][1]]
    assert b"DTSTART;VALUE=DATE:20251112\r\n" in private_new and b"SEQUENCE:1\r\n" in private_new
    # An owner whose milestones did not move: same bytes, same tag, same date.
    assert len(streams[3].etags()) == 1
    qyg_after = curl(daemon.url("/czj-qyg.ics"))[1]
    assert qyg_after["etag"] == qyg_before["etag"]
    assert qyg_after["last-modified"] == qyg_before["last-modified"]
    # The feed directory followed.
    assert (daemon.tmp / "feeds/ledger.ics").read_bytes() == new_all


def test_last_modified_survives_a_restart(tmp_path, conf_copy):
    port = free_port()
    conf = configure(conf_copy, [f"127.0.0.1:{port}"])
    d = Daemon(conf, tmp_path, port)
    first = curl(d.url("/ledger.ics"))[1]
    assert d.stop() == 0
    time.sleep(1.1)  # a second later: a new Last-Modified would show
    d = Daemon(conf, tmp_path, port)
    again = curl(d.url("/ledger.ics"))[1]
    assert d.stop() == 0
    assert again["etag"] == first["etag"] and again["last-modified"] == first["last-modified"]


# ---- sockets ------------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("systemd-socket-activate") is None,
                    reason="systemd-socket-activate is not installed")
def test_socket_activation(tmp_path, conf_copy):
    """The socket comes from systemd (here its stand-in): feed.listen is then
    not used, and the links name the socket's address."""
    port, unused = free_port(), free_port()
    conf = configure(conf_copy, [f"127.0.0.1:{unused}"])
    d = Daemon(conf, tmp_path, port, prefix=("systemd-socket-activate", "-l", f"127.0.0.1:{port}"))
    try:
        status, _, body = curl(d.url("/"))
        assert status == 200 and f"http://127.0.0.1:{port}/ledger.ics".encode() in body
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", unused), timeout=2).close()
        assert "systemd passed" in d.log_text()
    finally:
        assert d.stop() == 0


def test_ipv6_and_a_port_in_use(tmp_path, conf_copy):
    """An address of feed.listen taken by someone else fails the start, with
    the reason, as it does for nginx (it used to be logged and skipped);
    without it, the two others serve, IPv6 too."""
    port = free_port()
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen()
    taken = blocker.getsockname()[1]
    try:
        conf_taken = tmp_path / "conf-taken"
        shutil.copytree(ROOT / "conf", conf_taken)
        conf = configure(conf_taken, [f"127.0.0.1:{taken}", f"[::1]:{port}", f"127.0.0.1:{port}"])
        p = subprocess.run([LEDGERD, "-c", conf, "--no-bus", "--state-dir", tmp_path / "state-taken",
                            "--runtime-dir", tmp_path / "run-taken"],
                           capture_output=True, text=True, timeout=30)
        assert p.returncode != 0, p.stderr
        assert (f"cannot listen on 127.0.0.1:{taken} (feed.listen): Address already in use"
                in p.stderr), p.stderr

        conf = configure(conf_copy, [f"[::1]:{port}", f"127.0.0.1:{port}"])
        d = Daemon(conf, tmp_path, port)
        try:
            conn = http.client.HTTPConnection("::1", port, timeout=10)
            conn.request("GET", "/ledger.ics")
            r = conn.getresponse()
            assert r.status == 200 and r.read().startswith(b"BEGIN:VCALENDAR\r\n")
            still_serving(d)
        finally:
            assert d.stop() == 0
    finally:
        blocker.close()
