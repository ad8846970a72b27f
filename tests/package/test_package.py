# SPDX-License-Identifier: MIT
"""The Debian package as an administrator meets it, on this machine (root,
Debian 12; make check's last step, after `make deb`): installed with apt-get,
its conffiles, their modes, the user, the directories and the units; an edit
of ledgerd.conf kept across a reinstall and across an upgrade whose new
version changed the file too (dpkg asks; told to keep it, it keeps it and puts
the new one beside it); removed (configuration and state stay) and purged
(both gone). The machine is left as it was found: the package purged (the
system users stay, as Debian keeps them)."""

import glob
import grp
import os
import pathlib
import pwd
import re
import shutil
import sqlite3
import stat
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(os.environ.get("LEDGERD_BUILD", ROOT / "build"))
DEB_DIR = BUILD / "deb"
CONF = pathlib.Path("/etc/ledgerd/ledgerd.conf")
STATE = pathlib.Path("/var/lib/ledgerd")
UNITS = pathlib.Path("/lib/systemd/system")
EDIT = "# edited by the bureau's IT officer\n"

as_root = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("apt-get") is None,
    reason="installs the package into this machine: root on Debian only")


def run(*args, check=True, **kwargs):
    p = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=300,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"}, **kwargs)
    if check and p.returncode != 0:
        raise AssertionError(f"{args} exited {p.returncode}\n{p.stdout}\n{p.stderr}")
    return p


def makefile_version():
    return re.search(r"^VERSION := (\S+)$", (ROOT / "Makefile").read_text(), re.M).group(1)


def package_status():
    """dpkg's status of ledgerd ("install ok installed", "deinstall ok
    config-files"), or "" when dpkg does not know it."""
    p = run("dpkg-query", "-W", "-f=${Status}", "ledgerd", check=False)
    return p.stdout if p.returncode == 0 else ""


def purge():
    if package_status():
        run("apt-get", "purge", "-y", "-q", "ledgerd")


def mode_and_owner(path):
    st = os.stat(path)
    return (oct(stat.S_IMODE(st.st_mode)), pwd.getpwuid(st.st_uid).pw_name,
            grp.getgrgid(st.st_gid).gr_name)


@pytest.fixture(scope="module")
def deb():
    debs = [p for p in glob.glob(str(DEB_DIR / "ledgerd_*_*.deb")) if "dbgsym" not in p]
    assert len(debs) == 1, f"make deb first: {debs}"
    return pathlib.Path(debs[0])


@pytest.fixture(scope="module")
def installed(deb):
    purge()  # what a failed earlier run may have left
    run("apt-get", "install", "-y", "-q", deb)
    yield deb
    purge()


def test_changelog_names_the_makefile_version(deb):
    """One version: the Makefile's, then -N for the packaging."""
    first = (ROOT / "debian/changelog").read_text().splitlines()[0]
    assert re.match(rf"ledgerd \({re.escape(makefile_version())}-\d+\) ", first), first
    assert deb.name.startswith(f"ledgerd_{makefile_version()}-")


@as_root
def test_installed_files_user_and_units(installed):
    assert package_status() == "install ok installed"
    conffiles = run("dpkg-query", "-W", "-f=${Conffiles}", "ledgerd").stdout.split()
    assert {"/etc/ledgerd/ledgerd.conf", "/etc/ledgerd/ledgers/yuli-2025.conf",
            "/etc/ledgerd/holidays/cn-2025.conf"} <= set(conffiles), conffiles
    assert mode_and_owner(CONF) == (oct(0o640), "root", "ledgerd")
    assert run("dpkg-statoverride", "--list", CONF).stdout.split() == [
        "root", "ledgerd", "640", str(CONF)]
    # The user, its group and the officers' group, made by sysusers.d.
    user = pwd.getpwnam("ledgerd")
    assert user.pw_dir == str(STATE) and user.pw_shell.endswith("nologin")
    grp.getgrnam("ledgerd-admin")
    # tmpfiles.d: the secrets directory, for the service and root only.
    assert mode_and_owner("/etc/ledgerd/secrets") == (oct(0o750), "root", "ledgerd")
    # The service's user reads its configuration; others may not.
    run("runuser", "-u", "ledgerd", "--", "/usr/sbin/ledgerd", "-c", CONF, "--check")
    assert run("runuser", "-u", "nobody", "--", "cat", CONF, check=False).returncode != 0
    for binary in ["/usr/sbin/ledgerd", "/usr/bin/ledgerctl"]:
        assert run(binary, "--version").stdout.split()[-1] == makefile_version()
    for path in ["/usr/share/man/man1/ledgerctl.1.gz", "/usr/share/man/man8/ledgerd.8.gz",
                 "/usr/share/man/man5/ledgerd.conf.5.gz",
                 "/usr/share/bash-completion/completions/ledgerctl",
                 "/usr/share/dbus-1/system.d/org.ledgerd.Ledger1.conf",
                 "/usr/lib/sysusers.d/ledgerd.conf", "/usr/lib/tmpfiles.d/ledgerd.conf"]:
        assert os.path.isfile(path), path
    # Enabled by the package (and started where systemd runs).
    wants = pathlib.Path("/etc/systemd/system")
    assert (wants / "multi-user.target.wants/ledgerd.service").resolve() == \
        (UNITS / "ledgerd.service").resolve()
    assert (wants / "sockets.target.wants/ledgerd.socket").resolve() == \
        (UNITS / "ledgerd.socket").resolve()


