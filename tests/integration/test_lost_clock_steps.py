# SPDX-License-Identifier: MIT
"""Never lose a reminder: the system clock is stepped under a running
ledgerd. The real system clock (CLOCK_REALTIME, set as root with
clock_settime) and the real ledgerd, whose --now clock runs at a fixed
offset from the system's, so that a step of the system clock moves the
service's clock by as much.

- Forward: ledgerd starts 10 s before a 09:30 instant and the clock jumps
  an hour ahead: the reminder jumped over is sent once, soon after the
  step, marked late (the json webhook's data.late, `deliveries --json`).
- Backward: the clock goes back that hour and the service's clock passes
  the instant again: nothing is sent twice.

A resume from suspend takes the same path: the realtime timer of the next
instant has elapsed while the machine slept, and the plan goes on from what
was handled, not from now, exactly as after the forward step here.

The clock is put back in a finally: the time before the first step plus the
time elapsed since, measured with CLOCK_MONOTONIC. The forward step lasts
a few seconds."""

import contextlib
import datetime
import time

import peers

DAY = datetime.date(2025, 3, 24)  # a Monday, no holiday
AT = peers.instant(DAY)           # 2025-03-24 09:30 +08:00
HOUR = 3600


@contextlib.contextmanager
def steppable_clock():
    """step(seconds) sets the system clock to the true time plus seconds
    (0: the true time); the true time is restored at the end, whatever
    happened."""
    real0 = time.clock_gettime(time.CLOCK_REALTIME)
    mono0 = time.clock_gettime(time.CLOCK_MONOTONIC)

    def true_time():
        return real0 + (time.clock_gettime(time.CLOCK_MONOTONIC) - mono0)

    def step(seconds):
        time.clock_settime(time.CLOCK_REALTIME, true_time() + seconds)

    try:
        yield step
    finally:
        step(0)


def test_a_step_forward_sends_late_and_a_step_back_sends_nothing_again(tmp_path, daemons):
    receiver = peers.HttpReceiver()
    try:
        owner = peers.Owner("czj", "县财政局", channels=("h",))
        conf = peers.write_config(tmp_path / "conf", [owner],
                                  [peers.Task("1", "编制部门预算", ("县财政局",), DAY)],
                                  channels=[peers.Channel("h", "json", receiver.url("/hook"))])
        with steppable_clock() as step:
            d = daemons(conf).start(AT - 10)
            mono_start = time.monotonic()  # the service's clock: AT - 10 about now
            time.sleep(1)
            assert receiver.received() == []

            step(+HOUR)
            stepped = time.monotonic()
            (hook,) = receiver.wait_for(1, "/hook", timeout=10, answered=True)
            after = time.monotonic() - stepped
            print(f"sent {after:.2f} s after the step forward")
            assert after <= 5, after  # soon after the step, not at some later wake-up
            body = hook.json()
            assert body["data"]["late"] is True, body
            assert [r["milestone"] for r in body["data"]["reminders"]] == ["1"], body
            (dl,) = peers.settled(d, 1).values()
            assert (dl["status"], dl["late"], dl["tries"]) == ("sent", True, 1), dl
            assert datetime.datetime.fromisoformat(dl["at"]).timestamp() == AT, dl["at"]
            assert hook.headers["webhook-id"] == dl["key"]

            step(0)  # an hour back: the service's clock is before the instant again
            back = time.monotonic()
            left = AT - (d.now + (back - mono_start))
            assert left > 0, f"the service's clock is past the instant already ({-left:.1f} s)"
            # Until the service's clock is past the instant, and some more.
            time.sleep(left + 4)
            assert "the system clock changed" in d.log_text()
        assert len(receiver.received()) == 1, [r.headers for r in receiver.received()]
        assert [(x["id"], x["status"]) for x in d.deliveries()] == [(dl["id"], "sent")]
        assert d.proc.poll() is None
    finally:
        receiver.stop()
