# SPDX-License-Identifier: MIT
"""Real peers for the delivery tests, and ledgerd itself as their client.

- SmtpServer: aiosmtpd on 127.0.0.1, plain, STARTTLS (a certificate made by
  `openssl req -x509` when the test runs) or TLS from the start, with or
  without AUTH; it can refuse the next N messages with a scripted reply, and
  be stopped and started again on the same port. Every message that reached
  DATA is recorded, refused or not.
- HttpReceiver: http.server's ThreadingHTTPServer speaking HTTP/1.1 with
  keep-alive, which records every request (path, query, headers, body, time
  of arrival) and answers each path from a script: success in the manner of
  each webhook format, an error code inside a 200, 429 with Retry-After, 500,
  410, or slowly.
- Ledgerd: the service in the foreground as the delivery contract starts it
  (--no-bus, --state-dir, --runtime-dir, --now), READY over a NOTIFY_SOCKET of
  our own, and ledgerctl over its private socket.
- write_config(): a ledgerd.conf and a small ledger whose milestones fall
  due on the days a test chooses.
"""

import base64
import collections
import contextlib
import dataclasses
import datetime
import email
import email.policy
import hashlib
import hmac
import http.server
import json
import os
import pathlib
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.parse

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from conftest import LEDGERCTL, LEDGERD, ROOT

TZ = datetime.timezone(datetime.timedelta(hours=8))  # Asia/Shanghai, ledgerd's default


