# SPDX-License-Identifier: MIT
"""The courier's order and pace against a peer that fails: the real
ledgerd (--now a moment before a 09:30 instant) and real HTTP receivers on
loopback.

- 200 messages at one instant to one receiver that answers 500 for its
  first 30 s: every message's first try is made at the instant (first
  tries before retries; a backlog of failures never holds a reminder's
  first try back); the peer is then probed, and within 10 s of the
  receiver answering 200 every message is delivered, each accepted
  exactly once.
- A receiver answering 429 with Retry-After: 7 is tried again 7 s after
  its answer, not sooner (to the second), also when the answer took a
  while to come; a Retry-After of a day is capped at an hour (the next try
  in the delivery log)."""

import datetime
import time

import pytest

import peers

DAY = datetime.date(2025, 3, 24)  # a Monday, no holiday
AT = peers.instant(DAY)           # 2025-03-24 09:30 +08:00
LEAD = 2
EARLY = 0.05  # ledgerd starts its --now clock after we spawn it: never ahead of ours


def test_first_tries_at_the_instant_then_the_backlog_when_the_peer_is_back(tmp_path, daemons):
    n, outage = 200, 30.0
    receiver = peers.HttpReceiver(default=peers.server_error())
    try:
        owners, channels, tasks = peers.webhook_fleet(receiver, n, DAY)
        conf = peers.write_config(tmp_path / "conf", owners, tasks, channels=channels)
        d = daemons(conf).start(AT - LEAD)
        instant = d.wall(AT)
        receiver.wait_paths({f"/hook/{k}" for k in range(1, n + 1)}, timeout=LEAD + 10)
        first = {}
        for r in receiver.received():
            first.setdefault(r.path, r.time)
        spread = max(first.values()) - instant
        print(f"first tries from {min(first.values()) - instant:+.2f} s to {spread:+.2f} s")
        assert min(first.values()) >= instant - EARLY
        assert spread <= 5, f"the last first try came {spread:.1f} s after the instant"

        # The outage: 500 for 30 s from the instant, then 200.
        time.sleep(max(0.0, instant + outage - time.time()))
        during = len(receiver.received())
        receiver.default = peers.success()
        back = time.time()
        print(f"{during} requests during the outage ({during - n} retries or probes)")

        def accepted():
            return [r for r in receiver.received() if r.status == 204]

        try:
            peers.wait_until(lambda: len({r.path for r in accepted()}) >= n,
                             max(0.0, back + 10 - time.time()), f"{n} messages accepted",
                             interval=0.1)
        except AssertionError:
            raise AssertionError(f"{len({r.path for r in accepted()})} of {n} delivered 10 s "
                                 f"after the peer came back") from None
        print(f"all delivered {max(r.time for r in accepted()) - back:.1f} s after the peer "
              "came back")
        log = peers.settled(d, n, timeout=10, args=("--limit", str(n + 1)))
        assert all(x["status"] == "sent" and x["tries"] >= 2 for x in log.values()), \
            [x for x in log.values() if x["status"] != "sent" or x["tries"] < 2][:3]
        time.sleep(1)
        paths = [r.path for r in accepted()]
        assert sorted(paths) == sorted(f"/hook/{k}" for k in range(1, n + 1)), \
            "accepted more than once, or not at all"
        for r in accepted():
            assert r.headers["webhook-id"] == log[f"channel:c{r.path.removeprefix('/hook/')}"]["key"]
    finally:
        receiver.stop()


@pytest.mark.parametrize("answer_after", [0.0, 0.6])
def test_retry_after_is_honoured_to_the_second(tmp_path, daemons, answer_after):
    receiver = peers.HttpReceiver()
    try:
        receiver.route("/limited", peers.slow(answer_after, peers.too_many(7)), then=peers.success())
        receiver.route("/day", peers.too_many(86400))
        conf = peers.write_config(tmp_path / "conf", [peers.Owner("czj", "县财政局",
                                                                  channels=("limited", "day"))],
                                  [peers.Task("1", "编制部门预算", ("县财政局",), DAY)],
                                  channels=[peers.Channel("limited", "json",
                                                          receiver.url("/limited")),
                                            peers.Channel("day", "json", receiver.url("/day"))])
        d = daemons(conf).start(AT - LEAD)
        first, second = receiver.wait_for(2, "/limited", timeout=LEAD + answer_after + 15)
        waited = second.time - first.answered
        print(f"tried again {waited:.3f} s after the 429 (Retry-After: 7)")
        assert waited >= 7 - EARLY, f"tried again {waited:.2f} s after Retry-After: 7"
        assert waited <= 8.5, waited
        assert first.headers["webhook-id"] == second.headers["webhook-id"]
        log = peers.settled(d, 1, args=("--target", "channel:limited"))
        assert (log["channel:limited"]["status"], log["channel:limited"]["tries"]) == ("sent", 2)

        # A day asked for: an hour at the most.
        (day,) = receiver.received("/day")
        (dl,) = [x for x in d.deliveries() if x["target"] == "channel:day"]
        assert (dl["status"], dl["tries"], dl["code"]) == ("pending", 1, 429), dl
        asked_at = d.now + (day.answered - d.started_at)  # the service's clock
        next_try = datetime.datetime.fromisoformat(dl["next_try"]).timestamp()
        assert asked_at + 3600 - 1.5 <= next_try <= asked_at + 3600 + 1.5, (next_try - asked_at)
    finally:
        receiver.stop()
