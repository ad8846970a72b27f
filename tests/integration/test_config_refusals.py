# SPDX-License-Identifier: MIT
"""Configurations that used to pass `ledgerd --check` and then fail for days,
refused by the real ledgerd: --check exits 1 at once with file:line and what
to do, and a running ledgerd refuses the reload, keeps its configuration and
answers ledgerctl at once. And what is accepted: a UTF-8 byte order mark, a
secret its group may read.

Each case starts from a good configuration (peers.write_config) and breaks
one thing in it."""

import datetime
import errno
import os
import re
import signal
import subprocess
import time

import pytest

import peers
from conftest import LEDGERD, ROOT

DAY = datetime.date(2025, 3, 24)  # a Monday, no holiday
PROMPT = 10  # seconds: --check never waits on a FIFO, so it is done long before


def good_config(directory, delivery=None, secret="s3cret-hook"):
    """ledgerd.conf with one json channel "hook" (signed: its secret in
    secrets/hook, 0600) and a one-task ledger; returns its path."""
    channels = [peers.Channel("hook", "json", "http://127.0.0.1:9/hook", secret=secret)]
    owners = [peers.Owner("czj", "县财政局", emails=("czj@czj.example",), channels=("hook",))]
    tasks = [peers.Task("1", "编制部门预算", ("县财政局",), DAY)]
    return peers.write_config(directory, owners, tasks, channels=channels, delivery=delivery)


def line_of(path, text):
    """The number of the first line of path that holds text."""
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if text in line:
            return n
    raise AssertionError(f"{text!r} not in {path}")