@as_root
@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_systemd_analyze_verify_installed_units(installed):
    p = run("systemd-analyze", "verify", UNITS / "ledgerd.service", UNITS / "ledgerd.socket",
            check=False)
    assert p.returncode == 0, p.stderr
    assert "ledgerd" not in p.stderr, p.stderr


@as_root
@pytest.mark.skipif(shutil.which("hardening-check") is None, reason="no hardening-check (devscripts)")
def test_hardening(installed):
    """Every line yes, but two that no binary linked on Debian 12 gets, which
    are checked here by what the compiler put in instead:

    - Control flow integrity: the objects are built with -fcf-protection
      (endbr64 at every function), but Debian 12's C start files (Scrt1.o,
      crti.o) carry no IBT/SHSTK note, so the linked program cannot either;
      hardening-check says "no" for every binary of Debian 12.
    - Stack clash protection: built with -fstack-clash-protection; the
      probes of the frames over a page are there, but hardening-check knows
      only the probing loop of frames of several pages, and says "unknown"."""
    binaries = ["/usr/sbin/ledgerd", "/usr/bin/ledgerctl"]
    p = run("hardening-check", "--nocfprotection", *binaries, check=False)
    print(p.stdout)
    assert p.returncode == 0, p.stdout
    for line in p.stdout.splitlines():
        if line.startswith(" ") and "Control flow integrity" not in line:
            assert ": yes" in line or "Stack clash protection: unknown" in line, line
    assert p.stdout.count(": yes") >= 5 * len(binaries)
    for binary in binaries:
        code = run("objdump", "-d", binary).stdout
        assert code.count("endbr64") > 100, binary
    assert "orq    $0x0,(%rsp)" in run("objdump", "-d", binaries[0]).stdout


def repack(deb, version, tmp_path, change):
    """The package again as version, with change(root) applied to its files."""
    root = tmp_path / version
    run("dpkg-deb", "-R", deb, root)
    control = root / "DEBIAN/control"
    control.write_text(re.sub(r"^Version: .*$", f"Version: {version}", control.read_text(),
                              flags=re.M))
    change(root)
    sums = run("md5sum", *[p.relative_to(root) for p in sorted(root.rglob("*"))
                           if p.is_file() and "DEBIAN" not in p.parts], cwd=root).stdout
    (root / "DEBIAN/md5sums").write_text(sums)
    out = tmp_path / f"ledgerd_{version}_amd64.deb"
    run("dpkg-deb", "--root-owner-group", "-b", root, out)
    return out


@as_root
def test_an_edit_survives_reinstall_and_upgrade(installed, tmp_path):
    with CONF.open("a") as f:
        f.write(EDIT)
    run("apt-get", "install", "-y", "-q", "--reinstall", installed)
    assert CONF.read_text().endswith(EDIT)
    assert mode_and_owner(CONF) == (oct(0o640), "root", "ledgerd")
    assert not CONF.with_name("ledgerd.conf.dpkg-dist").exists()

    # A new version that changed the file too: dpkg asks which to keep
    # (here, without a terminal, the question ends the configuration)...
    def new_setting(root):
        with (root / "etc/ledgerd/ledgerd.conf").open("a") as f:
            f.write("# a new setting\n")

    version = f"{makefile_version()}-99"
    upgrade = repack(installed, version, tmp_path, new_setting)
    p = run("apt-get", "install", "-y", "-q", upgrade, check=False, stdin=subprocess.DEVNULL)
    assert p.returncode != 0 and "conffile prompt" in p.stdout + p.stderr, p.stdout + p.stderr
    # ...and the administrator's answer "keep mine" keeps it, with the new one beside it.
    run("dpkg", "--configure", "--force-confold", "ledgerd")
    assert run("dpkg-query", "-W", "-f=${Version} ${Status}", "ledgerd").stdout == \
        f"{version} install ok installed"
    assert CONF.read_text().endswith(EDIT)
    assert CONF.with_name("ledgerd.conf.dpkg-dist").read_text().endswith("# a new setting\n")
    assert mode_and_owner(CONF) == (oct(0o640), "root", "ledgerd")


@as_root
def test_remove_keeps_configuration_and_state_purge_removes_them(installed, tmp_path):
    # The state directory as systemd makes it (StateDirectory=), and a
    # database in it written by the service's user.
    STATE.mkdir(mode=0o750, exist_ok=True)
    shutil.chown(STATE, "ledgerd", "ledgerd")
    run("runuser", "-u", "ledgerd", "--", "/usr/sbin/ledgerd", "-c", CONF, "--state-dir", STATE,
        "--print-ics")
    # The README's backup: SQLite's online backup of state.db.
    backup = tmp_path / "ledgerd-state.db"
    with sqlite3.connect(STATE / "state.db") as db, sqlite3.connect(backup) as copy:
        db.backup(copy)
    with sqlite3.connect(backup) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    run("apt-get", "remove", "-y", "-q", "ledgerd")
    assert package_status() == "deinstall ok config-files"
    assert not os.path.exists("/usr/sbin/ledgerd")
    assert CONF.read_text().endswith(EDIT)
    assert (STATE / "state.db").exists()

    run("apt-get", "purge", "-y", "-q", "ledgerd")
    assert package_status() in ("", "unknown ok not-installed")
    assert not os.path.exists("/etc/ledgerd")
    assert not STATE.exists()
    assert run("dpkg-statoverride", "--list", CONF, check=False).stdout == ""
    assert not os.path.lexists("/etc/systemd/system/multi-user.target.wants/ledgerd.service")
    pwd.getpwnam("ledgerd")  # system users stay
