# SPDX-License-Identifier: MIT
"""What the tests of the messages' formats share (test_message_formats.py,
test_message_parts_crash.py, test_mail_html_browser.py): the SHIPPED
configuration (conf/, ledger yuli-2025) copied and its ledgerd.conf edited
so that owners and channels point at local receivers and a chosen policy
makes a wanted number of items fall due at one instant, 2025-09-26 09:30
(a Friday, a working day); and readers of what each format carries (the
items, the buttons' URLs, the part labels).

The scenarios, at 2025-09-26 09:30 (each item one milestone's reminder):

  one    zhou-czj alone (leads ["5d"]): milestone 27, due 10月1日, a day
         off (国庆节、中秋节), so its message says when to act instead.
  seven  czj and bumen (leads ["3d", "14d"], no overdue notices): 4, 36,
         36b due 9月30日 and 7.2, 9.2, 14, 21.2 due 10月10日.
  forty  everyone: leads that reach the 15 milestones due later, overdue
         notices that reach the 21 due before, escalations to czj 16 days
         after (12, 18, 34b) and, for bumen's tasks, 98 days after (15.3):
         36 milestones, 40 items.
"""

import dataclasses
import datetime
import pathlib
import re
import shutil

import ledgerfile
import peers
from conftest import ROOT

DAY = datetime.date(2025, 9, 26)
AT = peers.instant(DAY)             # 2025-09-26 09:30 +08:00
LEDGER = "yuli-2025"
FORMATS = ("wecom", "dingtalk", "feishu", "slack", "json")

REPLY_TO = "jixiao-office@czj.yuli.example"
FROM = "ledgerd@czj.yuli.example"
LIST_ID = f"{LEDGER}.ledgerd.czj.yuli.example"

JSON_SECRET = "whsec_" + "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
DINGTALK_SECRET = "SEC0123456789abcdef0123456789abcdef"
FEISHU_SECRET = "feishu-secret-0123"
SECRETS = {"json": JSON_SECRET, "dingtalk": DINGTALK_SECRET, "feishu": FEISHU_SECRET}

MOBILES = {"czj": "13800000001", "bumen": "13800000002", "zhou-czj": "13800000003",
           "czj-sbg": "13800000004", "czj-qyg": "13800000005"}
FEISHU_IDS = {"czj": "ou_7d8a6e6df7621556ce0d21922b676706",
              "zhou-czj": "ou_0123456789abcdef0123456789abcdef"}
NAMES = {"czj": "县财政局", "bumen": "各相关部门单位", "zhou-czj": "州财政局",
         "czj-sbg": "县财政局社会保障股", "czj-qyg": "县财政局企业股"}

# The platforms' limits, as core/notify/webhook-format.c has them: (what is
# measured, bytes).
LIMITS = {"wecom": ("markdown.content", 4096), "dingtalk": ("body", 20000),
          "feishu": ("body", 20000), "slack": ("body", 30000)}
WECOM_TEXT_LIMIT = 2048
SLACK_BLOCKS, SLACK_SECTION, SLACK_HEADER, SLACK_BUTTON = 50, 3000, 150, 75

# Milestones of the shipped ledger with a date, their due dates and labels
# (ledgerd --check on conf/ledgerd.conf).
DUE = {
    "1": "2025-07-31", "3": "2025-06-30", "4": "2025-09-30", "5": "2025-06-30",
    "7.1": "2025-04-10", "7.2": "2025-10-10", "9.1": "2025-04-10", "9.2": "2025-10-10",
    "10": "2025-06-10", "11": "2025-07-10", "12": "2025-09-10", "13": "2025-10-01",
    "14": "2025-10-10", "15.1": "2025-03-31", "15.2": "2025-04-30", "15.3": "2025-06-20",
    "16": "2025-07-03", "17": "2025-07-31", "18": "2025-09-10", "21.1": "2025-07-10",
    "21.2": "2025-10-10", "23": "2025-04-10", "24": "2025-04-30", "25": "2025-07-03",
    "26": "2025-07-10", "27": "2025-10-01", "28": "2025-11-10", "29": "2025-11-10",
    "30": "2025-06-30", "34b": "2025-09-10", "35": "2025-11-30", "35b": "2025-11-30",
    "36": "2025-09-30", "36b": "2025-09-30", "37": "2025-11-30", "37b": "2025-11-30",
}
LABELS = {"7.1": "第1次", "7.2": "第2次", "9.1": "年初预算项目", "9.2": "年中追加项目",
          "15.1": "单位自评", "15.2": "部门评价", "15.3": "真实性核查"}
