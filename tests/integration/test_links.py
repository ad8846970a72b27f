# SPDX-License-Identifier: MIT
"""Close the loop, without a browser: the links that reminders carry (已完成,
推迟1天/3天/7天, 查看) and what they do, end to end. The real ledgerd with
feed.base_url set sends its reminders (to its Maildir outbox, to webhook
receivers), and the links are taken out of what it sent; then:

- the routes: a GET (or HEAD) changes nothing, only a POST of exactly
  confirm=1 does, 400 for any other body; 303 to the owner's page, which
  says so; who, how and from where in ledgerctl show; no cookie anywhere,
  no-store and a Content-Security-Policy on every page;
- refused links: forged (404), expired (410), used again after done or
  done and reopened (409), another owner's or milestone's (404), each
  changing nothing; 429 past 30 requests a minute per address; markup in a
  ledger shown as text;
- the feeds: done gives 【已完成】, no VALARM, a new SEQUENCE and DTSTAMP
  in every feed of the milestone within a second, a reopen restores them;
  a snooze drops the alarms before its end; an owner's feed rings when
  `ledgerctl why` says, for owners with settings of their own;
- after done no more reminders for it, and its pending messages cancelled;
- the page at /: a QR code (read here, by qrdecode.py) of each public feed,
  what is open and the next deadline;
- RotateLinkKey (busctl over a bus, and peer to peer over the private
  socket): every older link stops working, new messages' links work.

Tokens of our own (expired, for another owner) are signed here with the
service's key, by the format of core/http/link.h; the helper is first shown
to make exactly the tokens ledgerd makes. About 40 s."""

import datetime
import json
import re
import shutil
import socket
import subprocess
import time

import pytest

import linkkit as lk
import peers
import qrdecode
from linkkit import AT, CZJ, DAY, LEDGER, SJJ, day
from conftest import ROOT


def czj(**kw):
    return peers.Owner("czj", CZJ, emails=("jixiao@czj.example",), **kw)


def sjj(**kw):
    return peers.Owner("sjj", SJJ, emails=("sjj@czj.example",), **kw)


def task(id, item, owners, due):
    return peers.Task(id, item, tuple(owners), due)


def world(tmp_path, daemons, owners, tasks, now=AT - 2, **kwargs):
    """ledgerd serving on a free port with these owners and tasks, started
    at now; (ledgerd, Web)."""
    port = peers.free_port()
    conf = lk.configure(tmp_path / "conf", owners, tasks, port, **kwargs)
    d = daemons(conf).start(now)
    return d, lk.Web(port)


def mail_to(d, address, n_total):
    """The one message to address among the first n_total in the outbox."""
    msgs = lk.wait_mail(d.state, n_total)
    (m,) = [m for m in msgs if [a.addr_spec for a in m["To"].addresses] == [address]]
    return m


def links_of(msg):
    (links,) = lk.links_in(lk.text_of(msg))
    return links


def raw_exchange(web, data, timeout=5):
    """Sends data on a connection of its own and reads until the server
    closes it; a server that waits for more fails the test (timeout)."""
    got = b""
    with socket.create_connection(("127.0.0.1", web.port), timeout=timeout) as s:
        s.sendall(data)
        try:
            while chunk := s.recv(65536):
                got += chunk
        except ConnectionResetError:
            pass
    return got


def end_of_local_day(date):
    """23:59:59 of date in Asia/Shanghai, as a Unix time."""
    return peers.instant(date + datetime.timedelta(days=1), "00:00") - 1


def page_headers_ok(a):
    """The headers of every page about someone's work."""
    assert a.header("Content-Type") == "text/html; charset=utf-8", (a.path, a.headers)
    assert a.header("Cache-Control") == "no-store", (a.path, a.headers)
    csp = a.header("Content-Security-Policy") or ""
    for directive in ["default-src 'none'", "form-action 'self'", "frame-ancestors 'none'"]:
        assert directive in csp, (a.path, csp)
    assert "script-src" not in csp  # default-src 'none': no script at all
    assert a.header("Referrer-Policy") == "no-referrer"
    assert a.header("X-Content-Type-Options") == "nosniff"


def no_cookie_anywhere(web):
    assert web.seen
    for a in web.seen:
        names = {k.lower() for k, _ in a.headers}
        assert "set-cookie" not in names and "set-cookie2" not in names, (a.path, a.headers)


def feed_etag(web, path="/ledger.ics"):
    a = web.get(path)
    assert a.status == 200
    return a.header("ETag")


def await_feed(web, paths, predicate, timeout, what):
    """Polls the feeds at paths until predicate(events of each) holds for
    all; returns the events by path and the time it took."""
    start = time.monotonic()
    while True:
        got = {p: lk.events(web.feed(p)) for p in paths}
        if all(predicate(ev) for ev in got.values()):
            return got, time.monotonic() - start
        if time.monotonic() - start > timeout:
            seen = {p: {u: (e.summary, e.sequence, e.triggers) for u, e in ev.items()}
                    for p, ev in got.items()}
            raise AssertionError(f"{what}: not within {timeout} s; {seen}")
        time.sleep(0.02)


# ---- the routes -------------------------------------------------------------------------------


