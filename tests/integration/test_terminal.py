# SPDX-License-Identifier: MIT
"""ledgerctl at a real terminal: under `script`, a pseudo-terminal of 80 and
of 120 columns, every table verb on the shipped ledger (Chinese text) keeps
every line within the width, cutting its widest text column with "…" and
wrapping long fields; long output goes through the pager ($PAGER, or
less) only on a terminal, and not with --no-pager. And other people's text
— a note with escape sequences, a webhook's answer, a ledger's item — never
reaches the terminal raw: its control characters are shown escaped."""

import datetime
import json
import os
import re
import shutil
import subprocess
import unicodedata

import pytest

import peers
from conftest import LEDGERCTL, ROOT

pytestmark = pytest.mark.skipif(shutil.which("script") is None, reason="script (bsdutils) is not installed")

# The rehearsal of make demo: the Friday morning before the National Day week,
# whose 09:30 reminders go out two seconds after the start.
DEMO_AT = peers.instant(datetime.date(2025, 9, 26))
SGR = re.compile(r"\x1b\[[0-9;]*m")


def width(line):
    """Display columns, as a terminal counts them: East Asian wide two."""
    return sum(0 if unicodedata.combining(c) else
               2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def terminal(cols, *args, env=None, rows=500):
    """ledgerctl's output in a pseudo-terminal cols wide (and rows high, so
    that less -F has everything on one screen); the lines, colour removed."""
    command = " ".join(_quote(a) for a in [LEDGERCTL, *args])
    p = subprocess.run(["script", "-qec", f"stty cols {cols} rows {rows}; exec {command}",
                        "/dev/null"], capture_output=True, timeout=60, stdin=subprocess.DEVNULL,
                       env={**os.environ, "TERM": "xterm", **(env or {})})
    out = p.stdout.decode("utf-8")
    return [SGR.sub("", line) for line in out.replace("\r\n", "\n").split("\n")]


def _quote(a):
    return "'" + str(a).replace("'", "'\\''") + "'"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The shipped configuration, rehearsed at 2025-09-26 09:29:58: at 09:30
    its reminders go into the Maildir outbox, whose paths are long answers.
    Its feeds on a free port rather than 8080."""
    d = tmp_path_factory.mktemp("demo")
    shutil.copytree(ROOT / "conf", d / "conf")
    conf = d / "conf/ledgerd.conf"
    text = conf.read_text()
    listen = 'listen = [ "127.0.0.1:8080", "[::1]:8080" ];'
    assert listen in text
    conf.write_text(text.replace(listen, f'listen = [ "127.0.0.1:{peers.free_port()}" ];'))
    d = peers.Ledgerd(conf, d / "state")
    d.start(DEMO_AT - 2)
    peers.wait_until(lambda: len(d.deliveries()) == 2, 20, "the 09:30 reminders")
    yield d
    d.close()


TABLES = [("status",), ("list",), ("list", "--overdue"), ("deliveries",),
          ("preview", "--from", "2025-09-26", "--to", "2025-10-20"), ("owners",),
          ("show", "15.2"), ("why", "7.2")]


@pytest.mark.parametrize("cols", [80, 120])
@pytest.mark.parametrize("args", TABLES, ids=lambda a: "-".join(a))
def test_no_line_wider_than_the_terminal(demo, cols, args):
    lines = terminal(cols, "--runtime-dir", demo.run_dir, "--no-pager", *args)
    text = "\n".join(lines)
    assert len([l for l in lines if l]) >= 3, text
    assert re.search(r"[\u4e00-\u9fff]", text), text  # Chinese text, counted two columns each
    wide = [(width(l), l) for l in lines if width(l) > cols]
    assert not wide, f"{cols} columns:\n{text}"


def test_cut_with_an_ellipsis_and_wider_at_120(demo):
    """At 80 the text columns are cut with "…", ids, dates and statuses never;
    at 120 there is room for more of them."""
    narrow = terminal(80, "--runtime-dir", demo.run_dir, "--no-pager", "list")
    wide = terminal(120, "--runtime-dir", demo.run_dir, "--no-pager", "list")
    assert any("…" in l for l in narrow)
    assert max(map(width, wide)) > 80
    for line in narrow[1:]:
        if line:
            assert re.match(r"^\S+\s+(2025-\d\d-\d\d|-)\s+(overdue|due-soon|upcoming|undated|done)\s",
                            line), line
    # preview has an ITEM column, with the item's text.
    preview = terminal(120, "--runtime-dir", demo.run_dir, "--no-pager", "preview", "--from",
                       "2025-09-26", "--to", "2025-09-27")
    assert preview[0].split() == ["WHEN", "KIND", "OFFSET", "ID", "ITEM", "OWNERS"]
    assert any("事前绩效评估管理抽审工作" in l for l in preview)


def test_show_wraps_the_detail(demo):
    lines = terminal(80, "--runtime-dir", demo.run_dir, "--no-pager", "show", "15.2")
    start = next(i for i, l in enumerate(lines) if l.startswith("        Detail: "))
    # Continued under itself, at column 16.
    assert lines[start + 1].startswith(" " * 16) and lines[start + 1][16] != " "
    detail = "".join(l.strip() for l in lines[start:start + 12] if l.startswith(" " * 16) or
                     l is lines[start]).replace("Detail:", "")
    assert "一是对2024年度预算安排的所有项目支出实施绩效自评工作" in detail


def test_pager_only_on_a_terminal(demo):
    env = {"PAGER": "sed s/^/paged:/"}
    paged = terminal(80, "--runtime-dir", demo.run_dir, "list", env=env)
    assert paged[0].startswith("paged:ID"), paged[:2]
    assert not terminal(80, "--runtime-dir", demo.run_dir, "--no-pager", "list",
                        env=env)[0].startswith("paged:")
    # PAGER unset: less -FRSXK, which prints what fits on the screen and quits.
    less = terminal(80, "--runtime-dir", demo.run_dir, "status", env={"PAGER": ""})
    assert any("Next deadlines:" in l for l in less)
    p = subprocess.run([str(LEDGERCTL), "--runtime-dir", str(demo.run_dir), "list"],
                       capture_output=True, text=True, timeout=60, env={**os.environ, **env})
    assert p.stdout.startswith("ID ")  # a pipe: no pager, no cutting
    assert max(map(width, p.stdout.splitlines())) > 120


def test_status_shows_the_feed_addresses(demo):
    status = demo.status()
    assert status["state"] == "running" and status["problems"] == []
    (address,) = status["feed_addresses"]
    assert re.fullmatch(r"127\.0\.0\.1:\d+", address), address
    assert re.search(rf"^ +Feeds: {re.escape(address)}$", demo.ctl("status").stdout, re.M)
    assert re.search(r"^ +State: running$", demo.ctl("status").stdout, re.M)


# ---- other people's text --------------------------------------------------------------

DAY = datetime.date(2025, 3, 24)  # a Monday
AT = peers.instant(DAY)
# Colour, a window title with BEL, backspace, vertical tab, form feed, DEL.
NASTY = "\x1b[31m红\x1b]0;pwned\x07\x08\x0b\x0c\x7f完"
# What a webhook answers: an escape sequence, and the one-byte CSI U+009B.
ANSWER = '{"ok":"\x1b[2J\u009b31mcleared"}'.encode()


def raw_controls(text):
    """The control characters in text, but line ends."""
    return sorted({c for c in text if (ord(c) < 0x20 and c not in "\n\r") or
                   0x7f <= ord(c) <= 0x9f})


@pytest.fixture
def nasty(tmp_path):
    receiver = peers.HttpReceiver(default=peers.Answer(200, ANSWER))
    owners = [peers.Owner("czj", "县财政局", channels=("hook",))]
    tasks = [peers.Task("1", f"报表{NASTY}", ("县财政局",), DAY),
             peers.Task("2", f"下周{NASTY}", ("县财政局",), DAY + datetime.timedelta(days=3))]
    conf = peers.write_config(tmp_path / "conf", owners, tasks,
                              channels=[peers.Channel("hook", "json", receiver.url("/hook"))])
    d = peers.Ledgerd(conf, tmp_path / "state")
    try:
        d.start(AT - 2)
        peers.wait_until(lambda: any(x["status"] == "sent" for x in d.deliveries()), 20,
                         "the reminder to the webhook")
        d.ctl("done", "1", "--note", NASTY)
        yield d
    finally:
        d.close()
        receiver.stop()


@pytest.mark.parametrize("args", [("show", "1"), ("list",), ("list", "--done"), ("deliveries",),
                                  ("status",), ("send-test", "czj")], ids=lambda a: "-".join(a))
def test_control_characters_are_shown_escaped(nasty, args):
    for out in ["\n".join(terminal(120, "--runtime-dir", nasty.run_dir, "--no-pager", *args,
                                   env={"NO_COLOR": "1"})),
                nasty.ctl(*args).stdout]:
        assert raw_controls(out) == [], f"{args}: {out!r}"
        if args[0] in ("show", "list", "status"):
            assert "\\x1b[31m红" in out, out
        if args == ("show", "1"):
            assert "\\x1b]0;pwned\\a\\b\\v\\f\\x7f完" in out, out
        if args[0] in ("deliveries", "send-test"):
            assert "\\xc2\\x9b31mcleared" in out, out


def test_completion_offers_owners_and_channels(nasty):
    """Owner ids and names for --owner and send-test, channel ids for
    send-test, targets for --target: from ledgerctl owners."""
    def complete(*words):
        script = (f"source {ROOT}/completion/ledgerctl\n"
                  "COMP_WORDS=(\"$@\"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))\n"
                  "_ledgerctl; printf '%s\\n' \"${COMPREPLY[@]}\"\n")
        p = subprocess.run(["bash", "-c", script, "bash", str(LEDGERCTL), "--runtime-dir",
                            str(nasty.run_dir), *words], capture_output=True, text=True, timeout=60)
        return [w for w in p.stdout.splitlines() if w]

    assert complete("send-test", "") == ["czj", "县财政局", "hook"]
    assert complete("list", "--owner", "县") == ["县财政局"]
    assert complete("deliveries", "--target", "ch") == ["channel:hook"]
    assert complete("list", "--ledger", "") == [peers.LEDGER_ID]
    owners = json.loads(nasty.ctl("owners", "--json").stdout)
    assert [(o["id"], o["name"], o["channels"]) for o in owners["owners"]] == [
        ("czj", "县财政局", ["hook"])]
    assert owners["channels"] == [{"id": "hook", "format": "json", "owners": ["czj"]}]
    assert "127.0.0.1" not in nasty.ctl("owners").stdout  # a channel's address is a secret


def test_json_keeps_the_text_as_it_is(nasty):
    shown = json.loads(nasty.ctl("show", "--json", "1").stdout)
    assert shown["milestone"]["note"] == NASTY
    assert shown["milestone"]["item"] == f"报表{NASTY}"


# ---- a degraded service -----------------------------------------------------------------


def test_status_says_degraded_in_red(tmp_path):
    """The state database locked across a reminder instant: the reminders
    cannot be recorded, the service is degraded (Problems), and status says
    so, in red on a terminal, with the reason and since when. While the lock
    lasts, each try to record holds ledgerd for SQLite's 5 s, then it waits
    1, 2, 4, 8 s: ledgerctl is answered between them."""
    import sqlite3
    import time

    conf = peers.write_config(tmp_path / "conf",
                              [peers.Owner("czj", "县财政局", emails=("jixiao@czj.example",))],
                              [peers.Task("1", "编制部门预算", ("县财政局",), DAY)])
    d = peers.Ledgerd(conf, tmp_path / "state")
    lock = None
    command = " ".join(_quote(a) for a in [LEDGERCTL, "--runtime-dir", d.run_dir, "--no-pager",
                                           "status"])
    try:
        d.start(AT - 2)
        assert d.status()["state"] == "running"
        lock = sqlite3.connect(d.state / "state.db", isolation_level=None, timeout=10)
        lock.execute("BEGIN IMMEDIATE")
        end = time.monotonic() + 40
        status = text = None
        while time.monotonic() < end and text is None:
            try:
                if status is None:
                    p = d.ctl("status", "--json", check=False, timeout=3)
                    got = json.loads(p.stdout) if p.returncode == 0 else {}
                    status = got if got.get("problems") else None
                else:
                    p = subprocess.run(["script", "-qec", f"stty cols 120; exec {command}",
                                        "/dev/null"], capture_output=True, timeout=3,
                                       stdin=subprocess.DEVNULL,
                                       env={**os.environ, "TERM": "xterm", "NO_COLOR": ""})
                    text = p.stdout.decode() if "State:" in p.stdout.decode() else None
            except subprocess.TimeoutExpired:
                pass  # ledgerd held by SQLite: ask again
            time.sleep(0.2)
        assert status and text, (status, text)
        (problem,) = status["problems"]
        assert status["state"] == "degraded" and problem["part"] == "reminders", status
        assert "cannot record" in problem["reason"], problem
        assert datetime.datetime.fromisoformat(problem["since"]).timestamp() >= AT - 1, problem
        assert "— degraded, reached on" in text, text
        line = next(l for l in text.splitlines() if "State:" in l)
        assert "State: \x1b[31mdegraded — reminders: cannot record" in line, repr(line)
        assert "(since 2025-03-24 09:3" in SGR.sub("", text.replace("\r\n", " ")), text
    finally:
        if lock is not None:
            lock.close()
        d.close()
