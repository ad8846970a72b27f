# SPDX-License-Identifier: MIT
"""make install, and the installed systemd unit, sysusers.d, tmpfiles.d, D-Bus
policy and bash completion checked by the tools that read them."""

import grp
import os
import pathlib
import re
import shutil
import stat
import subprocess
import xml.etree.ElementTree as ET

import pytest

from conftest import BUILD, ROOT, run

needs_systemd = pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                                   reason="systemd-analyze is not installed")


def make_install(**variables):
    args = ["make", "-s", "-C", ROOT, f"BUILD={BUILD}", "install"]
    args += [f"{k}={v}" for k, v in variables.items()]
    run(*args)


@pytest.fixture(scope="module")
def prefix_install(tmp_path_factory):
    """Installed with PREFIX and SYSCONFDIR in a temporary folder: the unit then
    names a ledgerd that exists, as systemd-analyze verify requires."""
    t = tmp_path_factory.mktemp("prefix")
    make_install(PREFIX=t / "usr", SYSCONFDIR=t / "etc")
    return t


@pytest.fixture(scope="module")
def destdir_install(tmp_path_factory):
    """A packager's install: PREFIX=/usr into a DESTDIR."""
    d = tmp_path_factory.mktemp("destdir")
    make_install(DESTDIR=d, PREFIX="/usr", SYSCONFDIR="/etc")
    return d


def test_destdir_layout(destdir_install):
    d = destdir_install
    for path in ["usr/sbin/ledgerd", "usr/bin/ledgerctl", "etc/ledgerd/ledgerd.conf",
                 "etc/ledgerd/ledgers/yuli-2025.conf", "etc/ledgerd/holidays/cn-2025.conf",
                 "usr/lib/systemd/system/ledgerd.service", "usr/lib/sysusers.d/ledgerd.conf",
                 "usr/lib/tmpfiles.d/ledgerd.conf",
                 "usr/share/dbus-1/system.d/org.ledgerd.Ledger1.conf",
                 "usr/share/bash-completion/completions/ledgerctl",
                 "usr/share/man/man1/ledgerctl.1", "usr/share/man/man8/ledgerd.8",
                 "usr/share/man/man5/ledgerd.conf.5"]:
        assert (d / path).is_file(), path
    assert os.access(d / "usr/sbin/ledgerd", os.X_OK)
    unit = (d / "usr/lib/systemd/system/ledgerd.service").read_text()
    assert "ExecStart=/usr/sbin/ledgerd -c /etc/ledgerd/ledgerd.conf\n" in unit
    mode = stat.S_IMODE((d / "usr/lib/systemd/system/ledgerd.service").stat().st_mode)
    assert mode == 0o644


def test_prefix_paths(prefix_install):
    t = prefix_install
    unit = (t / "usr/lib/systemd/system/ledgerd.service").read_text()
    assert f"ExecStart={t}/usr/sbin/ledgerd -c {t}/etc/ledgerd/ledgerd.conf\n" in unit
    # Outside /usr, dbus-daemon reads policies only from /etc.
    assert (t / "etc/dbus-1/system.d/org.ledgerd.Ledger1.conf").is_file()
    tmpfiles = (t / "usr/lib/tmpfiles.d/ledgerd.conf").read_text()
    assert f"d {t}/etc/ledgerd/secrets 0750 root ledgerd -" in tmpfiles


def test_install_keeps_the_administrators_files(tmp_path):
    """Installed again over an edited configuration: the edit stays, the new
    file goes beside it as .dist, and install says so. The configuration is
    0640 (it may hold feed tokens); the rest of SYSCONFDIR 0644."""
    etc = tmp_path / "etc/ledgerd"
    make_install(PREFIX=tmp_path / "usr", SYSCONFDIR=tmp_path / "etc")
    conf = etc / "ledgerd.conf"
    assert stat.S_IMODE(conf.stat().st_mode) == 0o640
    assert stat.S_IMODE((etc / "ledgers/yuli-2025.conf").stat().st_mode) == 0o644
    conf.write_text(conf.read_text() + "# edited\n")
    p = run("make", "-s", "-C", ROOT, f"BUILD={BUILD}", "install", f"PREFIX={tmp_path / 'usr'}",
            f"SYSCONFDIR={tmp_path / 'etc'}")
    assert conf.read_text().endswith("# edited\n")
    assert (etc / "ledgerd.conf.dist").read_bytes() == (ROOT / "conf/ledgerd.conf").read_bytes()
    assert stat.S_IMODE((etc / "ledgerd.conf.dist").stat().st_mode) == 0o640
    assert f"kept {conf}" in p.stdout and f"{conf}.dist" in p.stdout
    # Files not edited are the same: nothing to say, no .dist.
    assert not (etc / "ledgers/yuli-2025.conf.dist").exists()
    assert "yuli-2025.conf" not in p.stdout


