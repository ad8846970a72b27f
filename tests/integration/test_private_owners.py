# SPDX-License-Identifier: MIT
"""The feed of everything is public: a task whose owners all have a
feed_token (private feeds) is left out of it. The real ledgerd serving
its feeds on loopback, and `ledgerd --print-ics`:

- a task of one private owner, and one of two private owners: not in
  /ledger.ics, nor in --print-ics without --owner; each in the private
  feed /<token>/<slug>.ics of each of its owners (and --print-ics --owner);
- a task with a public owner and a private one stays in the public feed
  (and in both owners' feeds);
- a private feed is not served without its token, nor under another
  owner's token."""

import datetime
import re
import subprocess
import urllib.error
import urllib.request

import peers
from conftest import LEDGERD

DAY = datetime.date(2025, 3, 24)
AT = peers.instant(DAY)
T_SBG = "sbg-Token_0123456789abcdef"
T_QYG = "qyg-Token_fedcba9876543210"
SECRET_ITEM = "保密事项甲"


def uids(body):
    return sorted(u.decode() for u in re.findall(rb"^UID:(\S+)\r$", body, re.M))


def uid(*ids):
    return sorted(f"{i}@{peers.LEDGER_ID}.ledgerd" for i in ids)


def get(port, path):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def test_tasks_of_private_owners_only_stay_out_of_the_public_feed(tmp_path, daemons):
    port = peers.free_port()
    owners = [peers.Owner("czj", "县财政局"),
              peers.Owner("sbg", "县财政局社会保障股", feed_token=T_SBG),
              peers.Owner("qyg", "县财政局企业股", feed_token=T_QYG)]
    later = [DAY + datetime.timedelta(days=k) for k in range(4)]
    tasks = [peers.Task("1", SECRET_ITEM, ("县财政局社会保障股",), later[0]),
             peers.Task("2", "两个股室的事项", ("县财政局社会保障股", "县财政局企业股"), later[1]),
             peers.Task("3", "局里和股室的事项", ("县财政局", "县财政局社会保障股"), later[2]),
             peers.Task("4", "局里的事项", ("县财政局",), later[3])]
    conf = peers.write_config(tmp_path / "conf", owners, tasks,
                              feed={"listen": [f"127.0.0.1:{port}"]})
    d = daemons(conf).start(AT - 86400)

    status, public = get(port, "/ledger.ics")
    assert status == 200 and uids(public) == uid(3, 4), uids(public)
    assert SECRET_ITEM.encode() not in public
    printed = subprocess.run([LEDGERD, "-c", conf, "--state-dir", d.state, "--print-ics"],
                             capture_output=True, check=True, timeout=60).stdout
    assert uids(printed) == uid(3, 4), uids(printed)
    assert printed == public

    feeds = {f"/{T_SBG}/sbg.ics": uid(1, 2, 3), f"/{T_QYG}/qyg.ics": uid(2), "/czj.ics": uid(3, 4)}
    for path, want in feeds.items():
        status, body = get(port, path)
        assert status == 200 and uids(body) == want, (path, status, uids(body))
    status, body = get(port, f"/{T_SBG}/sbg.ics")
    assert SECRET_ITEM.encode() in body.replace(b"\r\n ", b"")
    for owner, want in (("sbg", uid(1, 2, 3)), ("qyg", uid(2))):
        printed = subprocess.run([LEDGERD, "-c", conf, "--state-dir", d.state, "--print-ics",
                                  "--owner", owner], capture_output=True, check=True,
                                 timeout=60).stdout
        assert uids(printed) == want, (owner, uids(printed))

    for path in ("/sbg.ics", "/qyg.ics", f"/{T_QYG}/sbg.ics", f"/{T_SBG}/qyg.ics"):
        status, body = get(port, path)
        assert status == 404 and SECRET_ITEM.encode() not in body, (path, status)
    status, index = get(port, "/")
    assert status == 200 and T_SBG.encode() not in index and T_QYG.encode() not in index
