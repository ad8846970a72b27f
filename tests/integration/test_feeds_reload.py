# SPDX-License-Identifier: MIT
"""The feeds after a reload (issue 17, item 4): the real ledgerd with two
ledger files and three owners. A revised ledger renders its owners' feeds
again, and only theirs: the others keep their bytes and ETag, carried over
unrendered. A change outside the ledgers (the feed's name in the main file)
changes every feed; a done mark changes the feeds that show the
milestone."""

import re
import signal
import time

import pytest

from test_feeds_http import Daemon, curl, dbus_call, free_port, wait_for

MAIN = """timezone = "Asia/Shanghai";
ledgers = [ "a.conf", "b.conf" ];
feed = { name = "%(name)s"; refresh = "PT6H"; listen = [ "127.0.0.1:%(port)d" ]; };
owners = (
  { id = "czj"; name = "县财政局"; },
  { id = "jyj"; name = "县教育局"; },
  { id = "sjj"; name = "县审计局"; feed_token = "s3cret-Feed_token-0123456789"; }
);
"""

LEDGER_A = """ledger = { id = "a-2025"; title = "甲"; year = 2025; tasks = (
  { id = "1"; item = "%(item)s"; owners = [ "县财政局" ]; deadline = "10月10日前"; },
  { id = "2"; item = "校舍维修"; owners = [ "县教育局" ]; deadline = "10月20日前"; }
); };
"""

LEDGER_B = """ledger = { id = "b-2025"; title = "乙"; year = 2025; tasks = (
  { id = "1"; item = "审计整改"; owners = [ "县审计局" ]; deadline = "11月10日前"; }
); };
"""

PATHS = ["/ledger.ics", "/czj.ics", "/jyj.ics", "/s3cret-Feed_token-0123456789/sjj.ics"]


def write_main(conf_dir, port, name):
    (conf_dir / "ledgerd.conf").write_text(MAIN % {"name": name, "port": port}, encoding="utf-8")


def write_a(conf_dir, item):
    (conf_dir / "a.conf").write_text(LEDGER_A % {"item": item}, encoding="utf-8")


@pytest.fixture
def daemon(tmp_path):
    conf_dir = tmp_path / "conf"
    conf_dir.mkdir()
    port = free_port()
    write_main(conf_dir, port, "台账")
    write_a(conf_dir, "绩效自评")
    (conf_dir / "b.conf").write_text(LEDGER_B, encoding="utf-8")
    d = Daemon(conf_dir / "ledgerd.conf", tmp_path, port)
    d.conf_dir = conf_dir
    yield d
    assert d.stop() == 0, d.log_text()


def fetch_all(d):
    """{path: (etag, unfolded body)} of every feed."""
    out = {}
    for path in PATHS:
        status, headers, body = curl(d.url(path))
        assert status == 200, path
        out[path] = (headers["etag"], body.replace(b"\r\n ", b""))
    return out


def rendered(d):
    """How many documents the last render that changed any rendered, of how
    many, and how many ledgers' events those copied from the render before."""
    lines = re.findall(r"feeds: \d+ of (\d+) changed \((\d+) rendered, with (\d+) ledgers' "
                       r"events copied\)", d.log_text())
    return (int(lines[-1][1]), int(lines[-1][0]), int(lines[-1][2])) if lines else None


def reload_until(d, predicate):
    """SIGHUP, then predicate() once the configuration is in force."""
    reloads = d.log_text().count("reloaded ")
    d.proc.send_signal(signal.SIGHUP)
    assert wait_for(lambda: d.log_text().count("reloaded ") > reloads), d.log_text()
    assert wait_for(predicate), d.log_text()


def test_revised_ledger_renders_only_its_owners(daemon):
    before = fetch_all(daemon)
    assert "绩效自评".encode() in before["/czj.ics"][1]

    write_a(daemon.conf_dir, "绩效自评（修订）")
    reload_until(daemon, lambda: curl(daemon.url("/czj.ics"))[1]["etag"] != before["/czj.ics"][0])
    after = fetch_all(daemon)
    assert "绩效自评（修订）".encode() in after["/czj.ics"][1]
    assert "绩效自评（修订）".encode() in after["/ledger.ics"][1]
    assert after["/ledger.ics"][0] != before["/ledger.ics"][0]
    # jyj is in the revised ledger (rendered again, to the same bytes); sjj
    # is not (carried over): both keep their ETag and bytes.
    for path in PATHS[2:]:
        assert after[path] == before[path], path
    # /ledger.ics, the index page, czj's and jyj's feeds: rendered; not sjj's.
    # The three calendars rendered copied ledger b's events, unchanged.
    assert rendered(daemon) == (4, 5, 3)

    # A change outside the ledgers: every feed changes.
    write_main(daemon.conf_dir, daemon.port, "县台账")
    reload_until(daemon, lambda: all(
        curl(daemon.url(p))[1]["etag"] != after[p][0] for p in PATHS))
    renamed = fetch_all(daemon)
    for path in PATHS:
        assert renamed[path][0] != after[path][0], path
        assert "X-WR-CALNAME:县台账".encode() in renamed[path][1], path
    assert rendered(daemon) == (5, 5, 0)


def test_unchanged_reload_changes_nothing(daemon):
    before = fetch_all(daemon)
    reload_until(daemon, lambda: True)
    time.sleep(0.5)  # the render after it, off the loop
    assert fetch_all(daemon) == before
    # It changed nothing: nothing was logged.
    assert "feeds: " not in daemon.log_text().split("reloaded ")[-1]


def test_done_mark_renders_the_feeds_that_show_it(daemon):
    before = fetch_all(daemon)
    dbus_call(daemon, "MarkDone", "ss", ["a-2025/2", "已维修"])
    assert wait_for(lambda: curl(daemon.url("/jyj.ics"))[1]["etag"] != before["/jyj.ics"][0])
    after = fetch_all(daemon)
    for path in ("/ledger.ics", "/jyj.ics"):
        assert "SUMMARY:【已完成】校舍维修".encode() in after[path][1], path
    assert after["/czj.ics"] == before["/czj.ics"]
    assert after[PATHS[3]] == before[PATHS[3]]
    # The marks changed: every feed was rendered again, nothing copied.
    assert rendered(daemon) == (5, 5, 0)
