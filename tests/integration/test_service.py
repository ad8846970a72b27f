# SPDX-License-Identifier: MIT
"""The real ledgerd as a service, with ledgerctl and busctl as clients: over
its private socket and over a real dbus-daemon started here, whose policy is
the shipped units/org.ledgerd.Ledger1.conf on top of the system bus's
defaults (deny by default), so the policy is tested too.

"now" is the real time: besides the shipped 2025 ledger, a second ledger is
written with dates around today, so that due soon, upcoming and overdue are
known whatever the day. The admin group is "adm", which exists on Debian, so
that `runuser -u nobody -G adm` is an admin and plain `runuser -u nobody` is
not: the private socket is then 0660 root:adm, and the denial of done and
reload to nobody is tested on the bus, where the policy lets nobody reach
ledgerd and only ledgerd's own check can refuse."""

import datetime
import grp
import json
import os
import re
import pathlib
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time

import pytest

from conftest import LEDGERCTL, LEDGERD, ROOT

pytestmark = [
    pytest.mark.skipif(shutil.which("dbus-daemon") is None, reason="dbus-daemon is not installed"),
    pytest.mark.skipif(shutil.which("busctl") is None, reason="busctl is not installed"),
    pytest.mark.skipif(os.geteuid() != 0, reason="runs ledgerd as root and clients as nobody"),
]

ADMIN_GROUP = "adm"
TZ = datetime.timezone(datetime.timedelta(hours=8))  # Asia/Shanghai: no DST since 1991


def today():
    return datetime.datetime.now(TZ).date()


BUS_CONF = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <listen>unix:path={dir}/bus</listen>
  <auth>EXTERNAL</auth>
  <!-- The defaults of Debian's system.conf: nothing may be called unless a
       policy allows it. -->
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Properties"/>
  </policy>
  <include>{policy}</include>