def free_port():
    """A TCP port nobody listens on now (for a server started later)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout, what, interval=0.05):
    """Polls predicate until it returns something true; returns that."""
    deadline = time.monotonic() + timeout
    while True:
        got = predicate()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


# ---- a test certificate ---------------------------------------------------------


class SelfSignedCert:
    """A self-signed certificate for localhost and 127.0.0.1, made by openssl
    now; cert is also the CA file a client trusts."""

    def __init__(self, directory):
        directory = pathlib.Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        self.cert = directory / "cert.pem"
        self.key = directory / "key.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                        "-subj", "/CN=localhost",
                        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                        "-keyout", str(self.key), "-out", str(self.cert)],
                       check=True, capture_output=True, timeout=60)

    def server_context(self):
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(self.cert, self.key)
        return ctx

    def client_context(self):
        return ssl.create_default_context(cafile=str(self.cert))


# ---- SMTP -----------------------------------------------------------------------


@dataclasses.dataclass
class Mail:
    """One message that reached the end of DATA."""
    mail_from: str
    rcpt_tos: list
    data: bytes
    time: float       # time.time() when DATA ended
    accepted: bool
    reply: str        # what the server answered to DATA
    login: str        # the AUTH login, "" without AUTH
    tls: bool         # over TLS (STARTTLS or TLS from the start)

    def message(self):
        return email.message_from_bytes(self.data, policy=email.policy.default)


class _SmtpHandler:
    def __init__(self, server):
        self.server = server

    async def handle_DATA(self, smtp, session, envelope):
        s = self.server
        with s.lock:
            if s._refuse:
                reply = s._refuse.pop(0)
            else:
                reply = "250 2.0.0 Ok: queued as %d" % (len(s.mails) + 1)
            login = session.auth_data.login.decode() if session.authenticated else ""
            s.mails.append(Mail(envelope.mail_from, list(envelope.rcpt_tos),
                                bytes(envelope.original_content or envelope.content),
                                time.time(), reply.startswith("250"), reply, login,
                                smtp.transport.get_extra_info("ssl_object") is not None))
            s.changed.notify_all()
        return reply


class SmtpServer:
    """aiosmtpd on 127.0.0.1:port.

    tls: "none", "starttls" (STARTTLS offered and required before MAIL) or
    "implicit" (smtps). auth: (login, password) makes AUTH required (over TLS
    when there is TLS, else in the clear). Created stopped: call start()."""

    def __init__(self, port=None, tls="none", cert=None, auth=None):
        assert tls in ("none", "starttls", "implicit")
        assert tls == "none" or cert is not None
        self.port = port or free_port()
        self.tls, self.cert, self.auth = tls, cert, auth
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        self.mails = []
        self.auth_failures = 0
        self._refuse = []
        self._controller = None

    @property
    def url(self):
        return ("smtps" if self.tls == "implicit" else "smtp") + f"://127.0.0.1:{self.port}"

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and self.auth is not None and
              auth_data.login.decode() == self.auth[0] and
              auth_data.password.decode() == self.auth[1])
        if not ok:
            with self.lock:
                self.auth_failures += 1
        return AuthResult(success=ok, handled=False, auth_data=auth_data)

    def start(self):
        assert self._controller is None, "running already"
        kwargs = dict(hostname="127.0.0.1", port=self.port, server_hostname="localhost",
                      ready_timeout=10)
        if self.tls == "starttls":
            kwargs.update(tls_context=self.cert.server_context(), require_starttls=True)
        elif self.tls == "implicit":
            kwargs.update(ssl_context=self.cert.server_context())
        if self.auth:
            kwargs.update(authenticator=self._authenticate, auth_required=True,
                          auth_require_tls=self.tls != "none")
        c = _Controller(_SmtpHandler(self), **kwargs)
        c.start()
        self._controller = c
        return self

    def stop(self):
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def restart(self):
        self.stop()
        self.start()

    @property
    def running(self):
        return self._controller is not None

    def refuse_next(self, n, reply="451 4.3.0 Try again later"):
        """Answers reply (a 4xx or 5xx line) to the DATA of the next n messages."""
        with self.lock:
            self._refuse.extend([reply] * n)

    @property
    def accepted(self):
        with self.lock:
            return [m for m in self.mails if m.accepted]

    def wait_for(self, n, timeout=15, accepted=True):
        """Waits until n messages (accepted ones, or any) were received; returns them."""
        with self.lock:
            def got():
                return [m for m in self.mails if m.accepted or not accepted]
            if not self.changed.wait_for(lambda: len(got()) >= n, timeout):
                raise AssertionError(f"{len(got())} of {n} messages after {timeout} s; "
                                     f"all: {[m.reply for m in self.mails]}")
            return got()


class _Controller(Controller):
    """aiosmtpd's Controller, which also drops the connections it has when it
    stops, so that a stopped server is down for a client that kept its
    connection open too."""

    def __init__(self, handler, **kwargs):
        super().__init__(handler, **kwargs)
        self._sessions = []

    def factory(self):
        smtp = super().factory()
        self._sessions.append(smtp)
        return smtp

    def stop(self, no_assert=False):
        def drop_all():
            if self.server is not None:
                self.server.close()
            for smtp in self._sessions:
                t = getattr(smtp, "_original_transport", None) or smtp.transport
                if t is not None and not t.is_closing():
                    try:
                        t.abort()
                    except Exception:  # a TLS transport half torn down already
                        pass
        if self.loop.is_running():
            self.loop.call_soon_threadsafe(drop_all)
        super().stop(no_assert=no_assert)


# ---- HTTP -----------------------------------------------------------------------


@dataclasses.dataclass
class Answer:
    status: int
    body: bytes = b""
    headers: dict = dataclasses.field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering


def success(fmt="json", status=None):
    """What each kind of receiver says when it takes a message."""
    if fmt == "json":
        return Answer(status or 204)
    if fmt in ("wecom", "dingtalk"):
        return Answer(status or 200, b'{"errcode":0,"errmsg":"ok"}',
                      {"Content-Type": "application/json"})
    if fmt == "feishu":
        return Answer(status or 200, b'{"code":0,"msg":"success","data":{}}',
                      {"Content-Type": "application/json"})
    if fmt == "slack":
        return Answer(status or 200, b"ok", {"Content-Type": "text/plain"})
    raise ValueError(fmt)


def errcode(fmt, code, msg="refused"):
    """A bot's refusal inside an HTTP 200."""
    key, text = ("code", "msg") if fmt == "feishu" else ("errcode", "errmsg")
    return Answer(200, json.dumps({key: code, text: msg}).encode(),
                  {"Content-Type": "application/json"})


