# SPDX-License-Identifier: MIT
"""What a reminder looks like where it lands (issue 14), from the SHIPPED
ledger (conf/ledgers/yuli-2025.conf) rehearsed at 2025-09-26 09:30 with
--now: three ledgerd at once, each on a copy of conf/ whose ledgerd.conf
makes 1, 7 or 40 items fall at that instant (msgkit.py says how), every
one sending to a channel of each format (wecom, dingtalk, feishu, slack,
json) on one local HTTP receiver and its e-mail to aiosmtpd.

For each scenario and format: the payload's keys and types as the
platform's documentation has them (json: validated against
man/ledgerd-webhook.schema.json), no message over its platform's limit
(the table in core/notify/webhook-format.c; Slack's block limits), every
item exactly once across the parts, in due-date order, each reading as the
ledger says (date, days left, item, owners, holiday note), parts titled
（i/n） with n the number that came, the delivery log agreeing part by
part, WeCom's @mention as a second request with mentioned_mobile_list.
Then: every button is a working link on the daemon's own listener; the
e-mails parse with no defect and carry the configured headers; the
timestamps and signatures that peers check use the real clock, while the
words speak of 2025; --check warns about a mobile on a Feishu channel
without feishu_user_id, and with it the card mentions <at id=…>.
About 15 s."""

import base64
import collections
import datetime
import email
import email.policy
import email.utils
import hashlib
import hmac
import json
import re
import time
import urllib.parse

import icalendar
import jsonschema
import pytest

import icslint
import linkkit as lk
import msgkit
import peers
from conftest import LEDGERD, ROOT, run
from msgkit import AT, FORMATS, MOBILES, FEISHU_IDS, NAMES

LEAD = 2          # seconds from --now to the instant
SCENARIOS = ("one", "seven", "forty")
SKEW = 5          # seconds a timestamp may be off the real time of its request
SCHEMA = json.loads((ROOT / "man/ledgerd-webhook.schema.json").read_text(encoding="utf-8"))


class World:
    def __init__(self, receiver, smtp, setups, daemons):
        self.receiver, self.smtp, self.setups, self.daemons = receiver, smtp, setups, daemons

    def requests(self, scenario, fmt):
        return self.receiver.received(f"/{scenario}/{fmt}")

    def messages(self, scenario, fmt):
        """The messages (WeCom's @mentions left out), in the order they came."""
        return [msgkit.read(fmt, r) for r in self.requests(scenario, fmt)
                if not (fmt == "wecom" and msgkit.is_wecom_mention(r))]


def settle(d, minimum, timeout=30):
    """Waits until d's log holds at least minimum deliveries, none pending,
    and stays so for a second; returns the log."""
    def done():
        log = d.deliveries("--limit", "500")
        return log if len(log) >= minimum and all(x["status"] != "pending" for x in log) else None

    log = peers.wait_until(done, timeout, f"{minimum} settled deliveries", interval=0.2)
    time.sleep(1)
    again = d.deliveries("--limit", "500")
    assert [(x["id"], x["status"]) for x in again] == [(x["id"], x["status"]) for x in log]
    return again


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("formats")
    receiver = peers.HttpReceiver()
    for sc in SCENARIOS:
        for fmt in FORMATS:
            receiver.route(f"/{sc}/{fmt}", peers.success(fmt))
    smtp = peers.SmtpServer().start()
    setups, daemons = {}, {}
    try:
        for sc in SCENARIOS:
            setups[sc] = msgkit.configure(tmp / sc, sc, receiver, peers.free_port(), smtp=smtp)
            daemons[sc] = peers.Ledgerd(setups[sc].conf, tmp / sc / "state")
        for d in daemons.values():
            d.start(AT - LEAD)
        # At least: a delivery per channel and one per e-mail address.
        for sc, mails in (("one", 1), ("seven", 2), ("forty", 5)):
            settle(daemons[sc], len(FORMATS) + mails)
        yield World(receiver, smtp, setups, daemons)
    finally:
        for d in daemons.values():
            d.close()
            print(f"---- {d.log}\n{d.log_text()}")
        receiver.stop()
        smtp.stop()


# ---- what each message must say ------------------------------------------------------