def test_uninstall_leaves_only_the_configuration(tmp_path):
    make_install(DESTDIR=tmp_path, PREFIX="/usr", SYSCONFDIR="/etc")
    run("make", "-s", "-C", ROOT, f"BUILD={BUILD}", "uninstall", f"DESTDIR={tmp_path}",
        "PREFIX=/usr", "SYSCONFDIR=/etc")
    left = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert left and all(p.startswith("etc/ledgerd/") for p in left), left


def test_cppflags_and_ldflags_reach_the_compiler():
    """dpkg-buildflags puts -D_FORTIFY_SOURCE=2 in CPPFLAGS and -z now in LDFLAGS."""
    p = run("make", "-s", "-n", "-B", "-C", ROOT, f"BUILD={BUILD}", "CPPFLAGS=-D_FORTIFY_SOURCE=2",
            "LDFLAGS=-Wl,-z,now", f"{BUILD}/ledgerctl")
    compiles = [l for l in p.stdout.splitlines() if " -c " in l]
    links = [l for l in p.stdout.splitlines() if l.endswith(" -lm") and " -o " in l]
    assert compiles and all("-D_FORTIFY_SOURCE=2" in l for l in compiles)
    assert links and all("-Wl,-z,now" in l for l in links)


def unit_settings(path):
    settings = {}
    for line in pathlib.Path(path).read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            settings.setdefault(key, []).append(value)
    return settings


def test_unit_hardening():
    s = unit_settings(ROOT / "units/ledgerd.service")
    expected = {
        "Type": "notify", "ExecReload": "/bin/kill -HUP $MAINPID", "User": "ledgerd",
        "StateDirectory": "ledgerd", "RuntimeDirectory": "ledgerd",
        "ConfigurationDirectory": "ledgerd", "WatchdogSec": "30s", "NoNewPrivileges": "yes",
        "ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes",
        "PrivateDevices": "yes", "ProtectKernelTunables": "yes", "ProtectKernelModules": "yes",
        "ProtectKernelLogs": "yes", "ProtectControlGroups": "yes",
        "RestrictAddressFamilies": "AF_UNIX AF_INET AF_INET6", "RestrictNamespaces": "yes",
        "LockPersonality": "yes", "MemoryDenyWriteExecute": "yes", "RestrictRealtime": "yes",
        "SystemCallFilter": "@system-service", "SystemCallArchitectures": "native",
        "CapabilityBoundingSet": "", "UMask": "0027",
    }
    for key, value in expected.items():
        assert s.get(key) == [value], key
    assert "DynamicUser" not in s


@needs_systemd
def test_systemd_analyze_verify(prefix_install):
    t = prefix_install
    # MANPATH: the Documentation= pages are checked against the installed ones.
    p = subprocess.run(["systemd-analyze", "verify",
                        str(t / "usr/lib/systemd/system/ledgerd.service")],
                       capture_output=True, text=True, timeout=60,
                       env={**os.environ, "MANPATH": str(t / "usr/share/man")})
    assert p.returncode == 0, p.stderr
    assert "ledgerd.service" not in p.stderr, p.stderr