def too_many(retry_after):
    return Answer(429, b"slow down", {"Retry-After": str(retry_after)})


def server_error():
    return Answer(500, b"internal error")


def gone():
    return Answer(410, b"this endpoint is gone")


def slow(seconds, answer=None):
    a = dataclasses.replace(answer or success())
    a.delay = seconds
    return a


@dataclasses.dataclass
class Request:
    method: str
    path: str       # without the query
    query: dict     # name → value (the last one), percent-decoded
    raw_query: str
    headers: dict   # lower-case name → value
    body: bytes
    time: float     # time.time() when the whole request had arrived
    status: int = 0  # what was answered; 0 until then
    answered: float = 0.0

    def json(self):
        return json.loads(self.body)


class _Route:
    def __init__(self, answers, then):
        self.answers = list(answers)
        self.then = then


class HttpReceiver:
    """An HTTP/1.1 server on 127.0.0.1 that records every request and answers
    each path from a script (see route()). Paths without a route get
    default (json success). Started at once; stop() and start() again keep
    the port."""

    def __init__(self, port=0, default=None):
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        self.requests = []
        self.routes = {}
        self.default = default or success()
        self._stopping = threading.Event()
        self._conns = set()
        self._server = None
        self.port = port
        self.start()

    def url(self, path="/"):
        return f"http://127.0.0.1:{self.port}{path}"

    def route(self, path, *answers, then=None):
        """Answers the requests to path (without query) with answers in turn,
        then with then (default: the last answer, or the receiver's default)."""
        if then is None:
            then = answers[-1] if answers else self.default
        with self.lock:
            self.routes[path] = _Route(answers, then)

    def start(self):
        assert self._server is None
        self._stopping.clear()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes: without TCP_NODELAY the
            # body waits for the client's delayed ACK (40 ms an answer).
            disable_nagle_algorithm = True

            def setup(self):
                super().setup()
                with receiver.lock:
                    receiver._conns.add(self.connection)

            def finish(self):
                with receiver.lock:
                    receiver._conns.discard(self.connection)
                super().finish()

            def log_message(self, *args):
                pass

            def do_POST(self):
                receiver._handle(self)

            do_GET = do_PUT = do_POST

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        """Closes the listening socket and every connection; slow answers in
        progress are dropped."""
        if self._server is None:
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        with self.lock:
            conns = list(self._conns)
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._thread.join(5)
        self._server = None

    def _answer_for(self, path):
        with self.lock:
            r = self.routes.get(path)
            if r is None:
                return self.default
            return r.answers.pop(0) if r.answers else r.then

    def _handle(self, h):
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        parts = urllib.parse.urlsplit(h.path)
        req = Request(h.command, parts.path,
                      {k: v[-1] for k, v in urllib.parse.parse_qs(parts.query).items()},
                      parts.query, {k.lower(): v for k, v in h.headers.items()}, body,
                      time.time())
        with self.lock:
            self.requests.append(req)
            self.changed.notify_all()
        a = self._answer_for(parts.path)
        if a.delay and self._stopping.wait(a.delay):
            h.close_connection = True
            return
        h.send_response(a.status)
        for k, v in a.headers.items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(a.body)))
        h.end_headers()
        if a.body:
            h.wfile.write(a.body)
        h.wfile.flush()
        with self.lock:
            req.status, req.answered = a.status, time.time()
            self.changed.notify_all()

    def received(self, path=None):
        """The requests so far (to path, when given)."""
        with self.lock:
            return [r for r in self.requests if path is None or r.path == path]

    def wait_for(self, n, path=None, timeout=15, answered=False):
        """Waits until n requests (to path) have arrived (and been answered)."""
        def got():
            return [r for r in self.requests if (path is None or r.path == path) and
                    (r.status or not answered)]
        with self.lock:
            if not self.changed.wait_for(lambda: len(got()) >= n, timeout):
                raise AssertionError(f"{len(got())} of {n} requests to {path or 'any path'} "
                                     f"after {timeout} s; have {[r.path for r in self.requests]}")
            return got()

    def wait_paths(self, paths, timeout):
        """Waits until every path in paths got at least one request."""
        paths = set(paths)
        with self.lock:
            if not self.changed.wait_for(lambda: paths <= {r.path for r in self.requests},
                                         timeout):
                seen = {r.path for r in self.requests}
                raise AssertionError(f"{len(paths - seen)} paths got no request after "
                                     f"{timeout} s, e.g. {sorted(paths - seen)[:5]}")


