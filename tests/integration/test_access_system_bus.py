# SPDX-License-Identifier: MIT
"""Who may ask ledgerd what, on a real system bus and on the private
socket. A real dbus-daemon runs with a system bus policy: the default
policy of Debian's /usr/share/dbus-1/system.conf (every user may connect;
owning a name and sending method calls denied unless a service's file
allows it; signals and replies allowed) and the project's own
units/org.ledgerd.Ledger1.conf from this tree, listening on a socket in a
temporary directory. ledgerd runs on it as root, as the service does
(DBUS_SYSTEM_BUS_ADDRESS, no --user or --no-bus). Real users made with
useradd, and removed afterwards, run ledgerctl through setpriv:

- an ordinary user reads everything over the bus: status, list, show,
  why, preview, deliveries; `done` is refused with AccessDenied's message
  (exit 5);
- a member of the configured admin_group marks a milestone done over the
  bus;
- on the private socket (0660, root and the admin group) the admin
  group's member reads; the ordinary user may not connect."""

import datetime
import grp
import json
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
import time

import pytest

import peers
from conftest import LEDGERCTL, ROOT

DAY = datetime.date(2025, 3, 24)  # a Monday, no holiday
AT = peers.instant(DAY)           # 2025-03-24 09:30 +08:00
ITEM = "编制部门预算"

SYSTEM_BUS = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <auth>EXTERNAL</auth>
  <listen>unix:path={socket}</listen>
  <!-- The default policy of Debian's /usr/share/dbus-1/system.conf. -->
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
    <deny send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"
          send_member="UpdateActivationEnvironment"/>
    <deny send_destination="org.freedesktop.DBus"
          send_interface="org.freedesktop.DBus.Debug.Stats"/>
    <deny send_destination="org.freedesktop.DBus"
          send_interface="org.freedesktop.systemd1.Activator"/>
  </policy>
  <include>{policy}</include>
