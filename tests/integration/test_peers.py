# SPDX-License-Identifier: MIT
"""The peers of the delivery tests (peers.py) on their own: each SMTP mode
with smtplib and with curl (libcurl over OpenSSL, as ledgerd sends), each
receiver script with urllib, the signature helpers against the published
test vectors, and the ledgerd helper and config writer against the real
ledgerd. If these fail, test_delivery.py's failures say nothing about
ledgerd."""

import datetime
import http.client
import json
import smtplib
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from email.message import EmailMessage

import pytest

import peers
from conftest import LEDGERD


@pytest.fixture(scope="module")
def cert(tmp_path_factory):
    return peers.SelfSignedCert(tmp_path_factory.mktemp("cert"))


def mail(subject="测试", to="a@example.org"):
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = "ledgerd@example.org", to, subject
    m.set_content("正文\n")
    return m


# ---- SMTP -----------------------------------------------------------------------


def test_smtp_plain():
    s = peers.SmtpServer().start()
    try:
        with smtplib.SMTP("127.0.0.1", s.port, timeout=10) as c:
            c.send_message(mail())
        got = s.wait_for(1)
        assert len(got) == 1 and got[0].accepted and not got[0].tls and got[0].login == ""
        assert got[0].mail_from == "ledgerd@example.org" and got[0].rcpt_tos == ["a@example.org"]
        assert str(got[0].message()["Subject"]) == "测试"
        assert s.url == f"smtp://127.0.0.1:{s.port}"
    finally:
        s.stop()


def test_smtp_starttls_auth(cert):
    s = peers.SmtpServer(tls="starttls", cert=cert, auth=("ledgerd", "s3cret")).start()
    try:
        with smtplib.SMTP("127.0.0.1", s.port, timeout=10) as c:  # no TLS: refused
            with pytest.raises(smtplib.SMTPException):
                c.send_message(mail())
        with smtplib.SMTP("127.0.0.1", s.port, timeout=10) as c:
            c.starttls(context=cert.client_context())
            with pytest.raises(smtplib.SMTPAuthenticationError):
                c.login("ledgerd", "wrong")
        assert s.auth_failures >= 1  # smtplib tries each mechanism
        with smtplib.SMTP("127.0.0.1", s.port, timeout=10) as c:
            c.starttls(context=cert.client_context())
            with pytest.raises(smtplib.SMTPSenderRefused):  # TLS but no AUTH
                c.send_message(mail())
        with smtplib.SMTP("127.0.0.1", s.port, timeout=10) as c:
            c.starttls(context=cert.client_context())
            c.login("ledgerd", "s3cret")
            c.send_message(mail())
        got = s.wait_for(1)
        assert len(s.mails) == 1 and got[0].tls and got[0].login == "ledgerd"
    finally:
        s.stop()


def test_smtp_implicit_tls(cert):
    s = peers.SmtpServer(tls="implicit", cert=cert).start()
    try:
        assert s.url.startswith("smtps://")
        with smtplib.SMTP_SSL("127.0.0.1", s.port, context=cert.client_context(),
                              timeout=10) as c:
            c.send_message(mail())
        assert s.wait_for(1)[0].tls
    finally:
        s.stop()


def curl_mail(tmp_path, server, *args):
    f = tmp_path / "mail.eml"
    f.write_bytes(mail().as_bytes())
    return subprocess.run(["curl", "-sS", "--url", server.url, "--mail-from", "ledgerd@example.org",
                           "--mail-rcpt", "a@example.org", "--upload-file", str(f), *args],
                          capture_output=True, text=True, timeout=30)


def test_libcurl_trusts_the_certificate_and_logs_in(tmp_path, cert):
    """What ledgerd's libcurl will do: STARTTLS required, the test
    certificate as the CA file, AUTH."""
    s = peers.SmtpServer(tls="starttls", cert=cert, auth=("ledgerd", "s3cret")).start()
    try:
        p = curl_mail(tmp_path, s, "--ssl-reqd", "--cacert", str(cert.cert),
                      "--user", "ledgerd:s3cret")
        assert p.returncode == 0, p.stderr
        assert s.wait_for(1)[0].login == "ledgerd"
        p = curl_mail(tmp_path, s, "--ssl-reqd", "--user", "ledgerd:s3cret")  # system CAs
        assert p.returncode == 60, p.stderr  # CURLE_PEER_FAILED_VERIFICATION
        p = curl_mail(tmp_path, s, "--ssl-reqd", "--cacert", str(cert.cert),
                      "--user", "ledgerd:wrong")
        assert p.returncode == 67, p.stderr  # CURLE_LOGIN_DENIED
        assert len(s.mails) == 1
    finally:
        s.stop()


