# SPDX-License-Identifier: MIT
"""Reminder delivery end to end: the real ledgerd, started with its clock a
moment before a reminder instant (--now), sends to real peers (peers.py):
aiosmtpd plain, with STARTTLS and AUTH, refusing and down; HTTP receivers in
the manner of each webhook format, answering errors, slowly, or not at all
(kill -9 of ledgerd during a burst of 1,000). What the tests rely on is what
README.md ("Reminders by e-mail and webhooks") and ledgerd.conf(5) promise.

Every ledger here is small and made for the test: milestones due on a
working day, one reminder each at 09:30 on that day (leads ["0d"], no
overdue notices), so the reminders that exist are exactly the ones a test
expects."""

import datetime
import email.policy
import hashlib
import random
import re
import subprocess
import time
import urllib.parse
import urllib.request

import icalendar
import pytest

import peers

DAY = datetime.date(2025, 3, 24)  # a Monday, no holiday
AT = peers.instant(DAY)           # 2025-03-24 09:30 +08:00
LEAD = 2                          # seconds from --now to the instant
EARLY = 0.05  # ledgerd starts its --now clock after we spawn it: never ahead of ours
ITEM = "编制部门预算"
ITEM2 = "报送绩效自评报告"
SUBJECT = f"【台账提醒】今天到期（3月24日）：{ITEM}"
FROM = "ledgerd@czj.example"
FROM_NAME = "台账提醒"
UID = f"1@{peers.LEDGER_ID}.ledgerd"
MOBILE = "13800000000"


# ---- helpers ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cert(tmp_path_factory):
    return peers.SelfSignedCert(tmp_path_factory.mktemp("cert"))


@pytest.fixture
def smtp():
    s = peers.SmtpServer().start()
    yield s
    s.stop()


def smtp_delivery(server, **smtp_settings):
    s = {"url": server.url, "tls": "none", "from": FROM, "from_name": FROM_NAME}
    s.update(smtp_settings)
    return {"smtp": s}


def czj(**kwargs):
    return peers.Owner("czj", "县财政局", **kwargs)


def task(id="1", item=ITEM, owners=("县财政局",), due=DAY):
    return peers.Task(id, item, owners, due)


def delivery_key(target, at, items):
    """The design's key: the first 16 bytes of SHA-256 over "target\\nat\\n"
    and each item's "ledger/milestone/kind/offset\\n" in sorted order."""
    h = hashlib.sha256(f"{target}\n{at}\n".encode())
    for line in sorted(f"{i['ledger']}/{i['milestone']}/{i['kind']}/{i['offset']}\n"
                       for i in items):
        h.update(line.encode())
    return h.hexdigest()[:32]


def message_id(key, domain="czj.example"):
    return f"<ledgerd.{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def one_item(dl, milestone="1", kind="due"):
    assert [(i["ledger"], i["milestone"], i["kind"], i["offset"]) for i in dl["items"]] == [
        (peers.LEDGER_ID, milestone, kind, "0d")], dl