def when_words(item):
    """{when} of a subject, as core/notify/message.c words it."""
    left = item.left.removesuffix("，督办")
    if left.startswith("还有"):
        return f"{item.due_words}到期（{left}）"
    if left.startswith("已逾期"):
        return f"{left}（{item.due_words}到期）"
    return f"今天到期（{item.due_words}）"


def item_of(expect, row):
    """The expected item a row shows: an escalation's row says 督办."""
    escalation = row.left.endswith("，督办")
    (it,) = [x for x in expect[row.milestone] if (x.kind == "escalation") == escalation]
    return it


def subject_of(items):
    """The subject of a message with these items, the first one's words."""
    first = items[0]
    if len(items) > 1:
        return f"【台账提醒】{when_words(first)}：{first.item} 等{len(items)}项"
    if first.kind == "escalation":
        return f"【逾期督办】{when_words(first)}：{first.owners}承办的{first.item}"
    return f"【台账提醒】{when_words(first)}：{first.item}"


def as_shown(fmt, text):
    """An item's or owners' text as fmt writes it."""
    if fmt in ("wecom", "dingtalk", "feishu"):
        return msgkit.chat_plain(text)
    if fmt == "slack":
        return msgkit.slack_escaped(text)
    return text


def by_milestone(scenario):
    """Milestone → the expected items for it (two for an escalated one)."""
    out = collections.defaultdict(list)
    for it in msgkit.expected(scenario):
        out[it.milestone].append(it)
    return out


def utf8(s):
    return len(s.encode("utf-8"))


# ---- 1. the payloads ---------------------------------------------------------------------


def check_limits(fmt, msg):
    """The platform's limits: bytes of the limited field or body (as
    core/notify/webhook-format.c has them); Slack's blocks."""
    if fmt == "wecom":
        content = msg.body["markdown"]["content"]
        assert utf8(content) <= 4096, (msg.title, utf8(content))
    elif fmt in ("dingtalk", "feishu"):
        assert len(msg.raw) <= 20000, (fmt, msg.title, len(msg.raw))
    elif fmt == "slack":
        assert len(msg.raw) <= 30000, (msg.title, len(msg.raw))
        blocks = msg.body["blocks"]
        assert len(blocks) <= msgkit.SLACK_BLOCKS, (msg.title, len(blocks))
        for b in blocks:
            if b["type"] == "header":
                assert len(b["text"]["text"]) <= msgkit.SLACK_HEADER, b
            elif b["type"] == "section":
                assert len(b["text"]["text"]) <= msgkit.SLACK_SECTION, b
            elif b["type"] == "actions":
                assert 1 <= len(b["elements"]) <= 25, b
                for e in b["elements"]:
                    assert len(e["text"]["text"]) <= msgkit.SLACK_BUTTON, e
                    assert len(e["url"]) <= 3000, e
            elif b["type"] == "context":
                assert 1 <= len(b["elements"]) <= 10, b
        assert len(msg.body["text"]) <= 40000


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_payload(world, scenario, fmt):
    requests = world.requests(scenario, fmt)
    assert requests, f"nothing came to /{scenario}/{fmt}"
    for r in requests:
        assert r.method == "POST" and r.headers["content-type"].startswith("application/json"), r
        assert 200 <= r.status < 300, (r.status, r.body[:200])
    msgs = world.messages(scenario, fmt)
    expected = msgkit.expected(scenario)
    expect = by_milestone(scenario)
    n = len(msgs)

    if fmt == "json":
        validator = jsonschema.Draft202012Validator(SCHEMA)
        for r in requests:
            errors = sorted(validator.iter_errors(r.json()), key=lambda e: list(e.path))
            assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
        assert n == 1, "a json message is never split"
        data = msgs[0].body["data"]
        assert (data["part"], data["parts"]) == (1, 1)
        assert data["id"] == requests[0].headers["webhook-id"]

    for msg in msgs:
        check_limits(fmt, msg)
        assert msg.rows, msg.title
        assert all(list(row.buttons) == list(msgkit.BUTTONS) for row in msg.rows), msg.title

    # Parts: （i/n） with n the number that came, in turn; none when whole.
    if n == 1:
        assert msgs[0].part is None, msgs[0].title
    else:
        assert [m.part for m in msgs] == [(i, n) for i in range(1, n + 1)], [m.title for m in msgs]

    # Each item once across the parts, in due-date order, reading as the ledger says.
    rows = [row for m in msgs for row in m.rows]
    got = collections.Counter(row.milestone for row in rows)
    want = collections.Counter(it.milestone for it in expected)
    assert got == want, (f"{len(rows)} rows for {len(expected)} items; more: {got - want}, "
                         f"missing: {want - got}")
    dues = [msgkit.DUE[row.milestone] for row in rows]
    assert dues == sorted(dues), f"not in due-date order: {dues}"
    for row in rows:
        it = item_of(expect, row)
        assert (row.due_words, row.left, row.item, row.owners, row.note) == (
            it.due_words, it.left, as_shown(fmt, it.item), as_shown(fmt, it.owners), it.note), row

    # Titles: each part's own subject, from its first item, with （i/n）.
    for msg in msgs:
        part_items = [item_of(expect, row) for row in msg.rows]
        label = f"（{msg.part[0]}/{msg.part[1]}）" if msg.part else ""
        want_title = subject_of(part_items) + label
        assert msg.title == (msgkit.chat_plain(want_title) if fmt != "json" else want_title), (
            msg.title, want_title)

    # The delivery log: a delivery per part, in order, with the part's items.
    d = world.daemons[scenario]
    log = sorted((x for x in d.deliveries("--limit", "500")
                  if x["target"] == f"channel:{scenario}-{fmt}"), key=lambda x: x["id"])
    assert len(log) == n, [(x["id"], len(x["items"])) for x in log]
    for dl, msg in zip(log, msgs):
        assert (dl["status"], dl["tries"], dl["via"]) == ("sent", 1, "webhook"), dl
        assert [i["milestone"] for i in dl["items"]] == [row.milestone for row in msg.rows], (
            dl["id"], msg.title)
    kinds = collections.Counter((i["milestone"], i["kind"]) for dl in log for i in dl["items"])
    assert kinds == collections.Counter((it.milestone, it.kind) for it in expected), kinds
    if fmt == "json":
        assert log[0]["key"] == requests[0].headers["webhook-id"]