def test_smtp_refuses_the_next_n_then_accepts(tmp_path):
    s = peers.SmtpServer().start()
    try:
        s.refuse_next(2)
        s.refuse_next(1, "554 5.7.1 Rejected")
        for expected in (451, 451, 554):
            with smtplib.SMTP("127.0.0.1", s.port, timeout=10) as c:
                with pytest.raises(smtplib.SMTPDataError) as e:
                    c.send_message(mail())
                assert e.value.smtp_code == expected
        p = curl_mail(tmp_path, s)
        assert p.returncode == 0, p.stderr
        assert [m.accepted for m in s.mails] == [False, False, False, True]
        assert [m.reply[:3] for m in s.mails] == ["451", "451", "554", "250"]
        # A refused message is recorded whole: its Message-ID can be compared.
        assert s.mails[0].data == s.mails[1].data and b"Subject:" in s.mails[0].data
        assert len(s.accepted) == 1
    finally:
        s.stop()


def test_smtp_stop_and_start_on_the_same_port():
    s = peers.SmtpServer()
    port = s.port
    with pytest.raises(OSError):  # created stopped
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    s.start()
    kept = smtplib.SMTP("127.0.0.1", port, timeout=10)
    kept.ehlo()
    s.stop()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    with pytest.raises((smtplib.SMTPException, OSError)):  # the open connection is gone too
        kept.send_message(mail())
    kept.close()
    s.start()
    try:
        assert s.port == port
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as c:
            c.send_message(mail())
        assert len(s.wait_for(1)) == 1
    finally:
        s.stop()


# ---- HTTP -----------------------------------------------------------------------


def post(url, body=b"{}", headers=None):
    """(status, headers, body) of a POST, whatever the status."""
    req = urllib.request.Request(url, data=body, method="POST",
                                 headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=20) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def test_success_per_format(receiver):
    for fmt in ("json", "wecom", "dingtalk", "feishu", "slack"):
        receiver.route(f"/{fmt}", peers.success(fmt))
    receiver.route("/json200", peers.success("json", status=200))
    assert post(receiver.url("/json"))[0] == 204
    assert post(receiver.url("/json200"))[0] == 200
    assert json.loads(post(receiver.url("/wecom"))[2]) == {"errcode": 0, "errmsg": "ok"}
    assert json.loads(post(receiver.url("/dingtalk"))[2])["errcode"] == 0
    assert json.loads(post(receiver.url("/feishu"))[2])["code"] == 0
    assert post(receiver.url("/slack"))[2] == b"ok"
    assert post(receiver.url("/unrouted"))[0] == 204  # the default


def test_requests_are_recorded(receiver):
    t0 = time.time()
    post(receiver.url("/robot/send?access_token=T&sign=a%2Bb%3D"), b'{"x":"\xe4\xb8\xad"}',
         {"webhook-id": "k1"})
    (r,) = receiver.wait_for(1, "/robot/send", answered=True)
    assert r.method == "POST" and r.query == {"access_token": "T", "sign": "a+b="}
    assert r.raw_query == "access_token=T&sign=a%2Bb%3D"
    assert r.headers["webhook-id"] == "k1" and r.headers["content-type"] == "application/json"
    assert r.json() == {"x": "中"} and r.status == 204
    assert t0 <= r.time <= r.answered <= time.time()


def test_scripted_answers_in_turn(receiver):
    receiver.route("/w", peers.errcode("wecom", 45009), peers.errcode("wecom", -1),
                   then=peers.success("wecom"))
    receiver.route("/f", peers.errcode("feishu", 19021))
    receiver.route("/d", peers.errcode("dingtalk", 130101))
    receiver.route("/limited", peers.too_many(2), then=peers.success())
    receiver.route("/broken", peers.server_error())
    receiver.route("/gone", peers.gone())
    codes = [json.loads(post(receiver.url("/w"))[2])["errcode"] for _ in range(4)]
    assert codes == [45009, -1, 0, 0]
    assert [json.loads(post(receiver.url("/f"))[2])["code"] for _ in range(2)] == [19021, 19021]
    assert json.loads(post(receiver.url("/d"))[2])["errcode"] == 130101
    status, headers, _ = post(receiver.url("/limited"))
    assert status == 429 and headers["Retry-After"] == "2"
    assert post(receiver.url("/limited"))[0] == 204
    assert [post(receiver.url("/broken"))[0] for _ in range(3)] == [500, 500, 500]
    assert post(receiver.url("/gone"))[0] == 410
    assert [r.status for r in receiver.received("/w")] == [200] * 4