HOLIDAY_NOTES = {"2025-10-01": "10月1日为国庆节、中秋节假期，请在9月30日前办理。"}
ESCALATED = ("12", "18", "34b", "15.3")  # czj 16 days after; bumen's 15.3 98 days after


@dataclasses.dataclass(frozen=True)
class Item:
    """One reminder of a message, as the shipped ledger says it must read."""
    milestone: str
    kind: str         # upcoming, overdue, escalation
    due: datetime.date
    due_words: str    # "10月1日"
    left: str         # "还有5天", "已逾期16天"
    item: str         # "事前绩效评估管理抽审工作（第2次）"
    owners: str       # "县财政局、各相关部门单位"
    note: str         # the holiday note, or ""
    recipients: tuple  # owner ids reached


def _ledger():
    text = (ROOT / "conf/ledgers/yuli-2025.conf").read_text(encoding="utf-8")
    return ledgerfile.parse(text)["ledger"]


def _tasks():
    return {t["id"]: t for t in _ledger()["tasks"]}


def ledger_title():
    return _ledger()["title"]


SCENARIO_MILESTONES = {
    "one": [("27", "upcoming")],
    "seven": [(m, "upcoming") for m in ("4", "36", "36b", "7.2", "9.2", "14", "21.2")],
    "forty": [(m, "upcoming" if due > DAY.isoformat() else "overdue") for m, due in DUE.items()]
             + [(m, "escalation") for m in ESCALATED],
}
REACH = {"one": ["zhou-czj"], "seven": ["czj", "bumen"], "forty": list(NAMES)}


def expected(scenario):
    """The items of the scenario's message at AT, in due-date order (ties:
    any order), each once."""
    tasks = _tasks()
    ids = {name: oid for oid, name in NAMES.items()}
    out = []
    for m, kind in SCENARIO_MILESTONES[scenario]:
        t = tasks[m.split(".")[0]]
        due = datetime.date.fromisoformat(DUE[m])
        days = (due - DAY).days
        name = t.get("item") or t.get("category")
        owners = [ids[n] for n in t["owners"]]
        recipients = ("czj",) if kind == "escalation" else tuple(
            o for o in owners if o in REACH[scenario])
        out.append(Item(m, kind, due, f"{due.month}月{due.day}日",
                        (f"还有{days}天" if days > 0 else f"已逾期{-days}天" if days < 0 else "今天到期")
                        + ("，督办" if kind == "escalation" else ""),
                        name + (f"（{LABELS[m]}）" if m in LABELS else ""),
                        "、".join(t["owners"]), HOLIDAY_NOTES.get(DUE[m], ""), recipients))
    return sorted(out, key=lambda i: i.due)


# ---- the configuration ------------------------------------------------------------


def _policy(leads, overdue, escalate=None):
    lines = ['  time = "09:30";', f"  leads = {peers.libconfig(list(leads))};",
             f"  overdue = {peers.libconfig(list(overdue))};"]
    if escalate:
        lines += [f'  escalate_to = "{escalate[0]}";', f'  escalate_after = "{escalate[1]}";']
    return "reminders = {\n" + "\n".join(lines) + "\n};"