@needs_systemd
def test_verify_notices_a_missing_binary(tmp_path):
    """The check above can fail: installed for a PREFIX that is not on this
    machine (into a DESTDIR), the unit names a ledgerd that does not exist,
    and verify says so. (Not PREFIX=/usr: the package test installs
    /usr/sbin/ledgerd on this machine.)"""
    prefix = "/nonexistent/ledgerd-prefix"
    make_install(DESTDIR=tmp_path, PREFIX=prefix, SYSCONFDIR="/etc")
    p = subprocess.run(["systemd-analyze", "verify", "--man=no",
                        str(tmp_path / prefix.lstrip("/") / "lib/systemd/system/ledgerd.service")],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode != 0
    assert f"{prefix}/sbin/ledgerd" in p.stderr


@pytest.mark.skipif(shutil.which("systemd-sysusers") is None
                    or shutil.which("systemd-tmpfiles") is None,
                    reason="systemd-sysusers or systemd-tmpfiles is not installed")
def test_sysusers_and_tmpfiles(prefix_install, tmp_path):
    """Applied to an empty root: the users, then the secrets directory owned by them."""
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    run("systemd-sysusers", f"--root={root}", prefix_install / "usr/lib/sysusers.d/ledgerd.conf")
    users = {line.split(":")[0]: line.split(":") for line in (root / "etc/passwd").read_text().splitlines()}
    groups = {line.split(":")[0]: line.split(":") for line in (root / "etc/group").read_text().splitlines()}
    assert users["ledgerd"][5] == "/var/lib/ledgerd"
    assert users["ledgerd"][6].endswith("nologin")
    assert "ledgerd-admin" in groups and "ledgerd" in groups
    run("systemd-tmpfiles", f"--root={root}", "--create",
        prefix_install / "usr/lib/tmpfiles.d/ledgerd.conf")
    secrets = root / str(prefix_install / "etc/ledgerd/secrets").lstrip("/")
    st = secrets.stat()
    assert stat.S_IMODE(st.st_mode) == 0o750
    assert (st.st_uid, st.st_gid) == (0, int(groups["ledgerd"][2]))


def test_dbus_policy():
    """Only ledgerd (and root) may own the name; everyone may call the read
    methods, properties and introspection, and the interface's methods, whose
    changes ledgerd authorizes itself."""
    tree = ET.parse(ROOT / "units/org.ledgerd.Ledger1.conf")
    policies = {(p.get("user") or p.get("context")): p for p in tree.getroot().iter("policy")}
    owners = [u for u, p in policies.items() if p.find("allow[@own='org.ledgerd.Ledger1']") is not None]
    assert sorted(owners) == ["ledgerd", "root"]
    default = policies["default"]
    allowed = {(a.get("send_interface"), a.get("send_member"))
               for a in default.findall("allow") if a.get("send_destination") == "org.ledgerd.Ledger1"}
    assert allowed == {("org.freedesktop.DBus.Introspectable", None),
                       ("org.freedesktop.DBus.Peer", None),
                       ("org.freedesktop.DBus.Properties", "Get"),
                       ("org.freedesktop.DBus.Properties", "GetAll"),
                       ("org.ledgerd.Ledger1", None)}
    assert default.find("allow[@own]") is None


def complete(*words, env=None):
    """The words bash completion offers after the command line words (the last
    one being completed)."""
    script = (f"source {ROOT}/completion/ledgerctl\n"
              "COMP_WORDS=(\"$@\"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))\n"
              "_ledgerctl; printf '%s\\n' \"${COMPREPLY[@]}\"\n")
    p = subprocess.run(["bash", "-c", script, "bash", *words], capture_output=True, text=True,
                       timeout=60, env=env)
    assert p.returncode == 0, p.stderr
    return [w for w in p.stdout.splitlines() if w]


def test_completion_verbs_and_options():
    assert complete("ledgerctl", "s") == ["status", "show", "snooze", "send-test"]
    assert complete("ledgerctl", "deliveries", "--status", "f") == ["failed"]
    assert complete("ledgerctl", "deliveries", "--li") == ["--limit"]
    assert complete("ledgerctl", "--json", "re") == ["reopen", "reload"]
    assert complete("ledgerctl", "list", "--due") == ["--due-within"]
    assert complete("ledgerctl", "--timezone", "Asia/") == ["Asia/Shanghai", "Asia/Urumqi"]
    # A verb is there already, and status takes no argument.
    assert complete("ledgerctl", "status", "") == []
    # Each verb's own options.
    assert complete("ledgerctl", "list", "--o") == ["--owner", "--overdue"]
    assert "--note" in complete("ledgerctl", "done", "--")
    assert "--json" not in complete("ledgerctl", "done", "--")
    assert complete("ledgerctl", "rollover", "--") == ["--to", "--config", "--help", "--version"]
    # No ledgerd to ask: no ids, quietly.
    assert complete(str(BUILD / "ledgerctl"), "--runtime-dir", "/nonexistent", "done", "") == []


def test_demo_is_a_rehearsal_with_reminders_in_its_first_minute():
    """make demo runs the service on the shipped ledger with its clock at
    DEMO_NOW, says so, and that morning has reminders a minute later."""
    p = run("make", "-s", "-n", "-C", ROOT, f"BUILD={BUILD}", "demo")
    now = re.search(r"--now (\d{4}-\d\d-\d\d)T(\d\d):(\d\d)", p.stdout)
    assert now, p.stdout
    assert "A REHEARSAL" in p.stdout and "rm -rf var/state" in p.stdout
    day, hour, minute = now.group(1), int(now.group(2)), int(now.group(3))
    plan = run(BUILD / "ledgerd", "-c", "conf/ledgerd.conf", "--print-schedule", "--from", day,
               "--to", day).stdout
    first = f"{day} {hour:02d}:{minute + 1:02d}"
    assert re.search(rf"^{first}\s+upcoming", plan, re.M), (first, plan)