def replace(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, (old, path)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def check(conf):
    """ledgerd --check on conf; it must be done well before PROMPT seconds."""
    started = time.monotonic()
    p = subprocess.run([str(LEDGERD), "-c", str(conf), "--check"], capture_output=True,
                       text=True, timeout=PROMPT, cwd=ROOT)
    assert time.monotonic() - started < PROMPT
    return p


def assert_refused(conf, where, message):
    """--check exits 1 and says message at where ("file:line")."""
    p = check(conf)
    assert p.returncode == 1, (p.stdout, p.stderr)
    assert f"{where}: error: {message}" in p.stderr, p.stderr
    assert "configuration not loaded" in p.stderr
    assert p.stdout == ""
    return p.stderr


def make_fifo(path):
    if path.exists():
        path.unlink()
    os.mkfifo(path, 0o600)


def nobody_reads(fifo):
    """True when no process holds the FIFO open for reading: opening it to
    write without blocking then fails with ENXIO."""
    try:
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as e:
        return e.errno == errno.ENXIO
    os.close(fd)
    return False


# ---- URLs ------------------------------------------------------------------------------


@pytest.mark.parametrize("url, message", [
    ("htps//a", 'channel "hook": url "htps//a" is not an http:// or https:// address'),
    ("file:///etc/passwd", 'channel "hook": url "file:///…" is not an http:// or https:// address'),
    ("ftp://files.example/x", 'channel "hook": url "ftp://files.example/…" is not an http://'),
    ("http:///hook", 'channel "hook": url "http:///…" names no host: write '
                     "https://HOST[:PORT]/PATH"),
    ("https://hook.example:70000/x", 'channel "hook": url "https://hook.example:70000/…" is not '
                                     "an address libcurl can send to: Port number"),
])
def test_webhook_url(tmp_path, url, message):
    conf = good_config(tmp_path)
    replace(conf, '"http://127.0.0.1:9/hook"', f'"{url}"')
    assert_refused(conf, f"{conf}:{line_of(conf, 'url = ')}", message)


def test_webhook_url_token_not_shown(tmp_path):
    conf = good_config(tmp_path)
    replace(conf, '"http://127.0.0.1:9/hook"',
            '"htps://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=T0KEN-693a91f6"')
    err = assert_refused(conf, f"{conf}:{line_of(conf, 'url = ')}",
                         'channel "hook": url "htps://qyapi.weixin.qq.com/…" is not an http://')
    assert "T0KEN" not in err


@pytest.mark.parametrize("url, message", [
    ("https://mail.example", "smtp 'url' must start with smtp:// (STARTTLS) or smtps://"),
    ("smtp://", "smtp 'url' must name a host: smtp://HOST[:PORT]"),
    ("smtp://[::1", "smtp 'url' is not an address libcurl can send to: Bad IPv6 address"),
])
def test_smtp_url(tmp_path, url, message):
    conf = good_config(tmp_path, delivery={"smtp": {"url": url, "from": "a@czj.example"}})
    assert_refused(conf, f"{conf}:{line_of(conf, 'url = ' + chr(34) + url)}", message)


# ---- secrets ---------------------------------------------------------------------------


@pytest.mark.parametrize("mode", [0o644, 0o604, 0o602])
def test_secret_open_to_others(tmp_path, mode):
    conf = good_config(tmp_path)
    secret = tmp_path / "secrets/hook"
    secret.chmod(mode)
    assert_refused(conf, f"{conf}:{line_of(conf, 'secret_file')}",
                   f"'secret_file': {secret} is mode {mode:04o}, open to others: "
                   f"chmod 600 {secret} (or 640, its group the service's)")


def test_secret_group_readable_is_fine(tmp_path):
    conf = good_config(tmp_path)
    (tmp_path / "secrets/hook").chmod(0o640)
    p = check(conf)
    assert p.returncode == 0, p.stderr


def test_secret_missing_and_smtp_password(tmp_path):
    password = tmp_path / "smtp-password"
    password.write_text("s3cret\n")
    password.chmod(0o644)
    conf = good_config(tmp_path, delivery={"smtp": {
        "url": "smtp://127.0.0.1:25", "tls": "none", "from": "a@czj.example", "user": "ledgerd",
        "password_file": str(password)}})
    (tmp_path / "secrets/hook").unlink()
    err = assert_refused(conf, f"{conf}:{line_of(conf, 'secret_file')}",
                         f"'secret_file': {tmp_path}/secrets/hook does not exist: write the "
                         "secret there (chmod 600), or name the file that holds it")
    assert (f"{conf}:{line_of(conf, 'password_file')}: error: 'password_file': {password} is "
            "mode 0644, open to others") in err
    assert "(2 errors)" in err


# ---- files that are not regular files --------------------------------------------------


def test_ledger_fifo(tmp_path):
    conf = good_config(tmp_path)
    ledger = tmp_path / "ledgers" / f"{peers.LEDGER_ID}.conf"
    make_fifo(ledger)
    assert_refused(conf, f"{conf}:{line_of(conf, 'ledgers = ')}",
                   f"'ledgers': {ledger} is a FIFO (named pipe), not a regular file: name the "
                   "file itself (ledgerd reads its configuration only from regular files)")
    assert nobody_reads(ledger)


def test_holidays_fifo_and_directory(tmp_path):
    conf = good_config(tmp_path)
    fifo = tmp_path / "holidays.conf"
    make_fifo(fifo)
    replace(conf, f'"{ROOT}/conf/holidays/cn-2025.conf"', f'"{fifo}", "{tmp_path}"')
    err = assert_refused(conf, f"{conf}:{line_of(conf, 'holidays = ')}",
                         f"'holidays': {fifo} is a FIFO (named pipe), not a regular file")
    assert nobody_reads(fifo)
    replace(conf, f'"{fifo}", ', "")
    assert_refused(conf, f"{conf}:{line_of(conf, 'holidays = ')}",
                   f"'holidays': {tmp_path} is a directory, not a regular file")
    assert err


def test_include_fifo(tmp_path):
    conf = good_config(tmp_path)
    fifo = tmp_path / "more.conf"
    make_fifo(fifo)
    conf.write_text(conf.read_text(encoding="utf-8") + '@include "more.conf"\n', encoding="utf-8")
    assert_refused(conf, f"{conf}:{line_of(conf, '@include')}",
                   f'@include "more.conf": {fifo} is a FIFO (named pipe), not a regular file: '
                   "include the file itself")
    assert nobody_reads(fifo)


def test_main_file_fifo(tmp_path):
    fifo = tmp_path / "ledgerd.conf"
    make_fifo(fifo)
    p = check(fifo)
    assert p.returncode == 1
    assert (f"{fifo}: error: is a FIFO (named pipe), not a regular file: name the file itself"
            in p.stderr), p.stderr
    assert nobody_reads(fifo)


# ---- text: UTF-8, a byte order mark ---------------------------------------------------


def test_ledger_in_gbk(tmp_path):
    conf = good_config(tmp_path)
    ledger = tmp_path / "ledgers" / f"{peers.LEDGER_ID}.conf"
    text = ledger.read_text(encoding="utf-8")
    ledger.write_bytes(text.encode("gb18030"))
    first = peers.LEDGER_TITLE.encode("gb18030")  # the first line that is not ASCII
    n = line_of_bytes(ledger, first)
    column = ledger.read_bytes().split(b"\n")[n - 1].index(first) + 1
    assert_refused(conf, f"{ledger}:{n}",
                   f"not UTF-8: byte 0x{first[0]:02X} (byte {column} of the line); save the "
                   "file as UTF-8 (from GBK or GB18030: iconv -f GB18030 -t UTF-8)")


def line_of_bytes(path, data):
    for n, line in enumerate(path.read_bytes().split(b"\n"), 1):
        if data in line:
            return n
    raise AssertionError(data)


def test_nul_byte(tmp_path):
    conf = good_config(tmp_path)
    conf.write_bytes(b"# a comment\n#\0\n" + conf.read_bytes())
    assert_refused(conf, f"{conf}:2", "a NUL byte (byte 2 of the line): a configuration file "
                   "is UTF-8 text, which holds none")


def test_byte_order_mark_accepted(tmp_path):
    conf = good_config(tmp_path)
    ledger = tmp_path / "ledgers" / f"{peers.LEDGER_ID}.conf"
    for f in (conf, ledger):
        f.write_bytes(b"\xef\xbb\xbf" + f.read_bytes())
    p = check(conf)
    assert p.returncode == 0, p.stderr
    assert "configuration OK: 1 ledger, 1 dated milestones" in p.stdout, p.stdout


# ---- a reload refused, the service going on --------------------------------------------


def break_ledger_fifo(tmp_path, conf):
    ledger = tmp_path / "ledgers" / f"{peers.LEDGER_ID}.conf"
    make_fifo(ledger)
    return ledger, "is a FIFO (named pipe), not a regular file"


def break_url(tmp_path, conf):
    replace(conf, '"http://127.0.0.1:9/hook"', '"htps//127.0.0.1:9/hook"')
    return None, 'channel "hook": url "htps//127.0.0.1:9/hook" is not an http:// or https://'


def break_secret(tmp_path, conf):
    (tmp_path / "secrets/hook").chmod(0o644)
    return None, "is mode 0644, open to others"


def break_utf8(tmp_path, conf):
    ledger = tmp_path / "ledgers" / f"{peers.LEDGER_ID}.conf"
    ledger.write_bytes(ledger.read_bytes().replace("测试台账".encode(), "测试台账".encode("gbk")))
    return None, "not UTF-8: byte 0xB2"


@pytest.mark.parametrize("breaks", [break_ledger_fifo, break_url, break_secret, break_utf8])
def test_reload_refused_keeps_serving(tmp_path, breaks):
    conf = good_config(tmp_path)
    d = peers.Ledgerd(conf, tmp_path / "state")
    try:
        d.start(peers.instant(DAY) - 3600)
        before = d.status()
        assert before["last_reload"]["ok"] is True
        fifo, message = breaks(tmp_path, conf)
        d.messages.clear()
        d.proc.send_signal(signal.SIGHUP)
        d.wait_for("RELOADING=1", timeout=PROMPT)
        d.wait_for("READY=1", timeout=PROMPT)
        started = time.monotonic()
        status = d.status()
        assert time.monotonic() - started < 5, "ledgerctl status did not answer at once"
        assert status["last_reload"]["ok"] is False, status
        assert message in status["last_reload"]["message"], status["last_reload"]
        assert [l["id"] for l in status["ledgers"]] == [l["id"] for l in before["ledgers"]]
        assert d.proc.poll() is None
        if fifo:
            assert nobody_reads(fifo)
        assert re.search(r"reload refused, the previous configuration stays", d.log_text())
    finally:
        d.close()
