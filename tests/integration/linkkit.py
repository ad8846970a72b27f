# SPDX-License-Identifier: MIT
"""What the tests of the links in reminders share (test_links.py,
test_links_browser.py): a ledger made for them with its feed served on a
free loopback port and feed.base_url set, the links read out of the
messages ledgerd really sent (Maildir outbox, webhook bodies), an HTTP
client that keeps every answer (for the header checks) and can speak from
any 127.0.0.x, tokens signed here by the format of core/http/link.h with
the service's own key (expired ones, other owners'), the pages read with
html.parser and the feeds' events read line by line."""

import base64
import dataclasses
import datetime
import email
import email.policy
import hashlib
import hmac
import html.parser
import http.client
import itertools
import json
import re
import time
import urllib.parse

import peers

DAY = datetime.date(2025, 3, 24)   # a Monday, no holiday
AT = peers.instant(DAY)            # 09:30 on it, the reminders' time
LEDGER = peers.LEDGER_ID
FORM = "application/x-www-form-urlencoded"

CZJ = "县财政局"
SJJ = "县审计局"


def day(n):
    """DAY + n days."""
    return DAY + datetime.timedelta(days=n)


def configure(directory, owners, tasks, port, channels=(), leads=("0d",), overdue=()):
    """peers.write_config with the feed on 127.0.0.1:port and base_url set,
    and these reminder leads and overdue notices for everyone."""
    conf = peers.write_config(directory, owners, tasks, channels=channels,
                              feed={"listen": [f"127.0.0.1:{port}"],
                                    "base_url": f"http://127.0.0.1:{port}"})
    text = conf.read_text(encoding="utf-8")
    text, n = re.subn(r'\n  leads = \[ "0d" \];\n  overdue = \[  \];\n',
                      f"\n  leads = {peers.libconfig(list(leads))};\n"
                      f"  overdue = {peers.libconfig(list(overdue))};\n", text, count=1)
    assert n == 1, text
    conf.write_text(text, encoding="utf-8")
    return conf


# ---- tokens ---------------------------------------------------------------------------


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def link_key(state):
    """The service's key of links, <state>/link.key: 32 bytes, 0600."""
    path = state / "link.key"
    assert path.stat().st_mode & 0o777 == 0o600, oct(path.stat().st_mode)
    key = path.read_bytes()
    assert len(key) == 32
    return key


def sign(key, action, milestone, owner, expires, generation=0, ledger=LEDGER):
    """A token as core/http/link.h makes it: base64url(claim) "." base64url
    of the first 16 bytes of HMAC-SHA256(key, claim)."""
    claim = f"1\n{action}\n{ledger}\n{milestone}\n{owner}\n{int(expires)}\n{int(generation)}".encode()
    return b64url(claim) + "." + b64url(hmac.new(key, claim, hashlib.sha256).digest()[:16])


def claim_of(token):
    """The fields of a token's claim (not checked)."""
    version, action, ledger, milestone, owner, expires, generation = \
        unb64url(token.split(".")[0]).decode().split("\n")
    return {"version": version, "action": action, "ledger": ledger, "milestone": milestone,
            "owner": owner, "expires": int(expires), "generation": int(generation)}


def reclaim(token, **fields):
    """The token with some fields of its claim changed and its signature kept:
    a link for another milestone or owner, as someone would try to make one."""
    c = claim_of(token)
    c.update(fields)
    claim = "\n".join(str(c[k]) for k in ("version", "action", "ledger", "milestone", "owner",
                                          "expires", "generation")).encode()
    return b64url(claim) + "." + token.split(".")[1]


B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def forge(token, index):
    """The token with one character changed, at index (negative from the
    end), to another of the alphabet; the dot stays."""
    chars = list(token)
    assert chars[index] != "."
    # Not the character's neighbour in the alphabet: the last character of
    # a base64 group carries bits that may be padding.
    chars[index] = B64URL[(B64URL.index(chars[index]) + 32) % 64]
    forged = "".join(chars)
    assert forged != token
    return forged


def token_of(url):
    return urllib.parse.urlsplit(url).path.rsplit("/", 1)[1]


def path_of(url):
    """/act/<token> of a full URL (with its query, if any)."""
    parts = urllib.parse.urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


# ---- links in messages --------------------------------------------------------------------

