# SPDX-License-Identifier: MIT
"""Shared fixtures: where the binaries are, and how to run them."""

import os
import pathlib
import shutil
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(os.environ.get("LEDGERD_BUILD", ROOT / "build"))
LEDGERD = BUILD / "ledgerd"
LEDGERCTL = BUILD / "ledgerctl"
CONF = "conf/ledgerd.conf"
NOW = "2025-01-02T08:00"  # a fixed "now", so revisions and plans are reproducible


def run(*args, check=True, cwd=ROOT, text=True, **kwargs):
    """Runs a command from the repository root; returns the CompletedProcess.
    text=False keeps stdout as bytes: iCalendar's CRLF must reach the test."""
    p = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=text,
                       timeout=120, **kwargs)
    if check and p.returncode != 0:
        raise AssertionError(f"{args} exited {p.returncode}\nstdout:\n{p.stdout}\nstderr:\n{p.stderr}")
    return p


def ledgerd(*args, **kwargs):
    return run(LEDGERD, *args, **kwargs)


def ledgerctl(*args, **kwargs):
    return run(LEDGERCTL, *args, **kwargs)


@pytest.fixture
def conf_copy(tmp_path):
    """A private copy of conf/, for tests that edit the ledger."""
    dst = tmp_path / "conf"
    shutil.copytree(ROOT / "conf", dst)
    return dst


@pytest.fixture
def daemons(tmp_path):
    """peers.daemons(): ledgerd instances to make, all stopped after the test.
    Not named ledgerd: that is the command runner above."""
    import peers  # here: peers imports this module

    with peers.daemons(tmp_path) as make:
        yield make


@pytest.fixture
def receiver():
    """An HTTP receiver on loopback (peers.HttpReceiver), stopped after the test."""
    import peers  # here: peers imports this module

    r = peers.HttpReceiver()
    yield r
    r.stop()