</busconfig>
"""


def run(*args, check=True):
    p = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=60)
    if check and p.returncode != 0:
        raise AssertionError(f"{args} exited {p.returncode}: {p.stdout}{p.stderr}")
    return p


@pytest.fixture
def world(tmp_path):
    """A directory every user may enter, with a copy of ledgerctl in it."""
    d = tempfile.mkdtemp(prefix="ld-bus-", dir="/tmp")
    os.chmod(d, 0o755)
    shutil.copy2(LEDGERCTL, os.path.join(d, "ledgerctl"))
    os.chmod(os.path.join(d, "ledgerctl"), 0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def system_bus(world):
    """A dbus-daemon with the system bus policy; its address."""
    conf = os.path.join(world, "system.conf")
    policy = ROOT / "units/org.ledgerd.Ledger1.conf"
    assert policy.is_file()
    with open(conf, "w") as f:
        f.write(SYSTEM_BUS.format(socket=os.path.join(world, "system_bus_socket"), policy=policy))
    bus = subprocess.Popen(["dbus-daemon", f"--config-file={conf}", "--nofork", "--print-address"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        address = bus.stdout.readline().strip()
        assert address.startswith("unix:"), bus.stderr.read() if bus.poll() is not None else address
        yield address
    finally:
        bus.terminate()
        bus.wait(timeout=10)


@pytest.fixture
def users():
    """An admin group, a member of it and an ordinary user, made for the
    test and removed after it: {"group": name, "admin": pw, "user": pw}."""
    tag = secrets.token_hex(3)
    group, admin, user = f"ldt-adm-{tag}", f"ldt-a-{tag}", f"ldt-u-{tag}"
    made = []
    try:
        run("groupadd", group)
        made.append(("groupdel", group))
        for name, extra in ((admin, ["-G", group]), (user, [])):
            run("useradd", "-M", "-N", "-d", "/nonexistent", "-s", "/usr/sbin/nologin", *extra, name)
            made.insert(0, ("userdel", name))
        yield {"group": group, "admin": pwd.getpwnam(admin), "user": pwd.getpwnam(user)}
    finally:
        for cmd in made:
            subprocess.run(cmd, capture_output=True, timeout=60)


def as_user(pw, world, *args, bus=None):
    """ledgerctl ARGS run as pw (its uid, its gid and its groups)."""
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "NO_COLOR": "1"}
    if bus:
        env["DBUS_SYSTEM_BUS_ADDRESS"] = bus
    return subprocess.run(["setpriv", f"--reuid={pw.pw_uid}", f"--regid={pw.pw_gid}",
                           "--init-groups", "--", os.path.join(world, "ledgerctl"),
                           *[str(a) for a in args]],
                          capture_output=True, text=True, timeout=60, env=env, cwd="/")


def test_reading_for_everyone_changing_for_the_admin_group(tmp_path, world, system_bus, users,
                                                           daemons):
    receiver = peers.HttpReceiver()
    try:
        owner = peers.Owner("czj", "县财政局", channels=("h",))
        conf = peers.write_config(tmp_path / "conf", [owner],
                                  [peers.Task("1", ITEM, ("县财政局",), DAY),
                                   peers.Task("2", "报送绩效自评报告", ("县财政局",),
                                              DAY + datetime.timedelta(days=7))],
                                  channels=[peers.Channel("h", "json", receiver.url("/hook"))],
                                  admin_group=users["group"])
        d = daemons(conf)
        d.system_bus_address = system_bus
        os.chmod(d.short, 0o755)  # the admin group reaches <short>/run/private
        d.start(AT - 2)
        assert "private socket only" not in d.log_text(), d.log_text()
        peers.settled(d, 1)  # a delivery in the log, for `deliveries`
        private = d.run_dir / "private"
        st = os.stat(private)
        assert (oct(st.st_mode & 0o777), st.st_uid, st.st_gid) == (
            "0o660", 0, grp.getgrnam(users["group"]).gr_gid)

        user, admin = users["user"], users["admin"]
        bus = ("--system",)

        # An ordinary user reads everything over the bus.
        p = as_user(user, world, *bus, "status", "--json", bus=system_bus)
        assert p.returncode == 0, p.stderr
        status = json.loads(p.stdout)
        assert status["daemon"] == "running" and status["connection"] == "the system bus", status
        assert status["counts"]["milestones"] == 2
        p = as_user(user, world, *bus, "list", "--json", bus=system_bus)
        assert p.returncode == 0, p.stderr
        assert sorted(m["id"] for m in json.loads(p.stdout)) == ["1", "2"]
        p = as_user(user, world, *bus, "show", "1", bus=system_bus)
        assert p.returncode == 0 and ITEM in p.stdout, (p.stdout, p.stderr)
        p = as_user(user, world, *bus, "why", "1", bus=system_bus)
        assert p.returncode == 0 and p.stdout.strip(), (p.stdout, p.stderr)
        p = as_user(user, world, *bus, "preview", "--json", "--from", "2025-03-24", "--to",
                    "2025-04-30", bus=system_bus)
        assert p.returncode == 0, p.stderr
        assert "2" in [r["milestone"] for r in json.loads(p.stdout)], p.stdout
        p = as_user(user, world, *bus, "deliveries", "--json", bus=system_bus)
        assert p.returncode == 0, p.stderr
        assert [x["status"] for x in json.loads(p.stdout)] == ["sent"], p.stdout

        # …but may not mark anything done.
        p = as_user(user, world, *bus, "done", "2", bus=system_bus)
        assert p.returncode == 5, (p.returncode, p.stdout, p.stderr)
        assert (f"only root and members of group {users['group']} may mark milestones done"
                in p.stderr), p.stderr
        assert d.ctl("show", "2", "--json").returncode == 0
        assert json.loads(d.ctl("show", "2", "--json").stdout)["milestone"]["status"] != "done"

        # A member of the admin group may, over the bus.
        p = as_user(admin, world, *bus, "done", "2", "--note", "已报送", bus=system_bus)
        assert p.returncode == 0, (p.stdout, p.stderr)
        shown = json.loads(d.ctl("show", "2", "--json").stdout)
        assert shown["milestone"]["status"] == "done", shown
        assert shown["milestone"]["done_by"] == admin.pw_name, shown

        # On the private socket: the admin group reads; others cannot connect.
        for verb in (["status", "--json"], ["list"], ["show", "1"], ["why", "1"],
                     ["preview"], ["deliveries"]):
            p = as_user(admin, world, "--runtime-dir", d.run_dir, *verb)
            assert p.returncode == 0, (verb, p.stdout, p.stderr)
        assert json.loads(as_user(admin, world, "--runtime-dir", d.run_dir, "status",
                                  "--json").stdout)["connection"].startswith("the private socket")
        p = as_user(user, world, "--runtime-dir", d.run_dir, "status")
        assert p.returncode == 5, (p.returncode, p.stdout, p.stderr)
        assert d.proc.poll() is None
    finally:
        receiver.stop()