def test_keep_alive(receiver):
    c = http.client.HTTPConnection("127.0.0.1", receiver.port, timeout=10)
    for i in range(3):
        c.request("POST", f"/k{i}", body=b"{}")
        r = c.getresponse()
        assert r.status == 204 and r.read() == b""
        if i == 0:
            sock = c.sock
        assert c.sock is sock  # the same connection
    c.close()


def test_slow_does_not_hold_up_other_requests(receiver):
    receiver.route("/slow", peers.slow(2, peers.success("wecom")))
    done = {}
    t = threading.Thread(target=lambda: done.setdefault("slow", post(receiver.url("/slow"))))
    t0 = time.monotonic()
    t.start()
    receiver.wait_for(1, "/slow")
    assert post(receiver.url("/fast"))[0] == 204
    assert time.monotonic() - t0 < 1.5
    t.join(10)
    assert time.monotonic() - t0 >= 2 and json.loads(done["slow"][2])["errcode"] == 0


def test_stop_drops_a_slow_answer_and_start_keeps_the_port():
    r = peers.HttpReceiver()
    port = r.port
    r.route("/slow", peers.slow(30))
    t = threading.Thread(target=lambda: pytest.raises(Exception, post, r.url("/slow")))
    t.start()
    r.wait_for(1, "/slow")
    t0 = time.monotonic()
    r.stop()
    assert time.monotonic() - t0 < 5
    t.join(10)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    r.start()
    try:
        assert r.port == port and post(r.url("/x"))[0] == 204
        assert [q.path for q in r.received()] == ["/slow", "/x"]
    finally:
        r.stop()


# ---- signatures -------------------------------------------------------------------


def test_signature_helpers_match_the_published_vectors():
    # The examples of Feishu's and DingTalk's group-robot documentation, secret "demo".
    assert peers.feishu_sign("demo", 1599360473) == "l1N0gAcBjdwBvGm1xMjOF0XSyaLRpR7tuO5dHfhAYc8="
    assert peers.dingtalk_sign("demo", 1599360473000) == \
        "eblRZvilBzXa6Ce18IeBM4pMy1rYNWKicaCg6VMwQe0="
    # The Standard Webhooks specification's example.
    assert peers.standard_webhooks_signature(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
        b'{"test": 2432232314}') == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


# ---- ledgerd and its configuration -----------------------------------------------


DAY = datetime.date(2025, 3, 24)  # a Monday


def test_config_writer_and_instant(tmp_path):
    conf = peers.write_config(
        tmp_path, [peers.Owner("czj", "县财政局", emails=("a@czj.example",), channels=("h",))],
        [peers.Task("1", "编制部门预算", ("县财政局",), DAY),
         peers.Task("2", "周六到期", ("县财政局",), datetime.date(2025, 3, 22))],
        channels=[peers.Channel("h", "json", "http://127.0.0.1:9/h", secret="whsec_AAAA")])
    p = subprocess.run([str(LEDGERD), "-c", str(conf), "--print-schedule", "--json"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and p.stderr == "", p.stderr
    plan = json.loads(p.stdout)
    assert [(r["milestone"], r["kind"], r["offset"], r["at"]) for r in plan] == [
        ("2", "due", "0d", peers.instant(datetime.date(2025, 3, 21))),  # Saturday → Friday
        ("1", "due", "0d", peers.instant(DAY))]
    assert peers.utc_text(peers.instant(DAY)) == "2025-03-24T01:30:00Z"
    assert (tmp_path / "secrets/h").read_text() == "whsec_AAAA\n"


def test_ledgerd_helper(tmp_path):
    conf = peers.write_config(tmp_path, [peers.Owner("czj", "县财政局")],
                              [peers.Task("1", "编制部门预算", ("县财政局",), DAY)])
    d = peers.Ledgerd(conf, tmp_path / "state")
    try:
        d.start(peers.instant(DAY) - 3600)
        assert d.status()["daemon"] == "running"
        assert abs(d.clock() - (peers.instant(DAY) - 3600)) < 5
        assert d.stop() == 0
        d.start(peers.instant(DAY) - 60)  # again, on the same state
        assert d.kill() == -9
        d.start(peers.instant(DAY) - 30)  # after kill -9 too
        assert d.ctl("status").returncode == 0
    finally:
        d.close()
    assert (tmp_path / "state/state.db").exists()