def test_a_get_changes_nothing_only_a_confirmed_post_does(tmp_path, daemons):
    d, web = world(tmp_path, daemons, [czj()],
                   [task("1", "编制部门预算", [CZJ], DAY), task("2", "报送绩效自评报告", [CZJ], day(2)),
                    task("3", "审计整改", [CZJ], day(1))])
    links = links_of(mail_to(d, "jixiao@czj.example", 1))
    base = web.base

    # What the links are: under base_url, signed with the service's key, for
    # the milestone and owner, until the end of a week after the due date
    # (no overdue notices here), at generation 0 (never marked).
    key = lk.link_key(d.state)
    expires = end_of_local_day(day(7))
    for kind, action in [("done", "done"), ("snooze1", "snooze1"), ("snooze3", "snooze3"),
                         ("snooze7", "snooze7")]:
        assert links[kind].startswith(f"{base}/act/"), links
        token = lk.token_of(links[kind])
        assert lk.claim_of(token) == {"version": "1", "action": action, "ledger": LEDGER,
                                      "milestone": "1", "owner": "czj", "expires": expires,
                                      "generation": 0}
        assert lk.sign(key, action, "1", "czj", expires) == token  # our signer is theirs
    assert links["page"].startswith(f"{base}/me/")
    assert lk.claim_of(lk.token_of(links["page"]))["action"] == "page"
    assert lk.claim_of(lk.token_of(links["page"]))["owner"] == "czj"

    etag = feed_etag(web)

    # GET: the confirmation, with one button that POSTs confirm=1 to the same URL.
    a = web.get(links["done"])
    assert a.status == 200
    page = a.page()
    assert page.h1 == "标记为已完成？"
    (form,) = page.forms
    assert (form.method, form.action, form.inputs, form.buttons) == (
        "post", links["done"], {"confirm": "1"}, ["确认已完成"])
    assert "编制部门预算" in page.text and CZJ in page.text
    for kind, words in [("snooze1", "推迟1天？"), ("snooze3", "推迟3天？"), ("snooze7", "推迟7天？")]:
        p = web.get(links[kind]).page()
        assert p.h1 == words, (kind, p.h1)
        (form,) = p.forms
        assert (form.method, form.action, form.inputs) == ("post", links[kind], {"confirm": "1"})

    # What a mail scanner or a chat's preview does: GET, again and again, HEAD,
    # even with confirm=1 in the query. Nothing changes.
    for _ in range(3):
        assert web.get(links["done"]).status == 200
    head = web.request("HEAD", links["done"])
    assert head.status == 200 and head.body == b""
    assert web.get(links["done"] + "?confirm=1").status == 200
    # The owner's page: open milestones by due date (not in the ledger's order).
    p = web.get(links["page"]).page()
    assert p.h1 == f"{CZJ}的工作事项" and p.headings == ["待完成"] and p.notice == ""
    assert [(c.item, re.search(r"今天到期|还有\d+天", c.meta).group(0)) for c in p.cards] == [
        ("编制部门预算", "今天到期"), ("审计整改", "还有1天"), ("报送绩效自评报告", "还有2天")]

    # Anything but exactly confirm=1 as a form: 400.
    bad = [("", lk.FORM), ("confirm=0", lk.FORM), ("confirm=11", lk.FORM),
           ("confirm=1&confirm=1", lk.FORM), ("x=1&confirm=1", lk.FORM), ("confirm=1&x=1", lk.FORM),
           ("confirm=1\n", lk.FORM), ("CONFIRM=1", lk.FORM),
           ("confirm=1", "text/plain"), ("confirm=1", "application/json"),
           ('{"confirm":1}', "application/json"), ("confirm=1", "multipart/form-data; boundary=x"),
           ("confirm=1", "application/x-www-form-urlencodedx"), ("confirm=1", None)]
    for body, ctype in bad:
        a = web.post(links["done"], body=body, content_type=ctype)
        assert a.status == 400, (body[:20], ctype, a.status)
        assert a.page().h1 == "请求无效"
    # A body longer than the button's is refused before it is read.
    a = web.post(links["done"], body="confirm=1" + "&a" * 5000)
    assert a.status == 413 and a.page().h1 == "请求无效", a.status
    token_path = lk.path_of(links["done"]).encode()
    head = (b"POST " + token_path + b" HTTP/1.1\r\nHost: x\r\nContent-Type: " + lk.FORM.encode() + b"\r\n")
    answer = raw_exchange(web, head + b"Content-Length: 200000000\r\n\r\nconfirm=1")
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:80]
    answer = raw_exchange(web, head + b"Transfer-Encoding: chunked\r\n\r\n400\r\n" + b"a" * 1024 + b"\r\n")
    assert not answer.startswith((b"HTTP/1.1 2", b"HTTP/1.1 3")), answer[:80]
    for method in ["PUT", "DELETE", "PATCH"]:
        assert web.request(method, links["done"], body="confirm=1",
                           headers={"Content-Type": lk.FORM}).status == 405, method
    assert web.request("POST", links["page"], body="confirm=1",
                       headers={"Content-Type": lk.FORM}).status == 405

    for m in ("1", "2", "3"):
        lk.untouched(d, m)
    assert feed_etag(web) == etag

    # The button's POST: done, as the owner the link was made for, via link,
    # from the client's address; 303 to the owner's page, which says so.
    a = web.post(links["done"], source="127.0.0.1")
    assert a.status == 303, (a.status, a.text)
    location = a.header("Location")
    assert re.fullmatch(re.escape(f"{base}/me/") + r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+" +
                        re.escape(f"?done={LEDGER}/1"), location), location
    page_claim = lk.claim_of(lk.token_of(location.split("?")[0]))
    assert (page_claim["action"], page_claim["owner"]) == ("page", "czj")
    me = web.get(location)
    assert me.status == 200
    p = me.page()
    assert p.h1 == f"{CZJ}的工作事项"
    assert p.notice == "已将「编制部门预算」标记为已完成。"
    assert p.headings == ["待完成", "已完成"]
    open_cards = [c for c in p.cards if c.heading == "待完成"]
    done_cards = [c for c in p.cards if c.heading == "已完成"]
    assert [c.item for c in open_cards] == ["审计整改", "报送绩效自评报告"]
    assert [c.item for c in done_cards] == ["✓ 编制部门预算"]
    assert "还有1天" in open_cards[0].meta and "还有2天" in open_cards[1].meta
    for card, milestone in zip(open_cards, ("3", "2")):
        assert [f.buttons for f in card.forms] == [["已完成"], ["推迟1天"], ["推迟3天"], ["推迟7天"]]
        assert [lk.claim_of(lk.token_of(f.action))["action"] for f in card.forms] == [
            "done", "snooze1", "snooze3", "snooze7"]
        assert all(lk.claim_of(lk.token_of(f.action))["milestone"] == milestone and f.method == "post"
                   and f.inputs == {"confirm": "1"} for f in card.forms)
    assert done_cards[0].forms == []
    assert re.search(r"2025-03-24 09:3\d 由县财政局标记完成（经提醒中的链接）", done_cards[0].meta), \
        done_cards[0].meta

    s = lk.show(d, "1")
    assert s["milestone"]["status"] == "done" and s["milestone"]["done_by"] == CZJ, s
    ((h,),) = [s["history"]]
    assert (h["action"], h["user"], h["via"], h["address"]) == ("done", CZJ, "link", "127.0.0.1"), h
    text = d.ctl("show", "1").stdout
    assert re.search(r"^\s+Done: 2025-03-24 09:3\d \S+ by 县财政局$", text, re.M), text
    assert re.search(r"^\s+History:\s+2025-03-24 09:3\d \S+\s+done\s+县财政局 via link from 127\.0\.0\.1$",
                     text, re.M), text
    assert feed_etag(web) != etag

    # Behind a proxy on this machine, the address it names is recorded.
    snooze = open_cards[1].forms[1].action
    a = web.post(snooze, source="127.0.0.1", headers={"X-Forwarded-For": "203.0.113.9, 198.51.100.7"})
    assert a.status == 303 and a.header("Location").endswith(f"?snoozed={LEDGER}/2")
    assert web.get(a.header("Location")).page().notice == "已将「报送绩效自评报告」推迟提醒。"
    assert lk.show(d, "2")["details"]["snoozed_until"] == "2025-03-25 09:30"
    ((h,),) = [lk.show(d, "2")["history"]]
    assert (h["action"], h["user"], h["via"], h["address"]) == ("snoozed", CZJ, "link", "198.51.100.7")
    # The proxy appends its own header after any the client sent: the last
    # one counts. What is not an address is no answer: the socket's counts.
    for form, forwarded, recorded in [
            (open_cards[0].forms[1], [b"6.6.6.6", b"203.0.113.9"], "203.0.113.9"),
            (open_cards[0].forms[2], [b"<b>x</b>"], "127.0.0.1")]:
        request = (b"POST " + lk.path_of(form.action).encode() + b" HTTP/1.1\r\nHost: x\r\n"
                   b"Connection: close\r\nContent-Type: " + lk.FORM.encode() + b"\r\n"
                   + b"".join(b"X-Forwarded-For: " + f + b"\r\n" for f in forwarded)
                   + b"Content-Length: 9\r\n\r\nconfirm=1")
        assert raw_exchange(web, request).startswith(b"HTTP/1.1 303 ")
        h = lk.show(d, "3")["history"][-1]
        assert (h["action"], h["address"]) == ("snoozed", recorded), h

    for a in web.seen:
        if a.path.startswith(("/act/", "/me/")):
            page_headers_ok(a)
    web.get("/")
    no_cookie_anywhere(web)