@pytest.mark.parametrize("fmt", ["wecom", "dingtalk", "feishu", "json"])
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_mentions(world, scenario, fmt):
    """Each part mentions the owners its items reach, and no one else: by
    mobile on WeCom (a second request) and DingTalk, by feishu_user_id on
    Feishu; json lists the mobiles and each reminder's recipients. An
    escalation reaches the owner it escalates to (czj)."""
    expect = by_milestone(scenario)
    msgs = world.messages(scenario, fmt)
    for msg in msgs:
        reached = {o for row in msg.rows for o in item_of(expect, row).recipients}
        mobiles = {MOBILES[o] for o in reached}
        if fmt == "dingtalk":
            at_mobiles = msg.body["at"]["atMobiles"]
            assert set(at_mobiles) == mobiles and len(at_mobiles) == len(mobiles), at_mobiles
            assert msg.body["markdown"]["text"].endswith(
                "\n" + " ".join(f"@{m}" for m in at_mobiles)), msg.body["markdown"]["text"][-200:]
        elif fmt == "feishu":
            ids = {FEISHU_IDS[o] for o in reached if o in FEISHU_IDS}
            text = " ".join(msg.mentions)
            assert set(re.findall(r"<at id=([^>]+)></at>", text)) == ids, msg.mentions
            assert not any(m in msg.raw.decode() for m in MOBILES.values())
        elif fmt == "json":
            assert set(msg.body["data"]["mobiles"]) == mobiles
            for rem in msg.body["data"]["reminders"]:
                (it,) = [x for x in expect[rem["milestone"]] if x.kind == rem["kind"]]
                assert rem["recipients"] == list(it.recipients), rem
                assert [o["id"] for o in rem["owners"]] == [
                    {v: k for k, v in NAMES.items()}[n] for n in it.owners.split("、")], rem
    if fmt == "wecom":
        check_wecom_mentions(world.requests(scenario, fmt), expect)