# Days from each past due date to 2025-09-26 (a calendar-day overdue notice
# falls on that day when it is a working day, as it is).
FORTY_OVERDUE = ["179d", "169d", "149d", "108d", "98d", "88d", "85d", "78d", "57d", "16d"]
FORTY_LEADS = ["4d", "5d", "14d", "45d", "65d"]


@dataclasses.dataclass
class Setup:
    conf: pathlib.Path        # ledgerd.conf
    port: int                 # the feed's listener (links, pages)
    channels: dict            # format → peers.Channel


def configure(directory, scenario, receiver, port, smtp=None, feishu_ids=True, mobiles=True,
              formats=FORMATS, rate_limit=0, emails=True):
    """The shipped conf/ copied into directory/conf, its ledgerd.conf edited
    for scenario (see the module's doc); one channel per format in formats
    on receiver, under /<scenario>/<format>; the feed on 127.0.0.1:port with
    base_url; e-mail by smtp (a peers.SmtpServer) or to the Maildir outbox.
    The ledger copy gets reply_to = REPLY_TO."""
    directory = pathlib.Path(directory)
    conf_dir = directory / "conf"
    shutil.copytree(ROOT / "conf", conf_dir)
    (conf_dir / "secrets").mkdir()

    ledger = conf_dir / "ledgers/yuli-2025.conf"
    text = ledger.read_text(encoding="utf-8")
    text, n = re.subn(r'(\n  title = "[^"]*";\n)', rf'\1  reply_to = "{REPLY_TO}";\n', text, count=1)
    assert n == 1
    ledger.write_text(text, encoding="utf-8")

    channels = {}
    chan_text = []
    for fmt in formats:
        url = receiver.url(f"/{scenario}/{fmt}")
        if fmt == "wecom":
            url += "?key=K-" + scenario
        elif fmt == "dingtalk":
            url += "?access_token=T-" + scenario
        cid = f"{scenario}-{fmt}"
        ch = peers.Channel(cid, fmt, url, secret=SECRETS.get(fmt), rate_limit=rate_limit)
        channels[fmt] = ch
        d = {"id": cid, "format": fmt, "url": url}
        if ch.secret:
            f = conf_dir / "secrets" / cid
            f.write_text(ch.secret + "\n")
            f.chmod(0o600)
            d["secret_file"] = str(f)
        if rate_limit is not None:
            d["rate_limit"] = rate_limit
        chan_text.append(d)
    ids = [c.id for c in channels.values()]

    # Who reaches the channels, and each one's reminder policy.
    if scenario == "one":
        reach = ["zhou-czj"]
        policy = _policy(["3d", "14d"], [])
        override = {"zhou-czj": {"leads": ["5d"], "overdue": []}}
    elif scenario == "seven":
        reach = ["czj", "bumen"]
        policy = _policy(["3d", "14d"], [])
        override = {}
    elif scenario == "forty":
        reach = list(NAMES)
        policy = _policy(FORTY_LEADS, FORTY_OVERDUE, ("czj", "16d"))
        override = {"bumen": {"escalate_to": "czj", "escalate_after": "98d"}}
    else:
        raise ValueError(scenario)

    owners = []
    for oid, name in NAMES.items():
        d = {"id": oid, "name": name}
        if emails and oid in reach:
            d["email"] = [f"{oid}@czj.yuli.example"]
        if mobiles and oid in reach:
            d["mobile"] = [MOBILES[oid]]
        if feishu_ids and oid in reach and oid in FEISHU_IDS and "feishu" in formats:
            d["feishu_user_id"] = FEISHU_IDS[oid]
        if oid in reach and ids:
            d["channels"] = ids
        if oid in override:
            d["reminders"] = override[oid]
        owners.append(d)

    conf = conf_dir / "ledgerd.conf"
    text = conf.read_text(encoding="utf-8")

    def sub(pattern, repl):
        nonlocal text
        text, k = re.subn(pattern, lambda m: repl, text, count=1, flags=re.S | re.M)
        assert k == 1, pattern

    sub(r'^state_directory = [^\n]*$', f'state_directory = "{directory / "state"}";')
    sub(r'^runtime_directory = [^\n]*$', f'runtime_directory = "{directory / "run"}";')
    sub(r'^admin_group = [^\n]*$', 'admin_group = "root";')
    sub(r'^reminders = \{.*?^\};', policy)
    sub(r'^  listen = [^\n]*$', f'  listen = [ "127.0.0.1:{port}" ];')
    sub(r'^  base_url = [^\n]*$', f'  base_url = "http://127.0.0.1:{port}";')
    delivery = ['  catch_up = "3d";', '  give_up = "3d";', '  timeout = "30s";']
    if smtp is not None:
        delivery.append("  smtp = " + peers.libconfig(
            {"url": smtp.url, "tls": "none", "from": FROM, "from_name": "台账提醒"}, "  ") + ";")
    sub(r'^delivery = \{.*?^\};', "delivery = {\n" + "\n".join(delivery) + "\n};")
    sub(r'^owners = \(.*?^\);', "owners = " + peers.libconfig(owners) + ";")
    if chan_text:
        text += "\nchannels = " + peers.libconfig(chan_text) + ";\n"
    conf.write_text(text, encoding="utf-8")
    return Setup(conf, port, channels)