def test_whom_a_missed_one_is_escalated_to_can_answer_it(tmp_path, daemons):
    """An escalation reaches the owner the policy names (sjj), with links
    signed for sjj: they work, and sjj's page lists what was escalated."""
    port = peers.free_port()
    conf = lk.configure(tmp_path / "conf", [czj(), sjj()],
                        [task("1", "编制部门预算", [CZJ], DAY), task("2", "审计整改", [SJJ], day(3))], port)
    text = conf.read_text(encoding="utf-8")
    assert "\n  overdue = [  ];\n" in text
    conf.write_text(text.replace("\n  overdue = [  ];\n",
                                 '\n  overdue = [  ];\n  escalate_to = "sjj";\n  escalate_after = "1d";\n', 1),
                    encoding="utf-8")
    d = daemons(conf).start(peers.instant(day(1)) - 2)
    web = lk.Web(port)
    msg = mail_to(d, "sjj@czj.example", 1)
    assert "请督促责任单位尽快办理" in lk.text_of(msg)
    links = links_of(msg)
    assert lk.claim_of(lk.token_of(links["done"]))["owner"] == "sjj"

    assert web.get(links["done"]).page().h1 == "标记为已完成？"
    p = web.get(links["page"]).page()
    assert p.h1 == f"{SJJ}的工作事项"
    assert [c.item for c in p.cards] == ["编制部门预算", "审计整改"]
    a = web.post(links["done"])
    assert a.status == 303, (a.status, a.text)
    assert web.get(a.header("Location")).page().notice == "已将「编制部门预算」标记为已完成。"
    ((h,),) = [lk.show(d, "1")["history"]]
    assert (h["action"], h["user"], h["via"]) == ("done", SJJ, "link"), h

    # Whom nothing escalates to still cannot answer for it.
    key = lk.link_key(d.state)
    expires = lk.claim_of(lk.token_of(links["done"]))["expires"]
    assert web.get(f"/act/{lk.sign(key, 'snooze1', '2', 'czj', expires)}").status == 404