# ---- signatures, by the reference algorithms ---------------------------------------


def standard_webhooks_signature(secret, msg_id, timestamp, body):
    """v1,<base64 HMAC-SHA256(key, id.timestamp.body)>, the key a "whsec_"
    secret's decoded bytes."""
    key = base64.b64decode(secret[6:]) if secret.startswith("whsec_") else secret.encode()
    mac = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def dingtalk_sign(secret, timestamp_ms):
    """base64(HMAC-SHA256(key=secret, msg=timestamp + "\\n" + secret)), before URL-encoding."""
    mac = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


def feishu_sign(secret, timestamp):
    """base64(HMAC-SHA256(key=timestamp + "\\n" + secret, msg=b""))."""
    mac = hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


# ---- configuration ----------------------------------------------------------------


def instant(day, hhmm="09:30"):
    """The Unix time of hh:mm on day in Asia/Shanghai."""
    h, m = map(int, hhmm.split(":"))
    return int(datetime.datetime(day.year, day.month, day.day, h, m, tzinfo=TZ).timestamp())


def utc_text(t):
    """2025-03-24T01:30:00Z, as ledgerctl deliveries --json writes "at"."""
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def libconfig(value, indent=""):
    """A Python value as libconfig text: dicts are groups, lists of dicts
    are lists ( ), other lists are arrays [ ]."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(value, dict):
        inner = indent + "  "
        lines = [f"{inner}{k} = {libconfig(v, inner)};" for k, v in value.items()]
        return "{\n" + "\n".join(lines) + f"\n{indent}}}"
    if isinstance(value, (list, tuple)):
        if value and all(isinstance(v, dict) for v in value):
            inner = indent + "  "
            return "(\n" + ",\n".join(inner + libconfig(v, inner) for v in value) + f"\n{indent})"
        return "[ " + ", ".join(libconfig(v, indent) for v in value) + " ]"
    raise TypeError(type(value))


@dataclasses.dataclass
class Owner:
    id: str
    name: str
    emails: tuple = ()
    mobiles: tuple = ()
    channels: tuple = ()  # channel ids
    feed_token: str = None  # makes the owner's feed private: /<token>/<slug>.ics


@dataclasses.dataclass
class Channel:
    id: str
    format: str
    url: str
    secret: str = None      # written to a file, named by secret_file
    rate_limit: int = None  # None: the format's default


@dataclasses.dataclass
class Task:
    id: str
    item: str
    owners: tuple  # owner names, as a ledger writes them
    due: datetime.date


LEDGER_ID = "t2025"
LEDGER_TITLE = "测试台账"


def write_config(directory, owners, tasks, channels=(), delivery=None, time_of_day="09:30",
                 ledger_id=LEDGER_ID, feed=None, admin_group="root"):
    """ledgerd.conf and ledgers/<ledger_id>.conf in directory: each task one
    milestone on its due day, one reminder on that day at time_of_day
    (leads ["0d"], no overdue notices; the shipped 2025 holidays, so choose
    working days). delivery, feed: those groups as dicts. Returns the path
    of ledgerd.conf."""
    directory = pathlib.Path(directory)
    (directory / "ledgers").mkdir(parents=True, exist_ok=True)
    (directory / "secrets").mkdir(exist_ok=True)
    ledger = {"ledger": {
        "id": ledger_id, "title": LEDGER_TITLE,
        "year": min(t.due for t in tasks).year if tasks else 2025,
        "tasks": [{"id": t.id, "category": "测试", "item": t.item, "detail": "",
                   "owners": list(t.owners), "deadline": t.due.isoformat()} for t in tasks],
    }}
    (directory / f"ledgers/{ledger_id}.conf").write_text(
        "\n".join(f"{k} = {libconfig(v)};" for k, v in ledger.items()) + "\n", encoding="utf-8")
    conf = {
        "timezone": "Asia/Shanghai",
        "state_directory": str(directory / "state"),
        "runtime_directory": str(directory / "run"),
        "admin_group": admin_group,
        "ledgers": [f"ledgers/{ledger_id}.conf"],
        "holidays": [str(ROOT / "conf/holidays/cn-2025.conf")],
        "reminders": {"time": time_of_day, "leads": ["0d"], "overdue": []},
    }
    if delivery is not None:
        conf["delivery"] = delivery
    if feed is not None:
        conf["feed"] = feed
    chans = []
    for c in channels:
        d = {"id": c.id, "format": c.format, "url": c.url}
        if c.secret is not None:
            f = directory / "secrets" / c.id
            f.write_text(c.secret + "\n")
            os.chmod(f, 0o600)
            d["secret_file"] = str(f)
        if c.rate_limit is not None:
            d["rate_limit"] = c.rate_limit
        chans.append(d)
    if chans:
        conf["channels"] = chans
    conf["owners"] = []
    for o in owners:
        d = {"id": o.id, "name": o.name}
        if o.emails:
            d["email"] = list(o.emails)
        if o.mobiles:
            d["mobile"] = list(o.mobiles)
        if o.channels:
            d["channels"] = list(o.channels)
        if o.feed_token is not None:
            d["feed_token"] = o.feed_token
        conf["owners"].append(d)
    path = directory / "ledgerd.conf"
    path.write_text("\n".join(f"{k} = {libconfig(v)};" for k, v in conf.items()) + "\n",
                    encoding="utf-8")
    return path


# ---- ledgerd ------------------------------------------------------------------------


class Ledgerd:
    """ledgerd in the foreground: `ledgerd -c CONF --no-bus (or --user) --state-dir S
    --runtime-dir R --now @EPOCH`, logging to a file, READY over our own
    NOTIFY_SOCKET. The runtime directory and the notify socket live under a
    short /tmp path (a socket's path has at most 107 bytes)."""

    def __init__(self, conf, state):
        self.conf = pathlib.Path(conf)
        self.state = pathlib.Path(state)
        self.short = pathlib.Path(tempfile.mkdtemp(prefix="ld-", dir="/tmp"))
        self.run_dir = self.short / "run"
        self.log = self.state.parent / (self.state.name + ".log")
        self.proc = None
        self.started_at = None  # time.time() when the last start began
        self.now = None         # the --now of the last start (Unix time)
        self.bus_address = None # a session bus to serve on (--user); None: --no-bus
        # A system bus to serve on (no bus option, DBUS_SYSTEM_BUS_ADDRESS);
        # None: as bus_address says.
        self.system_bus_address = None
        self.extra_args = []    # more options, e.g. --accept-new-state

    def start(self, now, wait=True):
        """Starts with the service's clock at now (Unix time); waits for READY."""
        assert self.proc is None or self.proc.poll() is not None, "running already"
        notify_path = self.short / "notify"
        if notify_path.exists():
            notify_path.unlink()
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify.bind(str(notify_path))
        self.messages = []
        env = {k: v for k, v in os.environ.items()
               if k not in ("NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES",
                            "CREDENTIALS_DIRECTORY")}
        env["NOTIFY_SOCKET"] = str(notify_path)
        bus = ["--no-bus"]
        if self.bus_address:
            env["DBUS_SESSION_BUS_ADDRESS"] = self.bus_address
            bus = ["--user"]
        if self.system_bus_address:
            env["DBUS_SYSTEM_BUS_ADDRESS"] = self.system_bus_address
            bus = []
        self.now = int(now)
        self.started_at = time.time()
        with open(self.log, "a") as log:
            log.write(f"==== start --now @{self.now} at {self.started_at:.3f}\n")
            log.flush()
            self.proc = subprocess.Popen(
                [str(LEDGERD), "-c", str(self.conf), *bus, "--state-dir", str(self.state),
                 "--runtime-dir", str(self.run_dir), "--now", f"@{self.now}",
                 *[str(a) for a in self.extra_args]],
                env=env, stdout=log, stderr=log)
        if wait:
            self.wait_for("READY=1")
        return self

    def clock(self):
        """The service's time now, by its --now and the wall time since."""
        return self.now + (time.time() - self.started_at)

    def wall(self, t):
        """The wall time at which the service's clock reads t (about)."""
        return self.started_at + (t - self.now)

    def wait_for(self, what, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(what in m for m in self.messages):
                return
            if self.proc.poll() is not None:
                raise AssertionError(f"ledgerd exited {self.proc.returncode}:\n{self.log_text()}")
            self.notify.settimeout(0.05)
            try:
                self.messages.append(self.notify.recv(4096).decode())
            except socket.timeout:
                pass
        raise AssertionError(f"no {what} from ledgerd; got {self.messages}\n{self.log_text()}")

    def log_text(self):
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def _closed(self):
        self.notify.close()

    def stop(self, sig=signal.SIGTERM, timeout=20):
        """Stops it with sig; returns its exit status."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(sig)
        code = self.proc.wait(timeout=timeout)
        self._closed()
        return code

    def kill(self):
        """kill -9: no chance to clean up."""
        return self.stop(signal.SIGKILL)

    def restart(self, now):
        assert self.stop() == 0, self.log_text()
        self.start(now)

    def close(self):
        """Stops it whatever state it is in (SIGKILL when SIGTERM is not
        enough in 10 s) and removes the short directory."""
        try:
            self.stop(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            self._closed()
        shutil.rmtree(self.short, ignore_errors=True)

    def ctl(self, *args, check=True, timeout=60):
        p = subprocess.run([str(LEDGERCTL), "--runtime-dir", str(self.run_dir),
                            *[str(a) for a in args]], capture_output=True, text=True,
                           timeout=timeout, env={**os.environ, "NO_COLOR": "1"})
        if check and p.returncode != 0:
            raise AssertionError(f"ledgerctl {args} exited {p.returncode}\n{p.stdout}\n"
                                 f"{p.stderr}\nledgerd's log:\n{self.log_text()}")
        return p

    def deliveries(self, *args):
        """ledgerctl deliveries --json [args]: the log, newest first."""
        return json.loads(self.ctl("deliveries", "--json", *args).stdout)

    def status(self):
        return json.loads(self.ctl("status", "--json").stdout)

    def exited(self, timeout=20):
        """For a start that must fail (start(now, wait=False)): its exit
        status, once it has exited within timeout."""
        code = self.proc.wait(timeout=timeout)
        self._closed()
        return code

    def property(self, name, timeout=60):
        """A property of org.ledgerd.Ledger1 read over the private socket."""
        return bus_property(self.run_dir / "private", name, timeout=timeout)


# ---- the bus object, peer to peer -----------------------------------------------------

# busctl cannot ask the private socket (it says Hello to a bus first, which a
# peer-to-peer server does not answer), so python3-dbus does, in a process of
# its own, whose script starts with PEER_CONNECTION: `c`, connected to the
# address in argv[1]. libdbus loses the reply to the first call on a fresh
# peer-to-peer connection to ledgerd (ledgerctl is not affected): a Ping with
# a short timeout goes first.
PEER_CONNECTION = """
import dbus, json, os, sys, time
c = dbus.connection.Connection(sys.argv[1])
try:
    c.call_blocking(None, "/", "org.freedesktop.DBus.Peer", "Ping", "", (), timeout=0.2)
except dbus.DBusException:
    pass
"""

_GET_PROPERTY = PEER_CONNECTION + """
v = c.call_blocking(None, "/org/ledgerd/Ledger1", "org.freedesktop.DBus.Properties", "Get",
                    "ss", ("org.ledgerd.Ledger1", sys.argv[2]), timeout=float(sys.argv[3]))
print(json.dumps(v))
"""


def bus_property(socket_path, name, timeout=60):
    """The property name of org.ledgerd.Ledger1 on the private socket at
    socket_path, as JSON values (a struct is a list)."""
    p = subprocess.run(["/usr/bin/python3", "-c", _GET_PROPERTY, f"unix:path={socket_path}", name,
                        str(timeout)], capture_output=True, text=True, timeout=timeout + 5)
    if p.returncode != 0:
        raise AssertionError(f"Get {name} on {socket_path} failed:\n{p.stderr}")
    return json.loads(p.stdout)


@contextlib.contextmanager
def daemons(directory):
    """Makes Ledgerd instances on configurations in directory (a test's
    tmp_path): make(conf, name="state"); closes them at the end and prints
    their logs (pytest shows them when the test failed)."""
    made = []

    def make(conf, name="state"):
        d = Ledgerd(conf, pathlib.Path(directory) / name)
        made.append(d)
        return d

    try:
        yield make
    finally:
        for d in made:
            d.close()
            print(f"---- {d.log}\n{d.log_text()}")


def settled(d, n, timeout=20, args=()):
    """Waits until d's delivery log holds n deliveries and none is pending;
    returns them by target."""
    last = []

    def done():
        last[:] = d.deliveries(*args)
        return len(last) >= n and all(x["status"] != "pending" for x in last)

    try:
        wait_until(done, timeout, f"{n} settled deliveries", interval=0.2)
    except AssertionError as e:
        raise AssertionError(f"{e}; the log: {last[:20]}") from None
    assert len(last) == n, last
    return {x["target"]: x for x in last}


def webhook_fleet(receiver, n, due, start=1):
    """n owners numbered from start, each with a json channel of its own on
    receiver (path /hook/<k>) and a task k of its own due on due: (owners,
    channels, tasks)."""
    ks = range(start, start + n)
    owners = [Owner(f"o{k}", f"单位{k}", channels=(f"c{k}",)) for k in ks]
    channels = [Channel(f"c{k}", "json", receiver.url(f"/hook/{k}")) for k in ks]
    tasks = [Task(str(k), f"事项{k}", (f"单位{k}",), due) for k in ks]
    return owners, channels, tasks


def once_each(receivers, log):
    """Each delivery of log (by target, the channels of webhook_fleet())
    reached its receiver exactly once, under its own path, with its key as
    webhook-id, and nothing else came."""
    requests = [r for rc in receivers for r in rc.received()]
    counts = collections.Counter(r.headers.get("webhook-id") for r in requests)
    doubled = [i for i, c in counts.items() if c > 1]
    assert not doubled, f"{len(doubled)} messages came more than once, e.g. {doubled[:3]}"
    for r in requests:
        k = r.path.removeprefix("/hook/")
        dl = log.get(f"channel:c{k}")
        assert dl is not None, f"a request to {r.path}, which no delivery names"
        assert r.headers.get("webhook-id") == dl["key"], (r.path, r.headers, dl)
    assert len(requests) == len(log), (len(requests), len(log))