LINE_KINDS = [("done", "已完成，点此登记："), ("snooze1", "推迟1天："), ("snooze3", "推迟3天："),
              ("snooze7", "推迟7天："), ("page", "查看我的全部事项：")]


def links_in(text):
    """Every reminder's links in a message's text, in order: a list of
    {"done": url, "snooze1": …, "snooze3": …, "snooze7": …, "page": …}."""
    found = {kind: re.findall("^" + re.escape(words) + r"(\S+)$", text, re.M)
             for kind, words in LINE_KINDS}
    n = len(found["done"])
    assert all(len(v) == n for v in found.values()), found
    return [{kind: found[kind][i] for kind, _ in LINE_KINDS} for i in range(n)]


def maildir(state):
    """The messages in the Maildir outbox, oldest first."""
    new = state / "outbox/new"
    if not new.is_dir():
        return []
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in sorted(new.iterdir(), key=lambda p: p.stat().st_mtime)]


def text_of(msg):
    """The plain text of a message, with its lines ending in LF."""
    return msg.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def wait_mail(state, n=1, timeout=15):
    return peers.wait_until(lambda: (lambda m: m if len(m) >= n else None)(maildir(state)),
                            timeout, f"{n} messages in the outbox")


# ---- HTTP ----------------------------------------------------------------------------


@dataclasses.dataclass
class Answer:
    method: str
    path: str
    status: int
    headers: list  # (name, value) as they came, every one
    body: bytes

    def header(self, name):
        values = [v for k, v in self.headers if k.lower() == name.lower()]
        assert len(values) <= 1, (name, values)
        return values[0] if values else None

    @property
    def text(self):
        return self.body.decode("utf-8")

    def page(self):
        return Page(self.text)


class Web:
    """A client of ledgerd's HTTP server that keeps every answer in seen."""

    def __init__(self, port):
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.seen = []
        self._sources = itertools.count()

    def request(self, method, url, body=None, headers=None, source=None):
        """source: the address to send from; by default one of 127.0.0.100
        to 127.0.0.199 in turn, so that a test's many requests stay under
        the limit per address (which one test tries on purpose)."""
        if source is None:
            source = f"127.0.0.{100 + next(self._sources) % 100}"
        path = path_of(url) if url.startswith("http") else url
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15,
                                          source_address=(source, 0))
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            a = Answer(method, path, r.status, r.getheaders(), r.read())
        finally:
            conn.close()
        self.seen.append(a)
        return a

    def get(self, url, **kwargs):
        return self.request("GET", url, **kwargs)

    def post(self, url, body="confirm=1", content_type=FORM, headers=None, **kwargs):
        h = {"Content-Type": content_type} if content_type else {}
        h.update(headers or {})
        return self.request("POST", url, body=body, headers=h, **kwargs)

    def feed(self, path="/ledger.ics"):
        a = self.get(path)
        assert a.status == 200, (path, a.status)
        return a.body


# ---- pages --------------------------------------------------------------------------------


@dataclasses.dataclass
class Form:
    method: str
    action: str
    inputs: dict
    buttons: list


@dataclasses.dataclass
class Card:
    heading: str   # the h2 it comes under ("" before any)
    item: str
    meta: str
    forms: list