def check_wecom_mentions(requests, expect):
    """After each markdown message, a text message that @mentions the part's
    recipients by mobile (markdown cannot): ≤ 2048 bytes, naming the part."""
    pending = {}
    seen = []
    for r in requests:
        body = r.json()
        if body["msgtype"] == "markdown":
            msg = msgkit.read("wecom", r)
            pending[msg.title] = msg
            continue
        assert set(body) == {"msgtype", "text"}, body
        assert set(body["text"]) == {"content", "mentioned_mobile_list"}, body
        content, mentioned = body["text"]["content"], body["text"]["mentioned_mobile_list"]
        assert isinstance(content, str) and all(isinstance(m, str) for m in mentioned), body
        assert utf8(content) <= msgkit.WECOM_TEXT_LIMIT, utf8(content)
        title = content.removesuffix("：请查看上一条消息，及时办理。")
        assert title != content and "请查看上一条消息" in content, content
        msg = pending.pop(title, None)
        assert msg is not None, f"a mention before its message, or of none: {content}"
        reached = {o for row in msg.rows for o in item_of(expect, row).recipients}
        assert sorted(mentioned) == sorted({MOBILES[o] for o in reached}), (title, mentioned)
        seen.append(title)
    assert not pending, f"markdown messages without their mention: {list(pending)}"
    assert seen


def test_the_forty_are_split_where_they_must_be(world):
    """The 40 items do not fit one message on WeCom, DingTalk, Feishu or
    Slack (51+ blocks); json takes them whole."""
    for fmt in ("wecom", "dingtalk", "feishu", "slack"):
        assert len(world.messages("forty", fmt)) >= 2, fmt
    assert len(world.messages("forty", "json")) == 1
    assert [len(m.rows) for m in world.messages("seven", "json")] == [7]


# ---- every button a working link ----------------------------------------------------------


CONFIRM = {"已完成": "标记为已完成？", "推迟1天": "推迟1天？", "推迟3天": "推迟3天？",
           "推迟7天": "推迟7天？"}


def test_buttons_are_working_links(world):
    for sc in SCENARIOS:
        port = world.setups[sc].port
        web = lk.Web(port)
        buttons, others = {}, set()
        for fmt in FORMATS:
            for msg in world.messages(sc, fmt):
                for row in msg.rows:
                    for label, url in row.buttons.items():
                        assert url.startswith(f"http://127.0.0.1:{port}/"), url
                        assert buttons.setdefault(url, label) == label, (url, label)
                others.update(msg.footer_urls)
        # Four of a milestone's own, and 查看 (the owner's page), each reminder.
        assert len(buttons) >= 4 * len({i.milestone for i in msgkit.expected(sc)}) + 1
        for url, label in sorted(buttons.items()):
            a = web.get(url)
            assert a.status == 200, (sc, label, url, a.status, a.text[:300])
            page = a.page()
            if label == "查看":
                assert page.h1.endswith("的工作事项"), (url, page.h1)
            else:
                assert page.h1 == CONFIRM[label], (url, page.h1)
                (form,) = page.forms
                assert form.method == "post" and form.inputs == {"confirm": "1"}, form
        for url in others:
            assert url.startswith(f"http://127.0.0.1:{port}/"), url
            assert web.get(url).status == 200, url
    # Nothing was done by looking.
    for sc in SCENARIOS:
        lk.untouched(world.daemons[sc], "27")


# ---- 4. the e-mails ------------------------------------------------------------------------


MAILS = {  # scenario → address → the items it carries
    "one": {"zhou-czj": "one"},
    "seven": {"czj": "seven", "bumen": "seven"},
    "forty": {o: "forty" for o in NAMES},
}


def mail_items(scenario, owner):
    ids = {v: k for k, v in NAMES.items()}
    return [it for it in msgkit.expected(scenario)
            if owner in (("czj",) if it.kind == "escalation" else
                         tuple(ids[n] for n in it.owners.split("、")))]


def all_defects(msg):
    found = list(msg.defects)
    for name, value in msg.items():
        found += [(name, d) for d in getattr(value, "defects", ())]
    for part in msg.walk():
        found += [(part.get_content_type(), d) for d in part.defects]
    return found


