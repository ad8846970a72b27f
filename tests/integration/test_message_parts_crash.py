# SPDX-License-Identifier: MIT
"""kill -9 between the requests of one reminder: a digest split into parts
(each part a delivery of its own, recorded before any is sent) and WeCom's
markdown message followed by its @mention (two requests of one delivery,
the log counting the accepted ones). The receiver accepts the first
request and holds the next one unanswered; ledgerd is killed while it is
held and started again on the same clock. What was accepted is never sent
again; what was not arrives, and is accepted, exactly once more. Built on
the shipped ledger as test_message_formats.py (msgkit.py). About 10 s."""

import collections
import time

import msgkit
import peers
from msgkit import AT

LEAD = 2
HOLD = 60  # seconds the receiver sits on the held request (until it is stopped)


def run_on(d):
    """Starts d again after a kill, its clock running on from where it was."""
    now0, wall0 = d.now, d.started_at
    d.start(now0 + (time.time() - wall0))


def start_holding_the_second(tmp_path, receiver, daemons, ledger, fmt):
    """ledgerd started before AT on the ledger's messages to its channel of
    format fmt, whose receiver accepts the first request and holds the
    second (HOLD s), then accepts: ledgerd and those two requests."""
    path = f"/{ledger}/{fmt}"
    receiver.route(path, peers.success(fmt), peers.slow(HOLD, peers.success(fmt)),
                   then=peers.success(fmt))
    setup = msgkit.configure(tmp_path / "c", ledger, receiver, peers.free_port(),
                             formats=(fmt,), emails=False)
    d = daemons(setup.conf)
    d.start(AT - LEAD)
    return d, receiver.wait_for(2, path, timeout=20)


def channel_log(d, target):
    return sorted((x for x in d.deliveries("--limit", "500") if x["target"] == target),
                  key=lambda x: x["id"])


def test_kill_between_the_parts_of_a_split_digest(tmp_path, receiver, daemons):
    """The forty items on Feishu come as three parts (20,000 bytes a card):
    part 1 accepted, part 2 held, kill -9, restart: part 2 and part 3 each
    accepted once, part 1 not sent again."""
    path = "/forty/feishu"
    d, (first, held) = start_holding_the_second(tmp_path, receiver, daemons, "forty", "feishu")
    parts = msgkit.read("feishu", first).part
    assert parts is not None and parts[1] >= 3, parts
    n = parts[1]
    assert parts == (1, n) and msgkit.read("feishu", held).part == (2, n)
    assert first.status == 200 and held.status == 0
    time.sleep(0.3)  # the acceptance of part 1 is recorded
    log = channel_log(d, "channel:forty-feishu")
    assert len(log) == n, log
    assert [x["status"] for x in log] == ["sent"] + ["pending"] * (n - 1), log
    assert [(x["part"], x["parts"]) for x in log] == [(i, n) for i in range(1, n + 1)], log
    table = d.ctl("deliveries", "--target", "forty-feishu", "--no-pager").stdout
    assert all(f"{i}/{n}: " in table for i in range(1, n + 1)), table
    before = [(x["id"], x["key"], [i["milestone"] for i in x["items"]]) for x in log]

    assert d.kill() == -9
    killed_at = time.time()
    run_on(d)
    receiver.wait_for(n + 1, path, timeout=30, answered=False)
    peers.wait_until(lambda: len([r for r in receiver.received(path) if r.status == 200]) >= n,
                     30, f"{n} parts accepted")
    time.sleep(1.5)  # nothing more comes

    reqs = receiver.received(path)
    labels = [msgkit.read("feishu", r).part for r in reqs]
    accepted = collections.Counter(p for p, r in zip(labels, reqs) if r.status == 200)
    assert accepted == {(i, n): 1 for i in range(1, n + 1)}, (labels, [r.status for r in reqs])
    assert labels.count((1, n)) == 1, labels          # part 1 never again
    assert labels.count((2, n)) == 2, labels          # the held one, and once more
    assert all(labels.count((i, n)) == 1 for i in range(3, n + 1)), labels
    after_kill = [p for p, r in zip(labels, reqs) if r.time > killed_at]
    assert after_kill == [(i, n) for i in range(2, n + 1)], after_kill

    # Every item once across what was accepted; the log agrees.
    rows = [row.milestone for p, r in zip(labels, reqs) if r.status == 200
            for row in msgkit.read("feishu", r).rows]
    assert collections.Counter(rows) == collections.Counter(
        it.milestone for it in msgkit.expected("forty"))
    log = channel_log(d, "channel:forty-feishu")
    assert [(x["id"], x["key"], [i["milestone"] for i in x["items"]]) for x in log] == before
    assert all(x["status"] == "sent" for x in log), log
    assert log[0]["tries"] == 1, log[0]
    for x, i in zip(log, range(1, n + 1)):
        (r,) = [r for p, r in zip(labels, reqs) if p == (i, n) and r.status == 200]
        assert [row.milestone for row in msgkit.read("feishu", r).rows] == [
            it["milestone"] for it in x["items"]], (i, x["id"])


def test_kill_between_wecom_markdown_and_its_mention(tmp_path, receiver, daemons):
    """One item on WeCom, its owner with a mobile: the markdown message
    accepted, the @mention held, kill -9, restart: only the mention is sent
    again, once, and the delivery is sent."""
    path = "/one/wecom"
    d, (markdown, mention) = start_holding_the_second(tmp_path, receiver, daemons, "one", "wecom")
    assert markdown.json()["msgtype"] == "markdown" and markdown.status == 200
    assert mention.json()["msgtype"] == "text" and mention.status == 0
    assert mention.json()["text"]["mentioned_mobile_list"] == [msgkit.MOBILES["zhou-czj"]]
    time.sleep(0.3)
    (dl,) = channel_log(d, "channel:one-wecom")
    assert dl["status"] == "pending", dl
    assert (dl["part"], dl["parts"], dl["steps"]) == (1, 1, 1), dl  # the markdown, not the mention

    assert d.kill() == -9
    killed_at = time.time()
    run_on(d)
    receiver.wait_for(3, path, timeout=30)
    peers.wait_until(lambda: receiver.received(path)[2].status, 10, "the mention answered")
    time.sleep(1.5)  # nothing more comes

    reqs = receiver.received(path)
    assert [r.json()["msgtype"] for r in reqs] == ["markdown", "text", "text"], [
        (r.json()["msgtype"], r.status) for r in reqs]
    again = [r for r in reqs if r.time > killed_at]
    assert [r.json()["msgtype"] for r in again] == ["text"]
    assert again[0].status == 200 and again[0].body == mention.body
    (dl2,) = channel_log(d, "channel:one-wecom")
    assert (dl2["id"], dl2["key"]) == (dl["id"], dl["key"])
    assert dl2["status"] == "sent", dl2