def calendar_of(msg):
    (part,) = [p for p in msg.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "PUBLISH"
    cal = icalendar.Calendar.from_ical(part.get_payload(decode=True))
    assert str(cal["METHOD"]) == "PUBLISH"
    return cal


def uids(cal):
    return sorted(str(e["UID"]) for e in cal.walk("VEVENT"))


def text_of(msg):
    return msg.get_body(preferencelist=("plain",)).get_content()


def quiet(seconds):
    """Lets time pass, for things that must NOT happen in it."""
    time.sleep(seconds)


# ---- e-mail -------------------------------------------------------------------------


def test_mail_over_plain_smtp(tmp_path, smtp, daemons):
    conf = peers.write_config(tmp_path / "conf", [czj(emails=("jixiao@czj.example",))], [task()],
                              delivery=smtp_delivery(smtp))
    d = daemons(conf).start(AT - 3)
    (mail,) = smtp.wait_for(1)
    dl = peers.settled(d, 1)["mailto:jixiao@czj.example"]
    # At the instant, not at start-up, and not much later.
    assert d.wall(AT) - EARLY <= mail.time <= d.wall(AT) + 5, (mail.time, d.wall(AT))

    assert mail.mail_from == FROM and mail.rcpt_tos == ["jixiao@czj.example"]
    m = mail.message()
    assert str(m["Subject"]) == SUBJECT
    assert [a.addr_spec for a in m["To"].addresses] == ["jixiao@czj.example"]
    assert m["From"].addresses[0].addr_spec == FROM
    assert m["From"].addresses[0].display_name == FROM_NAME
    assert m["Auto-Submitted"] == "auto-generated"
    assert ITEM in text_of(m) and "补发" not in text_of(m)
    assert uids(calendar_of(m)) == [UID]
    assert not m.defects

    assert dl["status"] == "sent" and dl["via"] == "smtp" and dl["tries"] == 1, dl
    assert dl["late"] is False and dl["reason"] == ""
    assert datetime.datetime.fromisoformat(dl["at"]).timestamp() == AT, dl["at"]
    assert dl["answer"].startswith("250"), dl
    one_item(dl)
    assert dl["key"] == delivery_key("mailto:jixiao@czj.example", AT, dl["items"])
    assert m["Message-ID"] == message_id(dl["key"])

    status = d.status()
    assert (status["pending_deliveries"], status["failed_deliveries"]) == (0, 0)
    assert re.search(r"^\s*deliveries: 0 pending, 0 failed$", d.ctl("status").stdout, re.I | re.M)
    quiet(1)
    assert len(smtp.mails) == 1  # once


def test_mail_links_the_feed_it_serves(tmp_path, smtp, daemons):
    """An e-mail links its owner's own feed, as webcal:// so that a phone
    subscribes to it rather than downloading a file."""
    port = peers.free_port()
    conf = peers.write_config(tmp_path / "conf", [czj(emails=("jixiao@czj.example",))], [task()],
                              delivery=smtp_delivery(smtp), feed={"listen": [f"127.0.0.1:{port}"]})
    daemons(conf).start(AT - 3)
    (mail,) = smtp.wait_for(1)
    assert f"订阅日历：webcal://127.0.0.1:{port}/czj.ics" in text_of(mail.message())
    url = f"http://127.0.0.1:{port}/czj.ics"
    with urllib.request.urlopen(url, timeout=5) as r:
        cal = icalendar.Calendar.from_ical(r.read())
    assert uids(cal) == [UID]


def test_starttls_auth_and_a_wrong_password(tmp_path, cert, daemons):
    server = peers.SmtpServer(tls="starttls", cert=cert, auth=("ledgerd", "s3cret")).start()
    try:
        (tmp_path / "good").write_text("s3cret\n")
        (tmp_path / "bad").write_text("wrong\n")
        for name in ("good", "bad"):  # a secret open to others is refused when loading
            (tmp_path / name).chmod(0o600)
        running = {}
        for name, address in [("good", "good@czj.example"), ("bad", "bad@czj.example")]:
            conf = peers.write_config(
                tmp_path / f"conf-{name}", [czj(emails=(address,))], [task()],
                delivery=smtp_delivery(server, tls="required", user="ledgerd",
                                       password_file=str(tmp_path / name),
                                       ca_file=str(cert.cert)))
            running[name] = daemons(conf, f"state-{name}")
        for d in running.values():  # both at the same instant
            d.start(AT - LEAD)
        (mail,) = server.wait_for(1)
        assert mail.tls and mail.login == "ledgerd" and mail.rcpt_tos == ["good@czj.example"]
        assert str(mail.message()["Subject"]) == SUBJECT
        good = peers.settled(running["good"], 1)["mailto:good@czj.example"]
        assert (good["status"], good["via"], good["tries"]) == ("sent", "smtp", 1), good

        bad = peers.settled(running["bad"], 1)["mailto:bad@czj.example"]
        assert bad["status"] == "failed" and bad["tries"] == 1, bad  # permanent: at once
        assert bad["reason"], bad
        assert server.auth_failures >= 1
        assert running["bad"].status()["failed_deliveries"] == 1
        assert len(server.mails) == 1
    finally:
        server.stop()


def test_451_then_accepted_with_the_same_message_id(tmp_path, smtp, daemons):
    smtp.refuse_next(1, "451 4.3.0 Try again later")
    conf = peers.write_config(tmp_path / "conf", [czj(emails=("jixiao@czj.example",))], [task()],
                              delivery=smtp_delivery(smtp))
    d = daemons(conf).start(AT - LEAD)
    smtp.wait_for(1, timeout=15)
    first, second = smtp.mails
    assert (first.accepted, second.accepted) == (False, True)
    # The first retry comes within 5 s (backoff base 5 s).
    assert 0 < second.time - first.time <= 6.5, second.time - first.time
    assert first.message()["Message-ID"] == second.message()["Message-ID"]
    assert str(first.message()["Subject"]) == str(second.message()["Subject"]) == SUBJECT
    dl = peers.settled(d, 1)["mailto:jixiao@czj.example"]
    assert (dl["status"], dl["tries"]) == ("sent", 2), dl
    assert second.message()["Message-ID"] == message_id(dl["key"])
    quiet(1)
    assert len(smtp.mails) == 2


def test_digest_of_one_owners_reminders(tmp_path, smtp, daemons):
    owners = [czj(emails=("jixiao@czj.example",)),
              peers.Owner("sjj", "县审计局", emails=("sjj@czj.example",))]
    tasks = [task("1", ITEM), task("2", ITEM2), task("3", "审计整改", owners=("县审计局",))]
    conf = peers.write_config(tmp_path / "conf", owners, tasks, delivery=smtp_delivery(smtp))
    d = daemons(conf).start(AT - LEAD)
    smtp.wait_for(2)
    log = peers.settled(d, 2)
    quiet(1)
    assert len(smtp.mails) == 2  # one per owner, not one per reminder
    mails = {m.rcpt_tos[0]: m.message() for m in smtp.mails}

    digest = mails["jixiao@czj.example"]
    subject = str(digest["Subject"])
    assert subject in (f"【台账提醒】今天到期（3月24日）：{ITEM} 等2项",
                       f"【台账提醒】今天到期（3月24日）：{ITEM2} 等2项"), subject
    body = text_of(digest)
    assert ITEM in body and ITEM2 in body
    assert uids(calendar_of(digest)) == [UID, f"2@{peers.LEDGER_ID}.ledgerd"]
    dl = log["mailto:jixiao@czj.example"]
    assert dl["status"] == "sent"
    assert sorted(i["milestone"] for i in dl["items"]) == ["1", "2"]
    assert dl["key"] == delivery_key("mailto:jixiao@czj.example", AT, dl["items"])
    assert digest["Message-ID"] == message_id(dl["key"])

    single = mails["sjj@czj.example"]
    assert str(single["Subject"]) == "【台账提醒】今天到期（3月24日）：审计整改"
    one_item(log["mailto:sjj@czj.example"], milestone="3")


def test_maildir_without_smtp(tmp_path, daemons):
    conf = peers.write_config(tmp_path / "conf", [czj(emails=("jixiao@czj.example",))], [task()])
    d = daemons(conf).start(AT - 3)
    new = d.state / "outbox/new"
    (path,) = peers.wait_until(lambda: list(new.glob("*")) if new.is_dir() else None, 10,
                               "a message in the outbox")
    assert time.time() >= d.wall(AT) - EARLY
    m = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert str(m["Subject"]) == SUBJECT
    assert [a.addr_spec for a in m["To"].addresses] == ["jixiao@czj.example"]
    assert m["Auto-Submitted"] == "auto-generated"
    assert uids(calendar_of(m)) == [UID]
    dl = peers.settled(d, 1)["mailto:jixiao@czj.example"]
    assert (dl["status"], dl["via"]) == ("sent", "maildir"), dl
    assert m["Message-ID"] == message_id(dl["key"], domain="localhost")  # from: ledgerd@localhost
    assert list((d.state / "outbox/tmp").iterdir()) == []
    quiet(1)
    assert len(list(new.iterdir())) == 1


def test_smtp_outage_then_everything_delivered(tmp_path, daemons):
    """Down at the instant, up 10 s later. Each message waits out its own
    backoff (5 s, 10 s, 20 s… with full jitter), so this takes 15-50 s."""
    server = peers.SmtpServer()  # its port, but down
    try:
        owners = [czj(emails=("jixiao@czj.example",)),
                  peers.Owner("sjj", "县审计局", emails=("sjj@czj.example",))]
        tasks = [task("1", ITEM), task("2", ITEM2), task("3", "审计整改", owners=("县审计局",))]
        conf = peers.write_config(tmp_path / "conf", owners, tasks,
                                  delivery=smtp_delivery(server))
        d = daemons(conf).start(AT - LEAD)
        time.sleep(max(0.0, d.wall(AT) + 10 - time.time()))
        log = d.deliveries()
        assert len(log) == 2 and all(x["status"] == "pending" and x["tries"] >= 1
                                     for x in log), log
        assert all(x["reason"] for x in log), log  # why it is not sent yet
        server.start()
        server.wait_for(2, timeout=90)
        log = peers.settled(d, 2, timeout=20)
        assert all(x["status"] == "sent" and x["tries"] >= 2 for x in log.values()), log
        quiet(1)
        assert sorted(m.rcpt_tos[0] for m in server.mails) == ["jixiao@czj.example",
                                                              "sjj@czj.example"]
        digest = [m.message() for m in server.mails if m.rcpt_tos == ["jixiao@czj.example"]][0]
        assert ITEM in text_of(digest) and ITEM2 in text_of(digest)
    finally:
        server.stop()


# ---- webhooks -----------------------------------------------------------------------


JSON_SECRET = "whsec_" + "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
DINGTALK_SECRET = "SEC0123456789abcdef0123456789abcdef"
FEISHU_SECRET = "feishu-secret-0123"


def test_webhook_formats_and_signatures(tmp_path, receiver, daemons):
    """Each format as its platform shows it; the signatures and timestamps
    from the real clock, as the platforms check them against theirs, though
    the service's clock is rehearsing 2025 (--now)."""
    for fmt in ("json", "wecom", "dingtalk", "feishu", "slack"):
        receiver.route(f"/{fmt}", peers.success(fmt))
    channels = [
        peers.Channel("j", "json", receiver.url("/json"), secret=JSON_SECRET),
        peers.Channel("w", "wecom", receiver.url("/wecom?key=K1")),
        peers.Channel("d", "dingtalk", receiver.url("/dingtalk?access_token=T1"),
                      secret=DINGTALK_SECRET),
        peers.Channel("f", "feishu", receiver.url("/feishu"), secret=FEISHU_SECRET),
        peers.Channel("s", "slack", receiver.url("/slack")),
    ]
    conf = peers.write_config(tmp_path / "conf",
                              [czj(mobiles=(MOBILE,), channels=("j", "w", "d", "f", "s"))],
                              [task()], channels=channels)
    d = daemons(conf).start(AT - LEAD)
    receiver.wait_for(6, timeout=15, answered=True)  # WeCom: the message, then its mention
    log = peers.settled(d, 5)
    req = {}
    for r in receiver.received():
        req.setdefault(r.path.strip("/"), []).append(r)
    assert sorted(req) == ["dingtalk", "feishu", "json", "slack", "wecom"]
    for r in sum(req.values(), []):
        assert r.time >= d.wall(AT) - EARLY
        assert r.method == "POST" and r.headers["content-type"].startswith("application/json")
    now = time.time()

    # json: Standard Webhooks, signed; webhook-id is the delivery key.
    (r,), dl = req["json"], log["channel:j"]
    assert r.headers["webhook-id"] == dl["key"]
    assert dl["key"] == delivery_key("channel:j", AT, dl["items"])
    ts = int(r.headers["webhook-timestamp"])
    assert abs(ts - now) < 60, ts
    assert r.headers["webhook-signature"] == peers.standard_webhooks_signature(
        JSON_SECRET, dl["key"], ts, r.body)
    body = r.json()
    assert body["type"] == "ledger.reminder"
    assert body["data"]["late"] is False and body["data"]["subject"] == SUBJECT
    (rem,) = body["data"]["reminders"]
    assert (rem["ledger"], rem["milestone"], rem["kind"], rem["item"], rem["due"], rem["at"]) == (
        peers.LEDGER_ID, "1", "due", ITEM, "2025-03-24", "2025-03-24T01:30:00Z")
    assert MOBILE in body["data"]["mobiles"]

    # WeCom: the URL as configured; markdown, then a text message mentioning
    # the mobile, which markdown cannot.
    markdown, mention = req["wecom"]
    assert markdown.query == {"key": "K1"}
    body = markdown.json()
    assert body["msgtype"] == "markdown" and body["markdown"]["content"].startswith(f"**{SUBJECT}**")
    assert ITEM in body["markdown"]["content"]
    body = mention.json()
    assert body["msgtype"] == "text" and body["text"]["content"].startswith(SUBJECT)
    assert body["text"]["mentioned_mobile_list"] == [MOBILE]

    # DingTalk: timestamp (ms) and sign on the URL, the sign URL-encoded.
    (r,) = req["dingtalk"]
    assert r.query["access_token"] == "T1"
    ms = int(r.query["timestamp"])
    assert abs(ms / 1000 - now) < 60, ms
    sign = peers.dingtalk_sign(DINGTALK_SECRET, ms)
    assert r.query["sign"] == sign
    assert f"sign={urllib.parse.quote(sign, safe='')}" in r.raw_query, r.raw_query
    body = r.json()
    assert body["msgtype"] == "markdown" and body["markdown"]["title"] == SUBJECT
    assert body["markdown"]["text"].endswith(f"@{MOBILE}") and body["at"]["atMobiles"] == [MOBILE]

    # Feishu: timestamp (s) and sign in the body; an interactive card.
    (r,) = req["feishu"]
    body = r.json()
    assert abs(int(body["timestamp"]) - now) < 60
    assert body["sign"] == peers.feishu_sign(FEISHU_SECRET, body["timestamp"])
    assert body["msg_type"] == "interactive"
    assert body["card"]["header"]["title"]["content"] == SUBJECT

    (r,) = req["slack"]
    assert r.json()["text"] == SUBJECT and r.json()["blocks"][0]["type"] == "header"

    for target, dl in log.items():
        assert (dl["status"], dl["via"], dl["tries"], dl["late"]) == ("sent", "webhook", 1, False), dl
        one_item(dl)
    quiet(1)
    assert len(receiver.received()) == 6


def test_bot_error_codes_in_a_200(tmp_path, receiver, daemons):
    """-1 (busy) then ok: sent on the retry; 45009 and 130101 (rate limits):
    the retry waits at least a minute; 19021 (bad signature): failed at once."""
    receiver.route("/busy", peers.errcode("wecom", -1, "system busy"), then=peers.success("wecom"))
    receiver.route("/limited", peers.errcode("wecom", 45009, "api freq out of limit"))
    receiver.route("/throttled", peers.errcode("dingtalk", 130101, "send too fast"))
    receiver.route("/badsign", peers.errcode("feishu", 19021, "sign match fail"))
    channels = [peers.Channel("busy", "wecom", receiver.url("/busy")),
                peers.Channel("limited", "wecom", receiver.url("/limited")),
                peers.Channel("throttled", "dingtalk", receiver.url("/throttled")),
                peers.Channel("badsign", "feishu", receiver.url("/badsign"), secret=FEISHU_SECRET)]
    conf = peers.write_config(tmp_path / "conf",
                              [czj(channels=("busy", "limited", "throttled", "badsign"))],
                              [task()], channels=channels)
    d = daemons(conf).start(AT - LEAD)
    receiver.wait_for(2, "/busy", timeout=15, answered=True)
    first = min(r.time for r in receiver.received())
    quiet(max(0.0, first + 7 - time.time()))  # past any retry that ignored the codes
    log = {x["target"]: x for x in d.deliveries()}

    assert (log["channel:busy"]["status"], log["channel:busy"]["tries"]) == ("sent", 2)
    bad = log["channel:badsign"]
    assert (bad["status"], bad["tries"], bad["code"]) == ("failed", 1, 19021), bad
    assert "19021" in bad["reason"], bad
    for name, code in [("limited", 45009), ("throttled", 130101)]:
        dl = log[f"channel:{name}"]
        assert (dl["status"], dl["tries"], dl["code"]) == ("pending", 1, code), dl
        assert str(code) in dl["reason"], dl
        assert len(receiver.received(f"/{name}")) == 1
    assert len(receiver.received("/badsign")) == 1
    status = d.status()
    assert (status["pending_deliveries"], status["failed_deliveries"]) == (2, 1)


def test_retry_after_and_gone(tmp_path, receiver, daemons):
    receiver.route("/limited", peers.too_many(2), then=peers.success())
    receiver.route("/gone", peers.gone())
    channels = [peers.Channel("limited", "json", receiver.url("/limited")),
                peers.Channel("gone", "json", receiver.url("/gone"))]
    conf = peers.write_config(tmp_path / "conf", [czj(channels=("limited", "gone"))], [task()],
                              channels=channels)
    d = daemons(conf).start(AT - LEAD)
    first, second = receiver.wait_for(2, "/limited", timeout=15)
    assert second.time - first.answered >= 1.9, second.time - first.answered  # Retry-After: 2
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    log = peers.settled(d, 2)
    assert (log["channel:limited"]["status"], log["channel:limited"]["tries"]) == ("sent", 2)
    gone = log["channel:gone"]
    assert (gone["status"], gone["tries"], gone["code"]) == ("failed", 1, 410), gone
    assert "410" in gone["reason"], gone
    assert len(receiver.received("/gone")) == 1
    assert re.search(r"^\s*deliveries: 0 pending, 1 failed$", d.ctl("status").stdout, re.I | re.M)
    status = d.status()
    assert (status["pending_deliveries"], status["failed_deliveries"]) == (0, 1)
    assert [x["target"] for x in d.deliveries("--status", "failed")] == ["channel:gone"]


SESSION_BUS = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>unix:path={path}</listen><auth>EXTERNAL</auth>
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/>
<allow own="*"/><allow user="*"/></policy></busconfig>"""


def test_signals_for_sent_and_failed(tmp_path, receiver, daemons):
    """ReminderSent and ReminderFailed on the bus, watched by dbus-monitor."""
    (tmp_path / "bus.conf").write_text(SESSION_BUS.format(path=tmp_path / "bus"))
    bus = subprocess.Popen(["dbus-daemon", f"--config-file={tmp_path / 'bus.conf'}", "--nofork",
                            "--print-address"], stdout=subprocess.PIPE, text=True)
    address = bus.stdout.readline().strip()
    monitor = subprocess.Popen(["dbus-monitor", "--address", address,
                                "type='signal',interface='org.ledgerd.Ledger1'"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        receiver.route("/gone", peers.gone())
        channels = [peers.Channel("ok", "json", receiver.url("/ok")),
                    peers.Channel("gone", "json", receiver.url("/gone"))]
        conf = peers.write_config(tmp_path / "conf", [czj(channels=("ok", "gone"))], [task()],
                                  channels=channels)
        d = daemons(conf)
        d.bus_address = address
        time.sleep(0.5)  # dbus-monitor is listening
        d.start(AT - LEAD)
        peers.settled(d, 2)
        time.sleep(0.5)
    finally:
        monitor.terminate()
        out = monitor.communicate(timeout=10)[0]
        bus.terminate()
        bus.wait(timeout=10)
    sent = [b for b in out.split("\nsignal ") if "member=ReminderSent" in b]
    failed = [b for b in out.split("\nsignal ") if "member=ReminderFailed" in b]
    assert len(sent) == 1 and '"channel:ok"' in sent[0] and '"due"' in sent[0], out
    assert len(failed) == 1 and '"channel:gone"' in failed[0] and "410" in failed[0], out
    assert f'"{peers.LEDGER_ID}"' in failed[0] and '"1"' in failed[0], out


def test_a_slow_receiver_delays_only_itself(tmp_path, daemons):
    slow = peers.HttpReceiver(default=peers.slow(10))
    fast = peers.HttpReceiver()
    try:
        # The slow channels come first by every order (config, id, target).
        channels = [peers.Channel("a-slow1", "json", slow.url("/slow1")),
                    peers.Channel("a-slow2", "json", slow.url("/slow2")),
                    peers.Channel("z-fast", "json", fast.url("/fast"))]
        owners = [peers.Owner("a-slow", "慢单位", channels=("a-slow1", "a-slow2")),
                  peers.Owner("z-fast", "快单位", channels=("z-fast",))]
        tasks = [task("1", ITEM, owners=("慢单位", "快单位"))]
        conf = peers.write_config(tmp_path / "conf", owners, tasks, channels=channels,
                                  delivery={"parallel": 1})
        d = daemons(conf).start(AT - LEAD)
        (s,) = slow.wait_for(1, timeout=10)
        (f,) = fast.wait_for(1, timeout=10)
        assert f.time - d.wall(AT) < 1.5 and f.time - s.time < 1.0, (f.time, s.time, d.wall(AT))
        # Nor the control socket.
        t0 = time.monotonic()
        d.ctl("status")
        assert time.monotonic() - t0 < 2.0
        fast_dl = {x["target"]: x for x in d.deliveries()}["channel:z-fast"]
        assert fast_dl["status"] == "sent"
        # delivery.parallel = 1: the second slow message waits.
        quiet(max(0.0, s.time + 2 - time.time()))
        assert len(slow.received()) == 1
        # And stopping with a transfer in flight is prompt and clean.
        t0 = time.monotonic()
        assert d.stop() == 0
        assert time.monotonic() - t0 < 5
    finally:
        slow.stop()
        fast.stop()


def test_transfers_at_once_per_peer(tmp_path, daemons):
    """delivery.parallel (4 by default) transfers at once to one host, the
    rest waiting their turn; a channel's own parallel = 1 keeps its messages
    one after the other."""
    slow = peers.HttpReceiver(default=peers.slow(3))
    try:
        channels = [peers.Channel(f"c{i}", "json", slow.url(f"/c{i}")) for i in range(6)]
        owners = [peers.Owner(f"o{i}", f"单位{i}", channels=(f"c{i}",)) for i in range(6)]
        tasks = [task(str(i + 1), f"事项{i}", owners=(f"单位{i}",)) for i in range(6)]
        conf = peers.write_config(tmp_path / "conf", owners, tasks, channels=channels)
        d = daemons(conf).start(AT - LEAD)
        slow.wait_for(4, timeout=10)
        quiet(1.0)
        assert len(slow.received()) == 4  # the 5th and 6th wait for a slot
        slow.wait_for(6, timeout=10)
        assert all(x["status"] == "sent" for x in peers.settled(d, 6).values())
    finally:
        slow.stop()


def test_done_cancels_the_retries(tmp_path, receiver, daemons):
    receiver.route("/hook", peers.server_error())
    conf = peers.write_config(tmp_path / "conf", [czj(channels=("h",))], [task()],
                              channels=[peers.Channel("h", "json", receiver.url("/hook"))])
    d = daemons(conf).start(AT - LEAD)
    (first,) = receiver.wait_for(1, "/hook", timeout=10, answered=True)
    quiet(0.3)
    (dl,) = d.deliveries()
    assert (dl["status"], dl["tries"], dl["code"]) == ("pending", 1, 500), dl
    d.ctl("done", "1")
    done_at = time.time()
    (dl,) = d.deliveries()
    assert dl["status"] == "cancelled" and dl["tries"] == 1, dl
    quiet(max(0.0, first.answered + 6.5 - time.time()))  # past the first retry (≤ 5 s)
    assert [r.time for r in receiver.received() if r.time > done_at] == []
    (dl,) = d.deliveries()
    assert dl["status"] == "cancelled", dl
    assert d.status()["pending_deliveries"] == 0


def test_send_test(tmp_path, smtp, receiver, daemons):
    receiver.route("/ok", peers.success())
    receiver.route("/gone", peers.gone())
    owners = [peers.Owner("ok", "好单位", emails=("ok@czj.example",), channels=("ok-hook",)),
              peers.Owner("gone", "没了的单位", channels=("gone-hook",))]
    channels = [peers.Channel("ok-hook", "json", receiver.url("/ok")),
                peers.Channel("gone-hook", "json", receiver.url("/gone"))]
    conf = peers.write_config(tmp_path / "conf", owners, [task(owners=("好单位",))],
                              channels=channels, delivery=smtp_delivery(smtp))
    d = daemons(conf).start(AT - 2 * 86400)  # no reminder anywhere near

    p = d.ctl("send-test", "ok")
    lines = sorted(p.stdout.splitlines())
    assert [line.split(": ")[:2] for line in lines] == [
        ["channel:ok-hook", "delivered"], ["mailto:ok@czj.example", "delivered"]], p.stdout
    assert len(receiver.received("/ok")) == 1
    (mail,) = smtp.wait_for(1)
    assert mail.rcpt_tos == ["ok@czj.example"]
    assert any(line.startswith("mailto:ok@czj.example: delivered: 250") for line in lines)

    for who in ("gone", "gone-hook"):  # an owner, a channel
        p = d.ctl("send-test", who, check=False)
        assert p.returncode == 1, (who, p.returncode, p.stdout, p.stderr)
        assert p.stdout.startswith("channel:gone-hook: not delivered: "), p.stdout
        assert "410" in p.stdout
    assert len(receiver.received("/gone")) == 2


# ---- catch-up after downtime --------------------------------------------------------


def test_catch_up_late_missed_and_never_twice(tmp_path, smtp, receiver, daemons):
    early = DAY - datetime.timedelta(days=5)  # Wednesday 2025-03-19
    conf = peers.write_config(
        tmp_path / "conf", [czj(emails=("jixiao@czj.example",), channels=("h",))],
        [task("1", ITEM), task("2", "五天前的事项", due=early)],
        channels=[peers.Channel("h", "json", receiver.url("/hook"))],
        delivery=smtp_delivery(smtp))
    d = daemons(conf)
    # Up once before both instants, so that ledgerd knows it was running then.
    d.start(peers.instant(early) - 3600)
    assert d.deliveries() == []
    assert d.stop() == 0
    # Down over both; back an hour after the second.
    d.start(AT + 3600)
    (mail,) = smtp.wait_for(1)
    (hook,) = receiver.wait_for(1, "/hook", answered=True)
    peers.wait_until(lambda: all(x["status"] != "pending" for x in d.deliveries()), 10,
                     "no pending delivery")
    log = d.deliveries()
    late = [x for x in log if x["items"][0]["milestone"] == "1"]
    missed = [x for x in log if x["items"][0]["milestone"] == "2"]
    assert sorted(x["target"] for x in late) == ["channel:h", "mailto:jixiao@czj.example"], log
    assert all(x["status"] == "sent" and x["late"] is True for x in late), late
    assert sorted(x["target"] for x in missed) == ["channel:h", "mailto:jixiao@czj.example"], log
    assert all(x["status"] == "missed" and x["tries"] == 0 for x in missed), missed

    assert hook.json()["data"]["late"] is True
    assert [r["milestone"] for r in hook.json()["data"]["reminders"]] == ["1"]
    m = mail.message()
    assert "补发" in text_of(m) and ITEM in str(m["Subject"])
    assert "五天前的事项" not in text_of(m)

    # A restart later: nothing is sent again.
    before = sorted((x["id"], x["status"]) for x in d.deliveries())
    d.restart(AT + 7200)
    quiet(2)
    assert len(smtp.mails) == 1 and len(receiver.received()) == 1
    assert sorted((x["id"], x["status"]) for x in d.deliveries()) == before


# ---- kill -9 during a burst ---------------------------------------------------------


def test_kill_during_a_burst_of_1000(tmp_path, daemons):
    n, kills = 1000, 3
    seed = random.randrange(2 ** 32)
    rng = random.Random(seed)
    print(f"seed {seed}")
    # 8 ms an answer, 4 at once: the burst lasts seconds, so the kills fall
    # inside it.
    receiver = peers.HttpReceiver(default=peers.slow(0.008))
    try:
        owners = [peers.Owner(f"o{i}", f"单位{i}", channels=(f"c{i}",)) for i in range(n)]
        channels = [peers.Channel(f"c{i}", "json", receiver.url(f"/hook/{i}")) for i in range(n)]
        tasks = [task(str(i + 1), f"事项{i}", owners=(f"单位{i}",)) for i in range(n)]
        conf = peers.write_config(tmp_path / "conf", owners, tasks, channels=channels)
        d = daemons(conf).start(AT - LEAD)
        now0, wall0 = d.now, d.started_at
        receiver.wait_for(1, timeout=30)
        seen_at_kill = []
        for _ in range(kills):
            time.sleep(rng.uniform(0.1, 1.0))
            assert d.kill() == -9
            seen_at_kill.append(len(receiver.received()))
            d.start(now0 + (time.time() - wall0))  # the same clock, run on
        print(f"requests seen at each kill: {seen_at_kill}")
        assert seen_at_kill[0] < n, "the burst was over before the first kill"

        paths = {f"/hook/{i}" for i in range(n)}
        receiver.wait_paths(paths, timeout=90)
        log = peers.settled(d, n, timeout=60, args=("--limit", str(n + 1)))
        assert all(x["status"] == "sent" for x in log.values())

        by_path = {}
        for r in receiver.received():
            by_path.setdefault(r.path, []).append(r.headers.get("webhook-id"))
        assert set(by_path) == paths
        extra = sum(len(ids) - 1 for ids in by_path.values())
        print(f"{extra} duplicates")
        # One peer here: a kill doubles at most its transfers under way or
        # unrecorded, delivery.parallel of them (4 by default).
        assert extra <= kills * 4, f"{extra} duplicates after {kills} kills"
        for i in range(n):
            ids = by_path[f"/hook/{i}"]
            assert set(ids) == {log[f"channel:c{i}"]["key"]}, (i, ids)
        status = d.status()
        assert (status["pending_deliveries"], status["failed_deliveries"]) == (0, 0)
    finally:
        receiver.stop()