# ---- reading what came ---------------------------------------------------------------

PART = re.compile(r"（(\d+)/(\d+)）$")
BUTTONS = ("已完成", "推迟1天", "推迟3天", "推迟7天", "查看")
# What markdown gives a meaning to, written by the daemon as full-width
# forms (core/notify/format-chat.c): the plain text of an item in a chat.
SPECIALS = "*_[]<>#`~\\"


def chat_plain(s):
    return "".join(chr(ord(c) + 0xFEE0) if c in SPECIALS else c for c in s)


def slack_escaped(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def part_label(title):
    """(i, n) of a title ending in "（i/n）", or None."""
    m = PART.search(title)
    return (int(m.group(1)), int(m.group(2))) if m else None


@dataclasses.dataclass
class Row:
    """One item of a chat message, as it reads there."""
    due_words: str
    left: str
    item: str
    owners: str
    note: str
    buttons: dict  # label (BUTTONS) → URL

    @property
    def milestone(self):
        """The milestone its 已完成 button is for (the link's claim)."""
        import linkkit
        return linkkit.claim_of(linkkit.token_of(self.buttons["已完成"]))["milestone"]


@dataclasses.dataclass
class Message:
    """A chat message (one request, not WeCom's @mention), read."""
    fmt: str
    title: str
    rows: list
    footer_urls: list  # the links after the rows: page, feed
    body: dict
    raw: bytes

    @property
    def part(self):
        return part_label(self.title)


WECOM_ROW = re.compile(
    r'^\*\*(?P<due>[^*]+)\*\* <font color="(?P<color>info|warning)">(?P<left>[^<]+)</font>　'
    r'(?P<item>.*)　<font color="comment">(?P<owners>[^<]*)</font>$')
DINGTALK_ROW = re.compile(r"^\*\*(?P<due>[^*]+)\*\* （(?P<left>[^）]+)）(?P<item>.*)　(?P<owners>[^　]*)$")
FEISHU_ROW = re.compile(r"^\*\*(?P<due>[^*]+)\*\*（(?P<left>[^）]+)）(?P<item>.*)$")
SLACK_ROW = re.compile(r"^\*(?P<due>[^*]+)\*（(?P<left>[^）]+)）(?P<item>.*)$")
LINKS = re.compile(r"^\[已完成\]\((?P<done>\S+?)\)　推迟 \[1天\]\((?P<s1>\S+?)\) \[3天\]\((?P<s3>\S+?)\) "
                   r"\[7天\]\((?P<s7>\S+?)\)　\[查看\]\((?P<page>\S+?)\)$")
FOOTER = re.compile(r"\[[^\]]+\]\((\S+?)\)")


def _md_row(first, rest, regex):
    m = regex.match(first)
    assert m, f"not an item's line: {first!r}"
    note = ""
    links = None
    for line in rest:
        lm = LINKS.match(line)
        if lm:
            assert links is None, rest
            links = lm
        else:
            assert not note, (first, rest)
            note = line
    assert links, f"no links under {first!r}: {rest!r}"
    buttons = dict(zip(BUTTONS, (links["done"], links["s1"], links["s3"], links["s7"],
                                 links["page"])))
    return Row(m["due"], m["left"], m["item"], m["owners"], note, buttons)


def read_wecom(body, raw):
    assert set(body) == {"msgtype", "markdown"} and body["msgtype"] == "markdown", body
    assert set(body["markdown"]) == {"content"} and isinstance(body["markdown"]["content"], str)
    blocks = body["markdown"]["content"].split("\n\n")
    head = blocks[0]
    assert head.startswith("**") and head.endswith("**") and "\n" not in head, head
    rows, footer = [], []
    for b in blocks[1:]:
        lines = b.split("\n")
        if WECOM_ROW.match(lines[0]):
            assert not footer, "an item after the footer"
            rows.append(_md_row(lines[0], lines[1:], WECOM_ROW))
        else:
            footer += FOOTER.findall(b)
    return Message("wecom", head[2:-2], rows, footer, body, raw)


def read_dingtalk(body, raw):
    assert set(body) == {"msgtype", "markdown", "at"} and body["msgtype"] == "markdown", body
    md = body["markdown"]
    assert set(md) == {"title", "text"} and all(isinstance(v, str) for v in md.values()), md
    at = body["at"]
    assert isinstance(at.get("atMobiles"), list) and all(isinstance(x, str) for x in at["atMobiles"])
    assert at.get("isAtAll") is False, at
    text = md["text"]
    assert text.startswith("#### " + md["title"] + "\n"), text[:200]
    # Paragraphs a blank line apart: the title, then per item its line, a
    # holiday note perhaps and its links, then the footer's links and the
    # mentions.
    rows, footer, current = [], [], None
    for p in text.split("\n\n")[1:]:
        if DINGTALK_ROW.match(p):
            assert not footer, "an item after the footer"
            if current:
                rows.append(_md_row(current[0], current[1:], DINGTALK_ROW))
            current = [p]
        elif current and (LINKS.match(p) or not FOOTER.search(p)) and not p.startswith("@"):
            current.append(p)
        else:
            if current:
                rows.append(_md_row(current[0], current[1:], DINGTALK_ROW))
                current = None
            footer += FOOTER.findall(p)
    if current:
        rows.append(_md_row(current[0], current[1:], DINGTALK_ROW))
    return Message("dingtalk", md["title"], rows, footer, body, raw)


FEISHU_COLOURS = {"blue", "wathet", "turquoise", "green", "yellow", "orange", "red", "carmine",
                  "violet", "purple", "indigo", "grey", "default"}


def _text(o, tag_key, tags, key):
    assert isinstance(o, dict) and o.get(tag_key) in tags and isinstance(o.get(key), str), o
    return o[key]


def _card_row(text, pattern, buttons):
    """An item of a Feishu or Slack card: its first line (pattern), its
    owners, perhaps a holiday note; and the buttons under it."""
    lines = text.split("\n")
    m = pattern.match(lines[0])
    assert m and len(lines) in (2, 3), text
    return Row(m["due"], m["left"], m["item"], lines[1], lines[2] if len(lines) == 3 else "", buttons)


def read_feishu(body, raw):
    keys = set(body) - {"timestamp", "sign"}
    assert keys == {"msg_type", "card"} and body["msg_type"] == "interactive", body.keys()
    card = body["card"]
    assert card["header"]["template"] in FEISHU_COLOURS, card["header"]
    title = _text(card["header"]["title"], "tag", {"plain_text"}, "content")
    rows, footer, mentions = [], [], []
    elements = card["elements"]
    assert isinstance(elements, list)
    i = 0
    while i < len(elements):
        e = elements[i]
        tag = e.get("tag")
        assert tag in ("div", "hr", "action", "note"), e
        if tag == "div":
            text = _text(e["text"], "tag", {"lark_md", "plain_text"}, "content")
            if text.startswith("<at "):
                mentions.append(text)
            else:
                nxt = elements[i + 1] if i + 1 < len(elements) else {}
                assert nxt.get("tag") == "action", f"no buttons under {text!r}"
                buttons = {}
                for b in nxt["actions"]:
                    assert b["tag"] == "button" and b["type"] in ("default", "primary", "danger"), b
                    assert "url" in b and "multi_url" not in b, b
                    buttons[_text(b["text"], "tag", {"plain_text"}, "content")] = b["url"]
                rows.append(_card_row(text, FEISHU_ROW, buttons))
                i += 1
        elif tag == "note":
            for x in e["elements"]:
                footer += FOOTER.findall(_text(x, "tag", {"plain_text", "lark_md"}, "content"))
        elif tag == "action":
            raise AssertionError(f"buttons under no item: {e}")
        i += 1
    msg = Message("feishu", title, rows, footer, body, raw)
    msg.mentions = mentions
    return msg


SLACK_LINK = re.compile(r"<(https?://[^|>]+)\|[^>]+>")


def read_slack(body, raw):
    assert set(body) == {"text", "blocks"} and isinstance(body["text"], str) and body["text"], body.keys()
    blocks = body["blocks"]
    assert blocks[0]["type"] == "header", blocks[0]
    title = _text(blocks[0]["text"], "type", {"plain_text"}, "text")
    rows, footer = [], []
    i = 1
    while i < len(blocks):
        b = blocks[i]
        assert b["type"] in ("section", "actions", "context"), b
        if b["type"] == "section":
            text = _text(b["text"], "type", {"mrkdwn"}, "text")
            nxt = blocks[i + 1] if i + 1 < len(blocks) else {}
            assert nxt.get("type") == "actions", f"no buttons under {text!r}"
            buttons = {}
            for e in nxt["elements"]:
                assert e["type"] == "button" and e.get("style", "primary") in ("primary", "danger"), e
                buttons[_text(e["text"], "type", {"plain_text"}, "text")] = e["url"]
            rows.append(_card_row(text, SLACK_ROW, buttons))
            i += 1
        elif b["type"] == "context":
            assert 1 <= len(b["elements"]) <= 10, b
            for e in b["elements"]:
                footer += SLACK_LINK.findall(_text(e, "type", {"mrkdwn", "plain_text"}, "text"))
        else:
            raise AssertionError(f"buttons under no item: {b}")
        i += 1
    return Message("slack", title, rows, footer, body, raw)


JSON_BUTTONS = dict(zip(("done", "snooze_1d", "snooze_3d", "snooze_7d", "page"), BUTTONS))


def read_json(body, raw):
    d = body["data"]
    rows = [Row(f"{int(r['due'][5:7])}月{int(r['due'][8:10])}日",
                (f"还有{r['days_left']}天" if r["days_left"] > 0 else
                 f"已逾期{-r['days_left']}天" if r["days_left"] < 0 else "今天到期")
                + ("，督办" if r["kind"] == "escalation" else ""),
                r["item"] + (f"（{r['label']}）" if r["label"] else ""),
                "、".join(o["name"] for o in r["owners"]), r["holiday"] or "",
                {JSON_BUTTONS[k]: v for k, v in r["actions"].items()})
            for r in d["reminders"]]
    msg = Message("json", d["subject"], rows, [u for u in (d["page_url"], d["feed_url"]) if u],
                  body, raw)
    return msg


READERS = {"wecom": read_wecom, "dingtalk": read_dingtalk, "feishu": read_feishu,
           "slack": read_slack, "json": read_json}


def read(fmt, request):
    return READERS[fmt](request.json(), request.body)


def is_wecom_mention(request):
    return request.json().get("msgtype") == "text"