def test_forged_expired_and_other_owners_links_change_nothing(tmp_path, daemons):
    d, web = world(tmp_path, daemons, [czj(), sjj()],
                   [task("1", "编制部门预算", [CZJ], DAY), task("2", "审计整改", [SJJ], DAY)])
    mine = links_of(mail_to(d, "jixiao@czj.example", 2))
    theirs = links_of(mail_to(d, "sjj@czj.example", 2))
    key = lk.link_key(d.state)
    etag = feed_etag(web)
    done = lk.token_of(mine["done"])
    claim_end = done.index(".")

    def refused(path, status, h1):
        """GET and POST (GET alone for an owner's page, where POST is 405)."""
        page = lk.path_of(path).startswith("/me/")
        if page:
            assert web.post(path).status == 405
        for method in ("GET",) if page else ("GET", "POST"):
            a = web.get(path) if method == "GET" else web.post(path)
            assert a.status == status, (method, path, a.status, a.text[-300:])
            assert a.page().h1 == h1, (method, path, a.page().h1)
            assert a.page().forms == []
            page_headers_ok(a)

    # Forged: any one character changed, in the claim or in the signature.
    for i in [0, 1, claim_end // 2, claim_end - 1, claim_end + 1, claim_end + 9, -2, -1]:
        refused(f"/act/{lk.forge(done, i)}", 404, "链接无效")
    for bad in [done.replace(".", ""), done[:-1], done + "A", done.split(".")[0], "." + done.split(".")[1],
                done + "." + done.split(".")[1], ""]:
        refused(f"/act/{bad}", 404, "链接无效")
    refused(f"/me/{lk.forge(lk.token_of(mine['page']), 3)}", 404, "链接无效")

    # Another milestone's or owner's: the signature covers them.
    refused(f"/act/{lk.reclaim(done, milestone='2')}", 404, "链接无效")
    refused(f"/act/{lk.reclaim(done, owner='sjj')}", 404, "链接无效")
    refused(f"/act/{lk.reclaim(done, milestone='2', owner='sjj')}", 404, "链接无效")
    refused(f"/act/{lk.reclaim(done, action='snooze7')}", 404, "链接无效")
    refused(f"/act/{lk.reclaim(done, expires=lk.claim_of(done)['expires'] + 86400 * 365)}", 404, "链接无效")
    # Signed right, but czj does not own milestone 2; an owner's page token is
    # no action, and an action's is no page.
    expires = lk.claim_of(done)["expires"]
    refused(f"/act/{lk.sign(key, 'done', '2', 'czj', expires)}", 404, "链接无效")
    refused(f"/act/{lk.sign(key, 'done', '1', 'nobody', expires)}", 404, "链接无效")
    refused(f"/act/{lk.token_of(mine['page'])}", 404, "链接无效")
    refused(f"/act/{lk.token_of(theirs['page'])}", 404, "链接无效")
    assert web.get(f"/me/{done}").status == 404
    # Each owner's page is their own.
    p = web.get(theirs["page"]).page()
    assert p.h1 == f"{SJJ}的工作事项" and [c.item for c in p.cards] == ["审计整改"]
    assert "编制部门预算" not in p.text

    # Expired: signed right, a minute ago; and a forged one of those is forged.
    past = int(d.clock()) - 60
    refused(f"/act/{lk.sign(key, 'done', '1', 'czj', past)}", 410, "链接已过期")
    refused(f"/me/{lk.sign(key, 'page', '', 'czj', past, ledger='')}", 410, "链接已过期")
    refused(f"/act/{lk.forge(lk.sign(key, 'done', '1', 'czj', past), -1)}", 404, "链接无效")
    # A key that is not the service's.
    refused(f"/act/{lk.sign(bytes(32), 'done', '1', 'czj', expires)}", 404, "链接无效")

    for m in ("1", "2"):
        lk.untouched(d, m)
    assert feed_etag(web) == etag
    # The genuine links still work after all that.
    assert web.get(mine["done"]).status == 200 and web.get(theirs["done"]).status == 200

    # The real links, once their time is over: the service's clock a second
    # past their expiry.
    assert d.stop() == 0
    d.start(expires + 1)
    web.seen.clear()
    refused(mine["done"], 410, "链接已过期")
    refused(mine["snooze3"], 410, "链接已过期")
    assert web.get(mine["page"]).status == 410
    for m in ("1", "2"):
        lk.untouched(d, m)
    no_cookie_anywhere(web)


def next_second(d, into=0.15):
    """Waits until the service's clock is `into` past its next whole second."""
    time.sleep(1 - d.clock() % 1 + into)


def used(web, url, words):
    """The link was used: 409 to GET and POST, a page that says so and by whom."""
    for method in ("GET", "POST"):
        a = web.get(url) if method == "GET" else web.post(url)
        assert a.status == 409, (method, url, a.status)
        p = a.page()
        assert p.h1 == "链接已失效" and p.forms == [], p.h1
        assert words in p.text, p.text
        page_headers_ok(a)


def fresh_done_link(web, page_url):
    """The 已完成 button of the one open milestone on the owner's page."""
    p = web.get(page_url).page()
    (card,) = p.cards
    assert card.heading == "待完成" and card.item == "编制部门预算", (card, p.text)
    assert card.forms[0].buttons == ["已完成"]
    return card.forms[0].action


def when_of(entry):
    return int(datetime.datetime.fromisoformat(entry["when"]).timestamp())


def test_a_used_link_is_refused_after_done_and_after_reopen(tmp_path, daemons):
    """At a person's pace: each mark a second or more after the one before."""
    d, web = world(tmp_path, daemons, [czj()], [task("1", "编制部门预算", [CZJ], DAY)])
    links = links_of(mail_to(d, "jixiao@czj.example", 1))

    # A snooze is no use of the links: it marks no generation.
    assert web.post(links["snooze1"]).status == 303
    assert web.post(links["snooze3"]).status == 303
    assert web.post(links["done"]).status == 303
    assert [h["action"] for h in lk.show(d, "1")["history"]] == ["snoozed", "snoozed", "done"]
    for kind in ("done", "snooze1", "snooze7"):
        used(web, links[kind], "由县财政局标记为已完成")
    assert [h["action"] for h in lk.show(d, "1")["history"]] == ["snoozed", "snoozed", "done"]

    # Reopened: the links made before stay dead (they name the old generation).
    next_second(d)
    d.ctl("reopen", "1", "--note", "退回修改")
    for kind in ("done", "snooze7"):
        used(web, links[kind], "重新打开")
    s = lk.show(d, "1")
    assert [h["action"] for h in s["history"]] == ["snoozed", "snoozed", "done", "reopened"]
    assert s["milestone"]["status"] != "done"

    # The owner's page has fresh ones, of the reopen's generation, which work once.
    # A generation is the number of the mark that set it: the 4th made in this
    # state, whose only marks are these.
    fresh = fresh_done_link(web, links["page"])
    assert lk.claim_of(lk.token_of(fresh))["generation"] == len(s["history"]) == 4
    next_second(d)
    assert web.get(fresh).status == 200
    assert web.post(fresh).status == 303
    used(web, fresh, "由县财政局标记为已完成")
    next_second(d)
    d.ctl("reopen", "1")
    used(web, fresh, "重新打开")
    assert [h["action"] for h in lk.show(d, "1")["history"]] == [
        "snoozed", "snoozed", "done", "reopened", "done", "reopened"]


def test_a_used_link_is_refused_when_the_marks_come_within_a_second(tmp_path, daemons):
    """The same, quickly: the milestone reopened, done through a fresh link
    and reopened again within one second of the service's clock. A link
    that was used is used, however soon it comes back."""
    d, web = world(tmp_path, daemons, [czj()], [task("1", "编制部门预算", [CZJ], DAY)])
    links = links_of(mail_to(d, "jixiao@czj.example", 1))
    assert web.post(links["done"]).status == 303

    next_second(d)
    second = int(d.clock())
    d.ctl("reopen", "1")
    fresh = fresh_done_link(web, links["page"])
    assert web.post(fresh).status == 303
    after_done = web.get(fresh)
    d.ctl("reopen", "1")
    again = web.post(fresh)
    assert int(d.clock()) == second, "too slow to be within one second: run it again"

    history = lk.show(d, "1")["history"]
    assert after_done.status == 409, (after_done.status, after_done.page().h1,
                                      "a used link offers its button again", history)
    assert again.status == 409, (again.status, "a used link marks done again after a reopen", history)
    assert [h["action"] for h in history] == ["done", "reopened", "done", "reopened"], history


def test_thirty_requests_a_minute_per_address(tmp_path, daemons):
    d, web = world(tmp_path, daemons, [czj()], [task("1", "编制部门预算", [CZJ], DAY)])
    links = links_of(mail_to(d, "jixiao@czj.example", 1))
    greedy = "127.0.0.77"
    # The limit counts by the system's clock, in whole seconds: start just
    # after one begins, so that all of this is done before two more pass.
    time.sleep(1.05 - time.time() % 1)
    for i in range(30):
        url = links["page"] if i % 2 else links["done"]
        assert web.get(url, source=greedy).status == 200, i
    for url in (links["page"], links["done"], "/act/nothing", "/me/nothing"):
        a = web.get(url, source=greedy)
        assert a.status == 429, (url, a.status)
        assert a.page().h1 == "请求过于频繁"
        page_headers_ok(a)
    a = web.post(links["done"], source=greedy)
    assert a.status == 429
    lk.untouched(d, "1")
    # Others are not held up, nor are the feeds.
    assert web.get(links["page"], source="127.0.0.78").status == 200
    assert web.get("/ledger.ics", source=greedy).status == 200
    # The bucket fills again at 30 a minute: one more after two seconds (two
    # if a third second began meanwhile), not more.
    lk.wait(2.2)
    passed = [web.get(links["page"], source=greedy).status for _ in range(4)]
    assert passed in ([200, 429, 429, 429], [200, 200, 429, 429]), passed
    no_cookie_anywhere(web)


def test_an_ipv6_client_is_limited_by_its_network(tmp_path, daemons):
    """A /64 hands its hosts any of its addresses: the limit counts the
    network, here named by a proxy on this machine."""
    d, web = world(tmp_path, daemons, [czj()], [task("1", "编制部门预算", [CZJ], DAY)])
    links = links_of(mail_to(d, "jixiao@czj.example", 1))

    def status(address):
        return web.get(links["page"], source="127.0.0.79", headers={"X-Forwarded-For": address}).status

    time.sleep(1.05 - time.time() % 1)  # as above: all within two seconds
    assert [status(f"2001:db8:0:1::{i:x}") for i in range(1, 31)] == [200] * 30
    assert status("2001:db8:0:1:ffff:ffff:ffff:ffff") == 429
    assert status("2001:db8:0:2::1") == 200  # the next network is another client
    lk.untouched(d, "1")


def test_markup_in_a_ledger_is_shown_as_text(tmp_path, daemons):
    item = '<script>alert("x")</script><img src=x onerror=alert(1)>&amp;审计'
    owner = '县审计局<b>"二股"</b>'
    d, web = world(tmp_path, daemons, [peers.Owner("evil", owner, emails=("e@czj.example",))],
                   [task("1", item, [owner], DAY), task("2", "其他<i>事项</i>", [owner], day(1))])
    links = links_of(mail_to(d, "e@czj.example", 1))
    for url in (links["done"], links["page"], "/"):
        a = web.get(url)
        assert a.status == 200
        page = a.page()
        for tag in ("script", "img", "b", "i"):
            assert tag not in page.tags, (url, tag)
        assert "<script" not in a.text and "<img" not in a.text and "<b>" not in a.text
        assert item in page.text, (url, page.text)
        if url != "/":
            assert owner in page.text
    me = web.get(links["page"]).page()
    assert me.h1 == f"{owner}的工作事项"
    assert [c.item for c in me.cards] == [item, "其他<i>事项</i>"]
    # …and the notice after the button, whose words come from the ledger too.
    a = web.post(links["done"])
    assert a.status == 303
    a = web.get(a.header("Location"))
    assert a.page().notice == f"已将「{item}」标记为已完成。"
    assert "<script" not in a.text


# ---- the feeds --------------------------------------------------------------------------------


def test_done_shows_in_every_feed_of_the_milestone_within_a_second(tmp_path, daemons):
    """Milestone 1 belongs to czj and sjj: it is in /ledger.ics, /czj.ics and
    /sjj.ics. Its reminders: 3, 2, 1 days before and on the day, at 09:30."""
    d, web = world(tmp_path, daemons, [czj(), sjj()],
                   [task("1", "编制部门预算", [CZJ, SJJ], day(3)), task("2", "报送绩效自评报告", [CZJ], day(5))],
                   leads=("3d", "2d", "1d", "0d"))
    links = links_of(mail_to(d, "jixiao@czj.example", 2))
    feeds = ["/ledger.ics", "/czj.ics", "/sjj.ics"]
    before = {p: lk.events(web.feed(p)) for p in feeds}
    alarms = [lk.ics_time(AT + n * 86400) for n in range(4)]
    u1, u2 = lk.uid("1"), lk.uid("2")
    for p, ev in before.items():
        assert ev[u1].summary == "编制部门预算" and ev[u1].triggers == alarms, (p, ev[u1])
        assert "已完成" not in ev[u1].description
    assert u2 in before["/ledger.ics"] and u2 in before["/czj.ics"] and u2 not in before["/sjj.ics"]

    a = web.post(links["done"], source="127.0.0.1")
    assert a.status == 303
    after, took = await_feed(web, feeds, lambda ev: ev[u1].summary.startswith("【已完成】"), 1.0,
                             "【已完成】 in every feed of the milestone")
    print(f"re-rendered {took:.3f} s after the mark")
    for p, ev in after.items():
        e, old = ev[u1], before[p][u1]
        assert e.summary == "【已完成】编制部门预算", (p, e.summary)
        assert re.search(r"\n已完成：2025-03-24 09:3\d，县财政局（经提醒中的链接）$", e.description), \
            (p, e.description)
        assert e.alarms == 0 and e.triggers == [], (p, e.triggers)
        assert e.sequence > old.sequence, (p, e.sequence, old.sequence)
        assert e.dtstamp > old.dtstamp, (p, e.dtstamp, old.dtstamp)
        assert e.props["LAST-MODIFIED"] > old.props["LAST-MODIFIED"]
        # The other milestone is as it was.
        if u2 in ev:
            assert ev[u2] == before[p][u2], p

    # Reopened: the same words and alarms as before, a new SEQUENCE again.
    d.ctl("reopen", "1")
    reopened, took = await_feed(web, feeds, lambda ev: not ev[u1].summary.startswith("【已完成】"), 1.0,
                                "the reopen in every feed")
    for p, ev in reopened.items():
        e = ev[u1]
        assert e.summary == "编制部门预算" and e.description == before[p][u1].description, p
        assert e.triggers == alarms, (p, e.triggers)
        assert e.sequence > after[p][u1].sequence, p


def test_a_snooze_drops_the_alarms_before_its_end(tmp_path, daemons):
    d, web = world(tmp_path, daemons, [czj()], [task("1", "编制部门预算", [CZJ], day(3))],
                   leads=("3d", "2d", "1d", "0d"))
    links = links_of(mail_to(d, "jixiao@czj.example", 1))
    u1 = lk.uid("1")
    feeds = ["/ledger.ics", "/czj.ics"]
    before = {p: lk.events(web.feed(p))[u1] for p in feeds}
    assert before["/czj.ics"].triggers == [lk.ics_time(AT + n * 86400) for n in range(4)]
    # Two seconds past 09:30, so that a day's snooze ends after the next 09:30.
    time.sleep(max(0.0, d.wall(AT + 2) - time.time()))

    a = web.post(links["snooze1"], source="127.0.0.1")
    assert a.status == 303 and a.header("Location").endswith(f"?snoozed={LEDGER}/1")
    left = [lk.ics_time(AT + n * 86400) for n in (2, 3)]
    after, _ = await_feed(web, feeds, lambda ev: ev[u1].triggers == left, 1.0,
                          "the alarms after a day's snooze")
    for p, ev in after.items():
        assert ev[u1].summary == "编制部门预算" and ev[u1].sequence > before[p].sequence, p
    s = lk.show(d, "1")
    assert s["details"]["snoozed_until"] == "2025-03-25 09:30", s["details"]
    assert [(h["action"], h["via"]) for h in s["history"]] == [("snoozed", "link")]
    why = d.ctl("why", "1").stdout
    assert re.search(r"^2025-03-25 09:30 upcoming 2d to 1 owner \(not sent: snoozed\)$", why, re.M), why
    assert re.search(r"^2025-03-26 09:30 upcoming 1d to 1 owner \(planned\)$", why, re.M), why
    p = web.get(a.header("Location")).page()
    assert "已推迟：2025-03-25 09:3" in p.cards[0].meta, p.cards[0].meta

    # Seven days: past the due date, so no alarm is left; still not done.
    assert web.post(links["snooze7"]).status == 303
    after, _ = await_feed(web, feeds, lambda ev: ev[u1].alarms == 0, 1.0, "no alarm after 7 days' snooze")
    for ev in after.values():
        assert ev[u1].summary == "编制部门预算"


def why_instants(lines, owner):
    """The planned reminders before the due date (and on it) that `why`
    gives the owner, as feed TRIGGER values; and whether the owner has
    settings of its own."""
    (policy,) = [line for line in lines if line.startswith(owner + ": at ")]
    m = re.fullmatch(re.escape(owner) + r": at (\d\d:\d\d), before: ([^;]*); after a miss: .* \((.*)\)",
                     policy)
    assert m, policy
    hhmm, leads, source = m.group(1), m.group(2).split(), m.group(3)
    out = []
    for line in lines:
        r = re.fullmatch(r"(\d{4}-\d\d-\d\d) (\d\d:\d\d) (upcoming|due) (\S+) to \d+ owners? \((.*)\)", line)
        if r and r.group(2) == hhmm and r.group(4) in leads:
            out.append(lk.ics_time(peers.instant(datetime.date.fromisoformat(r.group(1)), r.group(2))))
    # Two leads may fall on one instant (a holiday moved them): one reminder.
    return sorted(set(out)), source


def test_an_owners_feed_rings_when_why_says(tmp_path, daemons):
    """The shipped configuration: 各相关部门单位 (bumen) has leads of its own;
    here 县财政局企业股 (czj-qyg) is given a time and leads of its own too.
    For every owner, each event of its feed rings exactly at the planned
    reminders before the due date that `ledgerctl why` lists for it."""
    conf_dir = tmp_path / "conf"
    shutil.copytree(ROOT / "conf", conf_dir)
    port = peers.free_port()
    path = conf_dir / "ledgerd.conf"
    text = path.read_text(encoding="utf-8")
    for old, new in [('listen = [ "127.0.0.1:8080", "[::1]:8080" ];', f'listen = [ "127.0.0.1:{port}" ];'),
                     ('base_url = "http://127.0.0.1:8080";', f'base_url = "http://127.0.0.1:{port}";'),
                     ('name = "县财政局企业股";     email = [ "qiye@czj.yuli.example" ];',
                      'name = "县财政局企业股";     email = [ "qiye@czj.yuli.example" ];\n'
                      '    reminders = { time = "08:15"; leads = [ "10d", "2wd", "0d" ]; };')]:
        assert old in text, old
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    d = daemons(path).start(peers.instant(datetime.date(2025, 1, 2), "08:00"))
    web = lk.Web(port)

    own, compared = [], 0
    for oid, name in OWNER_NAMES.items():
        milestones = json.loads(d.ctl("--json", "list", "--owner", oid).stdout)
        feed = lk.events(web.feed(f"/{oid}.ics"))
        dated = [m for m in milestones if m["due"]]
        assert sorted(lk.uid(m["id"], m["ledger"]) for m in dated) == sorted(feed), oid
        for m in dated:
            assert name in m["owners"], (oid, m)
            lines = json.loads(d.ctl("--json", "why", m["id"]).stdout)["lines"]
            want, source = why_instants(lines, name)
            got = sorted(feed[lk.uid(m["id"], m["ledger"])].triggers)
            assert want, (oid, m["id"], lines)
            assert got == want, (oid, m["id"], lines, got)
            if source == "the owner's settings" and oid not in own:
                own.append(oid)
            compared += 1
    assert sorted(own) == ["bumen", "czj-qyg"], own
    assert compared >= 40, compared
    # The owner's time, not the default one: 08:15 is 00:15 UTC.
    qyg = lk.events(web.feed("/czj-qyg.ics"))
    assert qyg and all(t.endswith("T001500Z") for e in qyg.values() for t in e.triggers)


OWNER_NAMES = {"czj": CZJ, "bumen": "各相关部门单位", "zhou-czj": "州财政局",
               "czj-sbg": "县财政局社会保障股", "czj-qyg": "县财政局企业股"}


# ---- no more reminders ---------------------------------------------------------------------------


def test_done_cancels_its_pending_messages_and_later_reminders(tmp_path, daemons):
    """Milestone 1 is due today, with an overdue notice tomorrow; czj is
    reminded by e-mail and on a channel that is down (500: the message
    stays pending, retried). Milestone 2, due tomorrow, is the control: its
    reminder goes out tomorrow at 09:30 as planned."""
    down = peers.HttpReceiver(default=peers.server_error())
    try:
        d, web = world(tmp_path, daemons, [czj(channels=("down",))],
                       [task("1", "编制部门预算", [CZJ], DAY), task("2", "报送绩效自评报告", [CZJ], day(1))],
                       channels=[peers.Channel("down", "json", down.url("/down"))], overdue=("1wd",))
        links = links_of(mail_to(d, "jixiao@czj.example", 1))
        down.wait_for(1, answered=True)
        pending = [x for x in d.deliveries() if x["target"] == "channel:down"]
        assert [x["status"] for x in pending] == ["pending"], pending

        assert web.post(links["done"]).status == 303
        cancelled = peers.wait_until(
            lambda: [x for x in d.deliveries()
                     if x["target"] == "channel:down" and x["status"] == "cancelled"],
            5, "the pending message cancelled")
        assert len(cancelled) == 1 and "done" in cancelled[0]["reason"], cancelled
        tries = len(down.received())
        why = d.ctl("why", "1").stdout
        assert re.search(r"^2025-03-25 09:30 overdue 1wd to 1 owner \(not sent: done\)$", why, re.M), why

        # Tomorrow, 09:30: the control's reminder, and nothing of milestone 1.
        assert d.stop() == 0
        d.start(peers.instant(day(1)) - 2)
        msgs = lk.wait_mail(d.state, 2)
        lk.wait(2)
        msgs = lk.maildir(d.state)
        assert len(msgs) == 2, [str(m["Subject"]) for m in msgs]
        text = lk.text_of(msgs[-1])
        assert "报送绩效自评报告" in text and "编制部门预算" not in text, text
        assert [lk.claim_of(lk.token_of(x["done"]))["milestone"] for x in lk.links_in(text)] == ["2"]
        for x in d.deliveries():
            if x["at"].startswith("2025-03-25"):
                assert [i["milestone"] for i in x["items"]] == ["2"], x
        bodies = [r.json() for r in down.received()[tries:]]
        assert all([rem["milestone"] for rem in b["data"]["reminders"]] == ["2"] for b in bodies), bodies
        assert bodies, "the control's reminder on the channel"
    finally:
        down.stop()


# ---- the page at / ------------------------------------------------------------------------------


def sections(html):
    """The feeds' cards of the page at /: (title, html of the card)."""
    out = []
    for part in html.split('<section class="card">')[1:]:
        card = part.split("</section>")[0]
        (title,) = re.findall(r"<h3>(.*?)</h3>", card)
        out.append((title, card))
    return out


def test_the_page_at_root(tmp_path, daemons):
    token = "tok-0123456789abcdef"
    port = peers.free_port()
    owners = [czj(), sjj(), peers.Owner("sbg", "社会保障股", emails=("sb@czj.example",))]
    tasks = [task("1", "编制部门预算", [CZJ], DAY), task("2", "报送绩效自评报告", [CZJ], day(2)),
             task("3", "审计整改", [SJJ], day(4)), task("4", "社保基金绩效", ["社会保障股"], day(1))]
    conf = lk.configure(tmp_path / "conf", owners, tasks, port)
    text = conf.read_text(encoding="utf-8")
    assert '    id = "sbg";\n' in text
    conf.write_text(text.replace('    id = "sbg";\n', f'    id = "sbg";\n    feed_token = "{token}";\n'),
                    encoding="utf-8")
    d = daemons(conf).start(AT - 2)
    web = lk.Web(port)
    links = links_of(mail_to(d, "jixiao@czj.example", 1))

    a = web.get("/")
    assert a.status == 200
    html = a.text
    cards = sections(html)
    assert [t for t, _ in cards] == ["全部事项", CZJ, SJJ, "社会保障股"]
    slugs = {"全部事项": "ledger", CZJ: "czj", SJJ: "sjj"}
    for title, card in cards:
        if title not in slugs:
            assert '<svg class="qr"' not in card and token not in html
            assert "私有订阅地址" in card
            continue
        (svg,) = re.findall(r'<svg class="qr".*?</svg>', card)
        assert card.index("<svg") < card.index("<h3>")  # beside the feed's name and links
        dark, width = qrdecode.modules_of_svg(svg)
        webcal = f"webcal://127.0.0.1:{port}/{slugs[title]}.ics"
        assert qrdecode.decode(dark, width) == webcal, title
        assert f'href="{webcal}"' in card
        # A module less, and it is no longer a QR code one could trust.
        damaged = set(dark)
        damaged ^= {(width - 1, width - 12)}
        with pytest.raises(qrdecode.QRError):
            qrdecode.decode(damaged, width)
    meta = {t: re.sub(r"<[^>]+>", " ", re.search(r'<p class="meta">(.*?)</p>', c).group(1))
            for t, c in cards}
    assert re.fullmatch(r"未完成 3 项 下一个截止：3月24日（今天） 编制部门预算", meta["全部事项"]), meta
    assert re.fullmatch(r"未完成 2 项 下一个截止：3月24日（今天） 编制部门预算", meta[CZJ]), meta
    assert re.fullmatch(r"未完成 1 项 下一个截止：3月28日（还有4天） 审计整改", meta[SJJ]), meta
    assert re.fullmatch(r"未完成 1 项 下一个截止：3月25日（还有1天） 社保基金绩效", meta["社会保障股"]), meta
    assert "都带有【已完成】【推迟】【查看】按钮" in html
    assert "ledgerctl" not in html

    # The page follows the marks.
    assert web.post(links["done"]).status == 303

    def updated():
        m = {t: re.sub(r"<[^>]+>", " ", re.search(r'<p class="meta">(.*?)</p>', c).group(1))
             for t, c in sections(web.get("/").text)}
        return m if m["全部事项"].startswith("未完成 2 项") else None
    meta = peers.wait_until(updated, 2, "the page at / after the mark")
    assert re.fullmatch(r"未完成 2 项 下一个截止：3月26日（还有2天） 报送绩效自评报告", meta["全部事项"]), meta
    assert re.fullmatch(r"未完成 1 项 下一个截止：3月26日（还有2天） 报送绩效自评报告", meta[CZJ]), meta
    no_cookie_anywhere(web)


# ---- RotateLinkKey ------------------------------------------------------------------------------

SESSION_BUS = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>unix:path={path}</listen><auth>EXTERNAL</auth>
<policy context="default"><allow send_destination="*"/><allow receive_sender="*"/><allow own="*"/>
<allow user="*"/></policy>
</busconfig>"""


def rotate_peer_to_peer(d):
    """RotateLinkKey over the private socket, peer to peer, with python3-dbus
    (busctl always says Hello first, which only a bus answers)."""
    code = ("import dbus,sys\nc=dbus.connection.Connection(sys.argv[1])\n"
            "try: c.call_blocking(None,'/','org.freedesktop.DBus.Peer','Ping','',(),timeout=0.2)\n"
            "except dbus.DBusException: pass\n"
            "c.call_blocking(None,'/org/ledgerd/Ledger1','org.ledgerd.Ledger1','RotateLinkKey','',(),"
            "timeout=30)\n")
    p = subprocess.run(["/usr/bin/python3", "-c", code, f"unix:path={d.run_dir}/private"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr


def test_rotate_link_key_kills_every_older_link(tmp_path, daemons):
    """czj is reminded by e-mail and on a json channel that answers the first
    try 429 (Retry-After: 3), so that the channel's message is made again,
    after the rotation, with the new key."""
    (tmp_path / "bus.conf").write_text(SESSION_BUS.format(path=tmp_path / "bus"))
    bus = subprocess.Popen(["dbus-daemon", f"--config-file={tmp_path / 'bus.conf'}", "--nofork",
                            "--print-address"], stdout=subprocess.PIPE, text=True)
    receiver = peers.HttpReceiver()
    try:
        address = bus.stdout.readline().strip()
        receiver.route("/j", peers.too_many(3), then=peers.success())
        port = peers.free_port()
        conf = lk.configure(tmp_path / "conf", [czj(channels=("j",))],
                            [task("1", "编制部门预算", [CZJ], DAY), task("2", "报送绩效自评报告", [CZJ], day(2))],
                            port, channels=[peers.Channel("j", "json", receiver.url("/j"))])
        d = daemons(conf)
        d.bus_address = address
        d.start(AT - 2)
        web = lk.Web(port)
        old_mail = links_of(mail_to(d, "jixiao@czj.example", 1))
        (first,) = receiver.wait_for(1, answered=True)
        old_hook = links_of_webhook(first)
        old_key = lk.link_key(d.state)
        for url in (old_mail["done"], old_mail["page"], old_hook["done"], old_hook["snooze1"]):
            assert web.get(url).status == 200, url

        p = subprocess.run(["busctl", f"--address={address}", "call", "org.ledgerd.Ledger1",
                            "/org/ledgerd/Ledger1", "org.ledgerd.Ledger1", "RotateLinkKey"],
                           capture_output=True, text=True, timeout=30)
        assert p.returncode == 0, (p.stdout, p.stderr, d.log_text())
        new_key = lk.link_key(d.state)
        assert new_key != old_key
        assert "a new key: every link sent so far stops working" in d.log_text()

        for url in (old_mail["done"], old_mail["snooze7"], old_hook["done"]):
            a = web.get(url)
            assert a.status == 404 and a.page().h1 == "链接无效", (url, a.status)
            assert web.post(url).status == 404
        assert web.get(old_mail["page"]).status == 404
        lk.untouched(d, "1")

        # The channel's retry is a new message, with links signed by the new key.
        second = receiver.wait_for(2, timeout=20, answered=True)[1]
        assert second.status == 204
        new_hook = links_of_webhook(second)
        token = lk.token_of(new_hook["done"])
        c = lk.claim_of(token)
        assert lk.sign(new_key, "done", "1", "czj", c["expires"]) == token
        assert token != lk.token_of(old_hook["done"])
        assert web.get(new_hook["done"]).status == 200
        a = web.post(new_hook["done"], source="127.0.0.1")
        assert a.status == 303
        s = lk.show(d, "1")
        assert s["milestone"]["status"] == "done" and s["history"][0]["via"] == "link"
        assert web.get(new_hook["page"]).status == 200

        # Again, peer to peer on the private socket: now these die too.
        rotate_peer_to_peer(d)
        assert lk.link_key(d.state) not in (old_key, new_key)
        for url in (new_hook["page"], new_hook["snooze3"], a.header("Location")):
            assert web.get(url).status == 404, url
        assert [h["action"] for h in lk.show(d, "1")["history"]] == ["done"]
    finally:
        receiver.stop()
        bus.terminate()
        bus.wait(timeout=10)


def links_of_webhook(request):
    """The links in a json channel's message (Standard Webhooks body)."""
    body = request.json()
    assert body["type"] == "ledger.reminder"
    (links,) = lk.links_in(body["data"]["text"])
    return links