def test_mails_parse_cleanly(world):
    mails = world.smtp.accepted
    assert len(mails) == 1 + 2 + 5, [m.rcpt_tos for m in mails]
    title = msgkit.ledger_title()
    seen = collections.Counter()
    sent_by = {}
    for sc in SCENARIOS:
        for x in world.daemons[sc].deliveries("--limit", "500"):
            if x["target"].startswith("mailto:"):
                assert x["status"] == "sent", x
                digest = hashlib.sha256(x["key"].encode()).hexdigest()[:32]
                sent_by[f"<ledgerd.{digest}@czj.yuli.example>"] = sc
    for mail in mails:
        (rcpt,) = mail.rcpt_tos
        owner = rcpt.split("@")[0]
        m = mail.message()
        assert not all_defects(m), (rcpt, all_defects(m))
        subject = str(m["Subject"])
        scenario = sent_by[m["Message-ID"]]  # which daemon: by the key of its delivery
        seen[scenario] += 1
        items = mail_items(scenario, owner)
        assert subject == subject_of(items), (rcpt, subject)
        assert "补发" not in subject
        assert m["Content-Language"] == "zh-CN"
        assert [a.addr_spec for a in m["Reply-To"].addresses] == [msgkit.REPLY_TO]
        assert str(m["List-Id"]) == f"{title} <{msgkit.LIST_ID}>", str(m["List-Id"])
        assert m["From"].addresses[0].addr_spec == msgkit.FROM
        assert m["Auto-Submitted"] == "auto-generated"
        # multipart/mixed [ multipart/alternative [ text/plain, text/html ], text/calendar ]
        assert m.get_content_type() == "multipart/mixed"
        alt, cal = m.get_payload()
        assert alt.get_content_type() == "multipart/alternative"
        assert [p.get_content_type() for p in alt.get_payload()] == ["text/plain", "text/html"]
        assert cal.get_content_type() == "text/calendar" and cal.get_param("method") == "PUBLISH"
        assert cal.get_content_disposition() == "attachment"
        assert cal.get_filename() == (f"{items[0].milestone}.ics" if len(items) == 1
                                      else "reminders.ics"), cal.get_filename()
        data = cal.get_payload(decode=True)
        ics = icalendar.Calendar.from_ical(data)
        assert {str(e["UID"]) for e in ics.walk("VEVENT")} == {
            f"{it.milestone}@{msgkit.LEDGER}.ledgerd" for it in items}, rcpt
        text = m.get_body(("plain",)).get_content()
        html = m.get_body(("html",)).get_content()
        for it in items:
            assert it.item in text and it.item in html, (rcpt, it.item)
        # A row per item, its buttons as links.
        rows = re.findall(r'<a href="[^"]+/act/[^"]+"[^>]*>已完成</a>', html)
        assert len(rows) == len(items), (rcpt, len(rows), len(items))
        slug = owner
        port = world.setups[scenario].port
        assert f'href="webcal://127.0.0.1:{port}/{slug}.ics"' in html, rcpt
        (page,) = set(re.findall(r'href="(http://127\.0\.0\.1:\d+/me/[^"]+)"[^>]*>我的全部事项<', html))
        assert lk.claim_of(lk.token_of(page))["owner"] == owner
        if any(it.note for it in items):
            note = next(it.note for it in items if it.note)
            assert note in text and note in html, rcpt
    assert seen == {"one": 1, "seven": 2, "forty": 5}, seen


def test_mail_calendar_has_one_event_per_milestone(world):
    """The attachment passes the project's own iCalendar lint: in particular
    a milestone with two reminders in the message (an overdue notice and its
    escalation, in the forty scenario) is one event, not two with one UID."""
    problems = {}
    for mail in world.smtp.accepted:
        (cal,) = [p for p in mail.message().walk() if p.get_content_type() == "text/calendar"]
        found = icslint.lint(cal.get_payload(decode=True))
        if found:
            problems[mail.rcpt_tos[0]] = found
    assert not problems, problems


# ---- 5. the real clock under --now ------------------------------------------------------------