</busconfig>
"""

NOW_LEDGER = """ledger = {{
  id = "now";
  title = "今天附近的台账";
  year = {year};
  tasks = (
    {{ id = "a"; category = "测试"; item = "三天后"; detail = ""; owners = [ "县财政局" ];
       deadline = "{a}"; }},
    {{ id = "b"; category = "测试"; item = "二十天后"; detail = ""; owners = [ "县财政局" ];
       deadline = "{b}"; }},
    {{ id = "c"; category = "测试"; item = "五天前"; detail = ""; owners = [ "县财政局" ];
       deadline = "{c}"; }},
    {{ id = "d"; category = "测试"; item = "待定"; detail = ""; owners = [ "县财政局" ];
       deadline = "根据县财政局具体工作时间安排"; }},
    {{ id = "e"; category = "测试"; item = "读不懂"; detail = ""; owners = [ "县财政局" ];
       deadline = "尽快"; }},
    {{ id = "1"; category = "测试"; item = "与yuli-2025的1同名"; detail = ""; owners = [ "县财政局" ];
       deadline = "根据县财政局具体工作时间安排"; }}{extra}
  );
}};
"""


def now_ledger(extra=""):
    t = today()
    return NOW_LEDGER.format(year=t.year, a=t + datetime.timedelta(days=3),
                             b=t + datetime.timedelta(days=20), c=t - datetime.timedelta(days=5),
                             extra=extra)


@pytest.fixture(scope="module")
def world():
    """A folder every user may enter (pytest's tmp_path is root's only), with
    a copy of ledgerctl that nobody may run."""
    d = pathlib.Path(tempfile.mkdtemp(prefix="ledgerd-service-", dir="/tmp"))
    os.chmod(d, 0o755)
    shutil.copy2(LEDGERCTL, d / "ledgerctl")
    os.chmod(d / "ledgerctl", 0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def bus(world):
    conf = world / "bus.conf"
    conf.write_text(BUS_CONF.format(dir=world, policy=ROOT / "units/org.ledgerd.Ledger1.conf"))
    p = subprocess.Popen(["dbus-daemon", f"--config-file={conf}", "--nofork", "--print-address"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    address = p.stdout.readline().strip()
    assert address.startswith("unix:path="), p.stderr.read() if p.poll() is not None else address
    yield address
    p.terminate()
    p.wait(timeout=10)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def conf(world, request):
    """ledgerd.conf with the shipped ledger and the one around today."""
    d = world / f"conf-{request.node.name}".replace("[", "-").replace("]", "")
    shutil.rmtree(d, ignore_errors=True)
    shutil.copytree(ROOT / "conf", d)
    text = (d / "ledgerd.conf").read_text()
    text = text.replace('admin_group = "ledgerd-admin";', f'admin_group = "{ADMIN_GROUP}";')
    text = text.replace('ledgers = [ "ledgers/yuli-2025.conf" ];',
                        'ledgers = [ "ledgers/yuli-2025.conf", "ledgers/now.conf" ];')
    # A port of its own: an address that cannot be bound fails the start.
    port = free_port()
    text = re.sub(r'listen = \[.*?\];', f'listen = [ "127.0.0.1:{port}" ];', text, count=1)
    text = text.replace('base_url = "http://127.0.0.1:8080";', f'base_url = "http://127.0.0.1:{port}";')
    assert f'"{ADMIN_GROUP}"' in text and "now.conf" in text and f":{port}" in text
    (d / "ledgerd.conf").write_text(text)
    (d / "ledgers/now.conf").write_text(now_ledger())
    return d


class Daemon:
    """ledgerd in the foreground, as systemd runs it: READY, STATUS and
    STOPPING come over a NOTIFY_SOCKET of our own."""

    def __init__(self, conf, world, bus_address, name):
        self.conf = conf / "ledgerd.conf"
        self.dir = world / name
        self.dir.mkdir(exist_ok=True)
        os.chmod(self.dir, 0o755)
        self.run_dir = self.dir / "run"
        self.state = self.dir / "state"
        self.bus_address = bus_address
        self.proc = None
        self.log = self.dir / "ledgerd.log"

    def start(self):
        notify_path = self.dir / "notify"
        if notify_path.exists():
            notify_path.unlink()
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify.bind(str(notify_path))
        self.messages = []
        env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": self.bus_address,
               "NOTIFY_SOCKET": str(notify_path)}
        with open(self.log, "a") as log:
            self.proc = subprocess.Popen(
                [LEDGERD, "-c", self.conf, "--state-dir", self.state, "--runtime-dir",
                 self.run_dir, "--user"], env=env, stdout=log, stderr=log)
        self.wait_for("READY=1")

    def wait_for(self, what, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(what in m for m in self.messages):
                return
            assert self.proc.poll() is None, f"ledgerd exited {self.proc.returncode}: {self.log.read_text()}"
            self.notify.settimeout(0.2)
            try:
                self.messages.append(self.notify.recv(4096).decode())
            except socket.timeout:
                pass
        raise AssertionError(f"no {what} from ledgerd; got {self.messages}\n{self.log.read_text()}")

    def stop(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)
        code = self.proc.wait(timeout=20)
        self.notify.settimeout(0)
        try:
            while True:
                self.messages.append(self.notify.recv(4096).decode())
        except (BlockingIOError, socket.timeout):
            pass
        self.notify.close()
        return code

    def restart(self):
        assert self.stop() == 0
        self.start()


@pytest.fixture
def daemon(conf, world, bus, request):
    d = Daemon(conf, world, bus, "daemon-" + request.node.name.replace("[", "-").replace("]", ""))
    shutil.rmtree(d.state, ignore_errors=True)
    d.start()
    yield d
    if d.proc.poll() is None:
        d.stop()


def ctl(daemon, via, *args, user=None, groups=(), check=True):
    """ledgerctl over the private socket ("private") or the bus ("bus"), as
    root or, with user, through runuser."""
    where = (["--runtime-dir", daemon.run_dir] if via == "private"
             else ["--address", daemon.bus_address])
    cmd = [daemon.dir.parent / "ledgerctl", *where, *args]
    if user:
        cmd = ["runuser", "-u", user, *[a for g in groups for a in ("-G", g)], "--", *cmd]
    p = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=60,
                       env={**os.environ, "NO_COLOR": "1"})
    if check and p.returncode != 0:
        raise AssertionError(f"{cmd} exited {p.returncode}\n{p.stdout}\n{p.stderr}")
    return p


def ctl_json(daemon, via, *args, **kwargs):
    return json.loads(ctl(daemon, via, "--json", *args, **kwargs).stdout)


def busctl(daemon, *args, check=True):
    p = subprocess.run(["busctl", f"--address={daemon.bus_address}", *[str(a) for a in args]],
                       capture_output=True, text=True, timeout=60)
    if check and p.returncode != 0:
        raise AssertionError(f"busctl {args} exited {p.returncode}\n{p.stdout}\n{p.stderr}")
    return p


def by_name(items):
    return {(m["ledger"], m["id"]): m for m in items}


# ---- the service ---------------------------------------------------------------


def test_ready_and_status_notification(daemon):
    status = [m for m in daemon.messages if "STATUS=" in m]
    assert status and "milestones" in status[-1]
    assert "admin group" not in daemon.log.read_text()  # adm exists: no warning
    st = os.stat(daemon.run_dir / "private")
    assert oct(st.st_mode & 0o777) == oct(0o660)
    assert st.st_gid == grp.getgrnam(ADMIN_GROUP).gr_gid


def test_busctl_introspect(daemon):
    out = busctl(daemon, "introspect", "org.ledgerd.Ledger1", "/org/ledgerd/Ledger1").stdout
    for member in [".ListMilestones", ".Describe", ".Preview", ".Why", ".MarkDone", ".Reopen",
                   ".Snooze", ".Reload", ".Version", ".ConfigPath", ".Ledgers", ".Counts",
                   ".NextReminder", ".LastReload", ".FeedURLs", ".OrphanedMarks",
                   ".PendingDeliveries", ".FailedDeliveries", ".MilestoneDone",
                   ".MilestoneReopened", ".Reloaded", ".ReminderSent", ".ReminderFailed"]:
        assert member in out, member
    assert "a(sssssssasxss)" in out  # ListMilestones' typed result


def test_busctl_call_mark_done(daemon):
    busctl(daemon, "call", "org.ledgerd.Ledger1", "/org/ledgerd/Ledger1", "org.ledgerd.Ledger1",
           "MarkDone", "ss", "15.2", "note")
    shown = ctl_json(daemon, "bus", "show", "15.2")
    assert shown["milestone"]["status"] == "done"
    assert shown["milestone"]["note"] == "note"
    assert shown["milestone"]["done_by"] == "root"
    assert [h["action"] for h in shown["history"]] == ["done"]
    counts = busctl(daemon, "get-property", "org.ledgerd.Ledger1", "/org/ledgerd/Ledger1",
                    "org.ledgerd.Ledger1", "Counts").stdout.split()
    assert counts[0] == "(uuuuuuuu)" and int(counts[2]) == 1  # one done


# ---- every read verb, over both ways ---------------------------------------------


@pytest.mark.parametrize("via", ["private", "bus"])
def test_read_verbs_json(daemon, via):
    listed = ctl_json(daemon, via, "list")
    names = by_name(listed)
    assert {k: names[("now", k)]["status"] for k in "abcde"} == {
        "a": "due-soon", "b": "upcoming", "c": "overdue", "d": "undated", "e": "unknown"}
    assert names[("now", "a")]["due"] == str(today() + datetime.timedelta(days=3))
    assert names[("now", "d")]["due"] is None
    assert names[("yuli-2025", "15.2")]["owners"] == ["县财政局", "各相关部门单位"]

    status = ctl_json(daemon, via, "status")
    assert status["daemon"] == "running"
    assert [l["id"] for l in status["ledgers"]] == ["yuli-2025", "now"]
    assert status["config_path"] == str(daemon.conf)
    c = status["counts"]
    for key, name in [("done", "done"), ("overdue", "overdue"), ("due_soon", "due-soon"),
                      ("upcoming", "upcoming"), ("undated", "undated"), ("unknown", "unknown")]:
        assert c[key] == sum(1 for m in listed if m["status"] == name), key
    assert c["milestones"] == sum(1 for m in listed if m["due"])
    assert c["due_soon"] >= 1 and c["upcoming"] >= 1 and c["unknown"] == 1
    nxt = status["next_deadlines"]
    assert nxt[0]["id"] == "a" and len(nxt) <= 5
    assert [m["due"] for m in nxt] == sorted(m["due"] for m in nxt)
    assert all(m["status"] in ("due-soon", "upcoming") for m in nxt)
    assert status["next_reminder"] is not None  # a and b have reminders to come
    assert status["last_reload"]["ok"] is True
    assert status["orphaned_marks"] == 0 and status["failed_deliveries"] == 0

    assert [m["id"] for m in ctl_json(daemon, via, "list", "--due-within", "7")] == ["a"]
    # Status options and --due-within add up; --ledger narrows all of them.
    union = ctl_json(daemon, via, "list", "--due-within", "7", "--overdue", "--ledger", "now")
    assert [m["id"] for m in union] == ["c", "a"]  # by due date
    overdue = ctl_json(daemon, via, "list", "--overdue")
    assert {m["status"] for m in overdue} == {"overdue"} and ("now", "c") in by_name(overdue)
    undated = by_name(ctl_json(daemon, via, "list", "--undated", "--ledger", "now"))
    assert sorted(k[1] for k in undated) == ["1", "d", "e"]
    mine = ctl_json(daemon, via, "list", "--owner", "czj", "--ledger", "now")
    assert sorted(m["id"] for m in mine) == ["1", "a", "b", "c", "d", "e"]
    assert ctl_json(daemon, via, "list", "--done") == []

    shown = ctl_json(daemon, via, "show", "a")
    assert shown["milestone"]["status"] == "due-soon"
    assert shown["details"]["deadline"] == str(today() + datetime.timedelta(days=3))
    assert shown["history"] == []

    why = ctl_json(daemon, via, "why", "a")
    assert why["id"] == "a" and why["lines"][0].startswith("a is due ")
    assert any(line.startswith("县财政局: at 09:30") for line in why["lines"])

    frm, to = today(), today() + datetime.timedelta(days=30)
    preview = ctl_json(daemon, via, "preview", "--from", frm, "--to", to)
    assert {r["milestone"] for r in preview if r["ledger"] == "now"} >= {"a", "b"}
    for r in preview:
        at = datetime.datetime.fromisoformat(r["at"])
        assert at.utcoffset() == datetime.timedelta(hours=8)
        assert frm <= at.date() <= to


@pytest.mark.parametrize("via", ["private", "bus"])
def test_text_output(daemon, via):
    out = ctl(daemon, via, "status").stdout
    assert out.startswith("● ledgerd ")
    assert "\033[" not in out  # not a terminal: no colour
    assert "Ledgers: yuli-2025  2025年度尉犁县全面实施预算绩效管理工作台账 (2025)" in out
    assert "Next deadlines:" in out
    table = ctl(daemon, via, "list", "--ledger", "now").stdout.splitlines()
    # Columns line up by display width: OWNERS starts at the same column on every line.
    assert table[0].split() == ["ID", "DUE", "STATUS", "OWNERS", "ITEM"]
    col = table[0].index("OWNERS")
    assert all(line[col:].startswith("县财政局") for line in table[1:])
    assert "now/a" in out or "now/a" in "\n".join(table)  # two ledgers: ids are qualified
    assert "2 owners" in ctl(daemon, via, "why", "15.2").stdout


# ---- changes: done, reopen, snooze; restarts ------------------------------------


def test_done_and_reopen_survive_restart(daemon):
    ctl(daemon, "private", "done", "a", "--note", "已报送")
    daemon.restart()
    m = by_name(ctl_json(daemon, "bus", "list", "--done"))[("now", "a")]
    assert (m["status"], m["note"], m["done_by"]) == ("done", "已报送", "root")
    assert datetime.datetime.fromisoformat(m["done_at"]).date() == today()
    ctl(daemon, "bus", "reopen", "a", "--note", "退回修改")
    daemon.restart()
    shown = ctl_json(daemon, "private", "show", "a")
    assert shown["milestone"]["status"] == "due-soon"
    assert [(h["action"], h["note"]) for h in shown["history"]] == [
        ("done", "已报送"), ("reopened", "退回修改")]


def test_snooze(daemon):
    p = ctl(daemon, "private", "snooze", "b", "+2d", "--note", "等通知")
    assert p.stdout.startswith("b: no reminders until ")
    until = ctl_json(daemon, "private", "show", "b")["details"]["snoozed_until"]
    expected = datetime.datetime.now(TZ) + datetime.timedelta(days=2)
    assert until[:10] == str(expected.date())
    ctl(daemon, "bus", "snooze", "b", f"{today() + datetime.timedelta(days=4)}T10:00")
    assert ctl_json(daemon, "bus", "show", "b")["details"]["snoozed_until"] == \
        f"{today() + datetime.timedelta(days=4)} 10:00"


def test_sigterm_exits_cleanly_with_the_database_intact(daemon):
    ctl(daemon, "private", "done", "c", "--note", "x")
    assert daemon.stop(signal.SIGTERM) == 0
    assert any("STOPPING=1" in m for m in daemon.messages)
    assert not (daemon.run_dir / "private").exists()  # the socket is cleaned up
    db = sqlite3.connect(daemon.state / "state.db")
    assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    db.close()
    daemon.start()
    assert by_name(ctl_json(daemon, "private", "list", "--done"))[("now", "c")]["note"] == "x"


def test_sigint_too(daemon):
    assert daemon.stop(signal.SIGINT) == 0


# ---- who may do what -------------------------------------------------------------


def test_nobody_reads_but_may_not_change(daemon):
    for args in [("status",), ("list",), ("show", "a"), ("why", "a"), ("preview",)]:
        p = ctl(daemon, "bus", *args, user="nobody")
        assert p.returncode == 0, args
    assert json.loads(ctl(daemon, "bus", "--json", "status", user="nobody").stdout)["daemon"] == "running"
    for args in [("done", "a"), ("reopen", "a"), ("snooze", "a", "+1d"), ("reload",)]:
        p = ctl(daemon, "bus", *args, user="nobody", check=False)
        assert p.returncode == 5, (args, p.stderr)
        assert f"only root and members of group {ADMIN_GROUP} may" in p.stderr, p.stderr
    assert ctl_json(daemon, "private", "show", "a")["milestone"]["status"] == "due-soon"
    # The private socket is for root and the admin group only.
    p = ctl(daemon, "private", "status", user="nobody", check=False)
    assert p.returncode == 5 and "Permission denied" in p.stdout
    p = ctl(daemon, "private", "list", user="nobody", check=False)
    assert p.returncode == 5 and "Permission denied" in p.stderr


def test_admin_group_may_change(daemon):
    """A member of the admin group, by a supplementary group, on both ways."""
    ctl(daemon, "private", "done", "a", "--note", "组员", user="nobody", groups=[ADMIN_GROUP])
    m = ctl_json(daemon, "bus", "show", "a")["milestone"]
    assert (m["status"], m["done_by"], m["note"]) == ("done", "nobody", "组员")
    ctl(daemon, "bus", "reopen", "a", user="nobody", groups=[ADMIN_GROUP])
    assert ctl_json(daemon, "bus", "show", "a")["milestone"]["status"] == "due-soon"
    ctl(daemon, "bus", "reload", user="nobody", groups=[ADMIN_GROUP])


# ---- reload ----------------------------------------------------------------------


def test_broken_config_on_reload_keeps_the_old_one(daemon, conf):
    ledger = conf / "ledgers/now.conf"
    ledger.write_text(now_ledger().replace('id = "b";', 'id = "b"; bogus = 1;'))
    p = ctl(daemon, "private", "reload", check=False)
    assert p.returncode == 1
    assert "the new configuration was refused, the old one stays" in p.stderr
    assert "now.conf" in p.stderr and "bogus" in p.stderr, p.stderr
    status = ctl_json(daemon, "bus", "status")
    assert status["last_reload"]["ok"] is False
    assert [l["id"] for l in status["ledgers"]] == ["yuli-2025", "now"]
    assert ("now", "b") in by_name(ctl_json(daemon, "bus", "list"))
    assert "refused" in ctl(daemon, "bus", "status").stdout
    # Fixed, with one task more: the reload goes through and says what changed.
    ledger.write_text(now_ledger(extra=f""",
    {{ id = "f"; category = "测试"; item = "新增"; detail = ""; owners = [ "县财政局" ];
       deadline = "{today() + datetime.timedelta(days=40)}"; }}"""))
    p = ctl(daemon, "bus", "reload")
    assert "1 added" in p.stdout, p.stdout
    assert ctl_json(daemon, "private", "show", "f")["milestone"]["status"] == "upcoming"
    assert ctl_json(daemon, "private", "status")["last_reload"]["ok"] is True


def test_sighup_reloads(daemon, conf):
    (conf / "ledgers/now.conf").write_text("ledger = {")
    daemon.messages.clear()
    daemon.proc.send_signal(signal.SIGHUP)
    daemon.wait_for("RELOADING=1")
    daemon.wait_for("READY=1")
    status = ctl_json(daemon, "private", "status")
    assert status["last_reload"]["ok"] is False
    assert "now.conf" in status["last_reload"]["message"]
    assert ("now", "a") in by_name(ctl_json(daemon, "private", "list"))


# ---- errors ----------------------------------------------------------------------


@pytest.mark.parametrize("via", ["private", "bus"])
def test_bad_arguments(daemon, via):
    cases = [
        (("show", "9.9"), 4, 'no milestone or undated task "9.9"'),
        (("done", "9.9"), 4, 'no milestone or undated task "9.9"'),
        (("why", "yuli-2025/a"), 4, 'no milestone or undated task "yuli-2025/a"'),
        (("list", "--owner", "财政厅"), 4, 'no owner "财政厅"'),
        (("list", "--ledger", "yuli-2024"), 4, 'no ledger "yuli-2024"'),
        (("show", "1"), 1, '"1" is in more than one ledger: write LEDGER/1'),
        (("snooze", "a", "next week"), 2, '"next week" is not a time'),
        (("snooze", "a", "2025-02-30"), 2, '"2025-02-30" is not a time'),
        (("snooze", "a", "2020-01-01"), 2, "is not in the future"),
        (("preview", "--from", "2025-13-01"), 2, '--from: "2025-13-01" is not'),
        (("preview", "--from", "2025-10-10", "--to", "2025-10-01"), 2, "--to must come after"),
        (("preview", "--from", "2024-01-01", "--to", "2025-12-31"), 2, "at most 400 days"),
        (("list", "--due-within", "soon"), 2, '--due-within: "soon" is not a number'),
        (("--timezone", "Asia/Beijing", "status"), 2, '"Asia/Beijing" is not a time zone'),
        (("show",), 2, "wrong number of arguments"),
    ]
    for args, code, message in cases:
        p = ctl(daemon, via, *args, check=False)
        assert p.returncode == code, (args, p.returncode, p.stderr)
        assert message in p.stderr, (args, p.stderr)
        assert p.stdout == "", (args, p.stdout)
    # Qualified, the ambiguous id is fine.
    assert ctl_json(daemon, via, "show", "now/1")["milestone"]["status"] == "undated"
    # Done twice is refused with a reason.
    ctl(daemon, via, "done", "c")
    p = ctl(daemon, via, "done", "c", check=False)
    assert p.returncode == 1 and "now/c is done already" in p.stderr


def test_busctl_bad_arguments(daemon):
    p = busctl(daemon, "call", "org.ledgerd.Ledger1", "/org/ledgerd/Ledger1",
               "org.ledgerd.Ledger1", "Snooze", "sts", "a", "0", "", check=False)
    assert p.returncode != 0 and "snooze until a time in the future" in p.stderr
    p = busctl(daemon, "call", "org.ledgerd.Ledger1", "/org/ledgerd/Ledger1",
               "org.ledgerd.Ledger1", "ListMilestones", "a{sv}", "1", "status", "s", "late",
               check=False)
    assert p.returncode != 0 and 'unknown status "late"' in p.stderr


def test_unreachable(world):
    missing = world / "no-such-runtime-dir"
    p = subprocess.run([str(world / "ledgerctl"), "--runtime-dir", str(missing), "status"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 1
    assert "not reachable" in p.stdout and f"{missing}/private" in p.stdout
    p = subprocess.run([str(world / "ledgerctl"), "--runtime-dir", str(missing), "--json", "status"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 1 and json.loads(p.stdout)["daemon"] == "unreachable"
    p = subprocess.run([str(world / "ledgerctl"), "--runtime-dir", str(missing), "list"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 1
    assert p.stderr.startswith("ledgerctl: cannot reach ledgerd: the private socket ")


def test_completion_offers_milestone_ids(daemon):
    script = (f"source {ROOT}/completion/ledgerctl\n"
              "COMP_WORDS=(\"$@\"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))\n"
              "_ledgerctl; printf '%s\\n' \"${COMPREPLY[@]}\"\n")
    words = [str(daemon.dir.parent / "ledgerctl"), "--runtime-dir", str(daemon.run_dir), "done", "15."]
    p = subprocess.run(["bash", "-c", script, "bash", *words], capture_output=True, text=True,
                       timeout=60)
    assert p.stdout.split() == ["15.1", "15.2", "15.3"]