class Page(html.parser.HTMLParser):
    """A page of ledgerd, read: title, h1, the notice, every form, the cards
    (milestones) under their h2, all the text; and the tags met."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.html = text
        self.title = self.h1 = self.notice = ""
        self.forms, self.cards, self.tags, self.headings = [], [], [], []
        self.chunks = []
        self._in = []          # open elements: (tag, class)
        self._card = None
        self._form = None
        self._field = None     # the text being read: title, h1, h2, notice, item, meta, button
        self._heading = ""
        self.feed(text)
        self.close()
        self.text = "".join(self.chunks)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = a.get("class") or ""
        self.tags.append(tag)
        if tag not in ("input", "br", "meta", "link", "img", "path", "rect"):
            self._in.append((tag, cls))
        if tag == "br":
            self.chunks.append("\n")
        if tag == "div" and "card" in cls.split():
            self._card = Card(self._heading, "", "", [])
            self._card_depth = len(self._in)
        elif tag == "form":
            self._form = Form((a.get("method") or "get").lower(), a.get("action") or "", {}, [])
        elif tag == "input" and self._form is not None:
            self._form.inputs[a.get("name")] = a.get("value")
        elif tag in ("title", "h1", "h2", "button"):
            self._field = tag
            if tag == "h2":
                self._heading = ""
            if tag == "button" and self._form is not None:
                self._form.buttons.append("")
        elif tag == "p" and "notice" in cls.split():
            self._field = "notice"
        elif tag == "div" and self._card is not None and cls.split()[:1] == ["item"]:
            self._field = "item"
        elif tag == "div" and self._card is not None and cls == "meta":
            self._field = "meta"

    def handle_endtag(self, tag):
        if any(t == tag for t, _ in self._in):
            while self._in.pop()[0] != tag:
                pass
        if tag == "form" and self._form is not None:
            self.forms.append(self._form)
            if self._card is not None:
                self._card.forms.append(self._form)
            self._form = None
        if tag == "div" and self._card is not None and len(self._in) < self._card_depth:
            self.cards.append(self._card)
            self._card = None
        if tag in ("title", "h1", "h2", "button", "p", "div"):
            if tag == "h2":
                self.headings.append(self._heading)
            self._field = None
        if tag in ("p", "div", "h1", "h2", "h3", "li", "dd", "dt"):
            self.chunks.append("\n")

    def handle_data(self, data):
        self.chunks.append(data)
        f = self._field
        if f == "title":
            self.title += data
        elif f == "h1":
            self.h1 += data
        elif f == "h2":
            self._heading += data
        elif f == "notice":
            self.notice += data
        elif f == "item" and self._card is not None:
            self._card.item += data
        elif f == "meta" and self._card is not None:
            self._card.meta += data
        elif f == "button" and self._form is not None:
            self._form.buttons[-1] += data


# ---- feeds --------------------------------------------------------------------------------


@dataclasses.dataclass
class Event:
    uid: str
    props: dict      # name (without parameters) → value, the first of each, outside VALARMs
    triggers: list   # TRIGGER;VALUE=DATE-TIME values of its VALARMs, as written
    alarms: int      # how many VALARMs

    @property
    def summary(self):
        return unescape(self.props["SUMMARY"])

    @property
    def description(self):
        return unescape(self.props.get("DESCRIPTION", ""))

    @property
    def sequence(self):
        return int(self.props["SEQUENCE"])

    @property
    def dtstamp(self):
        return self.props["DTSTAMP"]


def unescape(value):
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def events(body):
    """The VEVENTs of a calendar, by UID."""
    assert body.startswith(b"BEGIN:VCALENDAR\r\n"), body[:40]
    lines = body.decode("utf-8").replace("\r\n ", "").split("\r\n")
    out, ev, in_alarm = {}, None, False
    for line in lines:
        if line == "BEGIN:VEVENT":
            ev = Event("", {}, [], 0)
        elif line == "END:VEVENT":
            out[ev.uid] = ev
            ev = None
        elif ev is not None and line == "BEGIN:VALARM":
            in_alarm = True
            ev.alarms += 1
        elif ev is not None and line == "END:VALARM":
            in_alarm = False
        elif ev is not None:
            name, _, value = line.partition(":")
            if in_alarm:
                if name == "TRIGGER;VALUE=DATE-TIME":
                    ev.triggers.append(value)
                elif name.startswith("TRIGGER"):
                    ev.triggers.append(name + ":" + value)  # relative: no instant to compare
            else:
                base = name.split(";")[0]
                ev.props.setdefault(base, value)
                if base == "UID":
                    ev.uid = value
    return out


def uid(milestone, ledger=LEDGER):
    return f"{milestone}@{ledger}.ledgerd"


def ics_time(t):
    """A Unix time as a feed writes a UTC DATE-TIME: 20250324T013000Z."""
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


# ---- ledgerctl ------------------------------------------------------------------------------


def show(d, milestone):
    return json.loads(d.ctl("--json", "show", milestone).stdout)


def untouched(d, milestone):
    """Asserts that nothing was ever recorded for the milestone."""
    s = show(d, milestone)
    assert s["milestone"]["status"] != "done" and s["milestone"]["done_at"] is None, s
    assert s["history"] == [], s
    assert not s["details"].get("snoozed_until"), s


def wait(seconds):
    """Lets time pass, for things that must NOT happen in it."""
    time.sleep(seconds)