def test_signatures_and_dates_use_the_real_clock(world):
    rehearsal = world.daemons["one"].clock()
    assert abs(rehearsal - time.time()) > 86400 * 30  # the test means something
    checked = collections.Counter()
    for sc in SCENARIOS:
        for r in world.requests(sc, "dingtalk"):
            ms = int(r.query["timestamp"])
            assert abs(ms / 1000 - r.time) < SKEW, (ms, r.time)
            sign = base64.b64encode(hmac.new(msgkit.DINGTALK_SECRET.encode(),
                                             f"{ms}\n{msgkit.DINGTALK_SECRET}".encode(),
                                             hashlib.sha256).digest()).decode()
            assert r.query["sign"] == sign, r.raw_query
            assert f"sign={urllib.parse.quote(sign, safe='')}" in r.raw_query, r.raw_query
            assert r.query["access_token"] == f"T-{sc}"
            checked["dingtalk"] += 1
        for r in world.requests(sc, "feishu"):
            body = r.json()
            ts = body["timestamp"]
            assert isinstance(ts, str) and abs(int(ts) - r.time) < SKEW, (ts, r.time)
            key = f"{ts}\n{msgkit.FEISHU_SECRET}".encode()
            assert body["sign"] == base64.b64encode(
                hmac.new(key, b"", hashlib.sha256).digest()).decode()
            checked["feishu"] += 1
        for r in world.requests(sc, "json"):
            ts = int(r.headers["webhook-timestamp"])
            assert abs(ts - r.time) < SKEW, (ts, r.time)
            key = base64.b64decode(msgkit.JSON_SECRET.removeprefix("whsec_"))
            mac = hmac.new(key, f"{r.headers['webhook-id']}.{ts}.".encode() + r.body, hashlib.sha256)
            assert r.headers["webhook-signature"] == "v1," + base64.b64encode(mac.digest()).decode()
            body = r.json()
            stamp = datetime.datetime.strptime(body["timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(
                tzinfo=datetime.timezone.utc).timestamp()
            assert abs(stamp - r.time) < SKEW, body["timestamp"]
            # While the words and the schedule are the rehearsal's.
            for rem in body["data"]["reminders"]:
                assert rem["at"] == "2025-09-26T01:30:00Z" and rem["day"] == "2025-09-26", rem
            assert "2025年" in body["data"]["text"]
            checked["json"] += 1
    for mail in world.smtp.accepted:
        m = mail.message()
        date = email.utils.parsedate_to_datetime(str(m["Date"])).timestamp()
        assert abs(date - mail.time) < SKEW, (m["Date"], mail.time)
        assert "2025年" in m.get_body(("plain",)).get_content()
        checked["mail"] += 1
    assert checked == {fmt: sum(len(world.requests(sc, fmt)) for sc in SCENARIOS)
                       for fmt in ("dingtalk", "feishu", "json")} | {"mail": 8}, checked


# ---- 6. Feishu mentions -------------------------------------------------------------------


def test_check_warns_of_a_mobile_on_feishu_without_an_id(world, tmp_path):
    receiver = peers.HttpReceiver()
    try:
        conf = msgkit.configure(tmp_path / "no-ids", "one", receiver, peers.free_port(),
                                feishu_ids=False).conf
    finally:
        receiver.stop()
    p = run(LEDGERD, "-c", conf, "--check")
    assert ("owner zhou-czj: Feishu channel one-feishu cannot @mention a mobile number: set "
            "'feishu_user_id'") in p.stderr, p.stderr
    # With the ids: no warning for those who have one; one for each who has not.
    p = run(LEDGERD, "-c", world.setups["forty"].conf, "--check")
    warned = set(re.findall(r"owner (\S+): Feishu channel forty-feishu cannot @mention", p.stderr))
    assert warned == {"bumen", "czj-sbg", "czj-qyg"}, p.stderr


def test_feishu_card_mentions_by_feishu_user_id(world):
    for sc, owner in (("one", "zhou-czj"), ("seven", "czj"), ("forty", "czj")):
        for msg in world.messages(sc, "feishu"):
            raw = msg.raw.decode()
            assert f"<at id={FEISHU_IDS[owner]}></at>" in raw, (sc, msg.title)
