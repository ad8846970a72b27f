# SPDX-License-Identifier: MIT
"""ledgerctl import: the seed table, as TSV and saved again as CSV, GB18030 and
UTF-16, must give the ledger conf/ledgers/yuli-2025.conf encodes by hand, and
one that ledgerd --check loads; hand-made tables with the column variants;
garbage, binary and unreadable files get an error, never a ledger."""

import csv
import io
import random
import re
import shutil

import pytest

from conftest import ROOT, ledgerctl, ledgerd
from ledgerfile import parse

SEED = ROOT / "tests/data/yuli-2025.tsv"
HAND = ROOT / "conf/ledgers/yuli-2025.conf"
FIELDS = ("id", "category", "item", "detail", "owners", "deadline")


def import_file(path, *args, check=True):
    return ledgerctl("import", *args, path, check=check)


def tasks_of(text):
    return [{k: t[k] for k in FIELDS} for t in parse(text)["ledger"]["tasks"]]


def ledger_lines(check_output):
    """The lines of --check that say how each task was read."""
    return [l for l in check_output.splitlines() if l.startswith("  ")]


def check_with(conf_dir, ledger_text):
    """ledgerd --check with the shipped ledgerd.conf, on ledger_text."""
    (conf_dir / "ledgers/yuli-2025.conf").write_text(ledger_text, encoding="utf-8")
    return ledgerd("-c", conf_dir / "ledgerd.conf", "--check")


def test_seed_gives_the_hand_encoded_ledger(conf_copy):
    p = import_file(SEED, "--id", "yuli-2025")
    hand = parse(HAND.read_text(encoding="utf-8"))["ledger"]
    got = parse(p.stdout)["ledger"]
    assert (got["id"], got["title"], got["year"]) == (hand["id"], hand["title"], hand["year"])
    # Every reading the hand-encoded ledger made, the importer makes by its rules:
    # the same tasks, texts, owners and deadlines, field by field.
    assert tasks_of(p.stdout) == tasks_of(HAND.read_text(encoding="utf-8"))
    # …so ledgerd reads the same milestones: --check as on the shipped ledger, line by line.
    shipped = ledgerd("-c", conf_copy / "ledgerd.conf", "--check").stdout
    out = check_with(conf_copy, p.stdout).stdout
    assert len(ledger_lines(out)) == 42 + 36 + 11 + 1
    assert ledger_lines(out) == ledger_lines(shipped)
    assert out.splitlines()[-1] == ("configuration OK: 1 ledger, 36 dated milestones, "
                                    "11 undated tasks, 0 not understood, 0 ongoing")


def test_seed_warnings_name_their_lines():
    err = import_file(SEED, "--id", "yuli-2025").stderr.splitlines()
    f = str(SEED)
    for line in (
            f"{f}:6: warning: 任务大类 blank on line 6: read as the merged cell \"一、重点工作\" "
            "of line 7 (its text stands in the middle of the cell)",
            f"{f}:22: warning: 任务大类 \"绩效监控管理\" is the 工作事项 of line 17, which has "
            "sub-items: read as one more of them, 工作事项 \"绩效监控管理：第二轮（8月）绩效监控抽查、"
            "真实性…\"",
            f"{f}:52: warning: no 序号: read as 34b, a sub-row of 34 (line 51); its blank cells "
            "are merged with that row's: 任务大类",
            f"{f}:60: warning: only a 序号 (43) and nothing else: not a task"):
        assert line in err
    assert err[-1] == ("ledgerctl import: 42 tasks, 5 owners, 22 warnings: check them, and "
                       "define the owners in ledgerd.conf")
    # one line each, all of the form FILE:LINE: warning: …
    assert all(re.match(re.escape(f) + r":\d+: warning: ", l) for l in err[:-1])


def test_owner_block_defines_the_owners(tmp_path):
    """The comment block at the top, pasted into a ledgerd.conf, is all it needs."""
    out = import_file(SEED, "--id", "yuli-2025").stdout
    owners = re.findall(r'^#   (\{ id = "unit\d+"; name = "[^"]+"; \}),', out, re.M)
    assert [re.search(r'name = "([^"]+)"', o).group(1) for o in owners] == [
        "县财政局", "各相关部门单位", "州财政局", "县财政局社会保障股", "县财政局企业股"]
    (tmp_path / "ledger.conf").write_text(out, encoding="utf-8")
    shutil.copy(ROOT / "conf/holidays/cn-2025.conf", tmp_path / "cn-2025.conf")
    (tmp_path / "ledgerd.conf").write_text(
        'ledgers = [ "ledger.conf" ];\nholidays = [ "cn-2025.conf" ];\n'
        "owners = (\n  " + ",\n  ".join(owners) + "\n);\n", encoding="utf-8")
    p = ledgerd("-c", tmp_path / "ledgerd.conf", "--check")
    assert p.stderr == ""
    assert "36 dated milestones, 11 undated tasks, 0 not understood" in p.stdout


def seed_rows():
    return [line.split("\t") for line in SEED.read_text(encoding="utf-8").split("\n")]


def body(ledger_text):
    """The ledger without its first comment line, which names the file."""
    return ledger_text.split("\n", 1)[1]


@pytest.mark.parametrize("form", ["csv", "gb18030", "utf16", "bom-crlf"])
def test_same_table_saved_otherwise(tmp_path, form):
    text = SEED.read_text(encoding="utf-8")
    path = tmp_path / f"yuli-2025.{form}"
    if form == "csv":
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\r\n").writerows(seed_rows())
        path.write_text(buf.getvalue(), encoding="utf-8", newline="")
        assert '"' in buf.getvalue() or "," in buf.getvalue()
    elif form == "gb18030":
        path.write_bytes(text.encode("gb18030"))
    elif form == "utf16":
        path.write_bytes(text.encode("utf-16"))
    else:
        path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    want = import_file(SEED, "--id", "yuli-2025")
    got = import_file(path, "--id", "yuli-2025")
    assert body(got.stdout) == body(want.stdout)
    assert got.stderr.replace(str(path), "F") == want.stderr.replace(str(SEED), "F")
    encoding = {"csv": "UTF-8, comma-separated", "gb18030": "GB18030, tab-separated",
                "utf16": "UTF-16, tab-separated", "bom-crlf": "UTF-8 with BOM, tab-separated"}
    assert f"({encoding[form]}), 42 tasks." in got.stdout.split("\n", 1)[0]


def test_csv_with_quotes_commas_and_line_breaks(tmp_path):
    rows = [["2025年度台账"], ["序号", "工作事项", "明细任务", "责任主体", "完成时间"],
            ["1", '"一卡通"清理', "清理补贴,\n报县政府", "县财政局,县民政局", "7月底前"]]
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    path = tmp_path / "q.csv"
    path.write_text(buf.getvalue(), encoding="utf-8", newline="")
    task = tasks_of(import_file(path).stdout)[0]
    assert task == {"id": "1", "category": "", "item": '"一卡通"清理',
                    "detail": "清理补贴,\n报县政府", "owners": ["县财政局", "县民政局"],
                    "deadline": "7月底前"}


VARIANTS = """\
2024年县财政局重点工作任务清单
编号\t类别\t工作事项\t具体内容\t牵头单位\t配合单位\t完成时限\t备注
1\t一、预算管理\t预算编制\t编制部门预算\t县财政局\t各相关部门单位\t10月底前\t
2\t\t绩效自评\t组织自评\t县财政局（牵头）\t\t3月31日前\t需报州局
\t\t自评复核\t复核自评表\t\t县审计局\t\t
3\t二、国库\t国库支付\t支付\t县财政局/县人民银行\t\t每季度末\t
4\t\t一卡通\t清理补贴\t县财政局\t\t时间节点\t
2024年县财政局重点工作任务清单
序号\t类别\t工作事项\t具体内容\t责任单位\t时间节点
5\t二、国库\t决算\t决算公开\t县财政局\t年底前
"""


def test_column_variants_and_check(tmp_path):
    path = tmp_path / "tasks.tsv"
    path.write_text(VARIANTS, encoding="utf-8")
    p = import_file(path)
    got = {t["id"]: t for t in tasks_of(p.stdout)}
    assert list(got) == ["1", "2", "2b", "3", "4", "5"]
    assert got["1"]["owners"] == ["县财政局", "各相关部门单位"]
    assert got["2"]["detail"] == "组织自评（备注：需报州局）"
    assert got["2"]["category"] == "一、预算管理"
    assert got["2b"] == {"id": "2b", "category": "一、预算管理", "item": "自评复核",
                         "detail": "复核自评表", "owners": ["县审计局"], "deadline": "3月31日前"}
    assert got["3"]["owners"] == ["县财政局", "县人民银行"]
    assert got["5"]["deadline"] == "年底前"
    assert f"{path}:7: warning: deadline \"时间节点\" of task 4 is not understood" in p.stderr
    assert parse(p.stdout)["ledger"]["id"] == "tasks-2024"
    # with the owners defined, ledgerd loads it; task 4 is the one warning
    (tmp_path / "ledger.conf").write_text(p.stdout, encoding="utf-8")
    names = ["县财政局", "各相关部门单位", "县审计局", "县人民银行"]
    (tmp_path / "ledgerd.conf").write_text(
        'ledgers = [ "ledger.conf" ];\nowners = (\n' +
        ",\n".join(f'  {{ id = "u{i}"; name = "{n}"; }}' for i, n in enumerate(names)) +
        "\n);\n", encoding="utf-8")
    out = ledgerd("-c", tmp_path / "ledgerd.conf", "--check")
    assert "→ 3.1    2024-03-31 周日  第1季度" in out.stdout
    assert "1 not understood" in out.stdout.splitlines()[-1]


def refused(path, message):
    p = import_file(path, check=False)
    assert p.returncode == 1
    assert p.stdout == ""
    assert message in p.stderr
    return p


def test_garbage_and_binary(tmp_path):
    rnd = random.Random(2025)
    binary = tmp_path / "sheet.xlsx"
    binary.write_bytes(b"PK\x03\x04\x14\x00\x06\x00" + bytes(rnd.randrange(256) for _ in range(4000)))
    refused(binary, f"ledgerctl import: {binary}: not a table exported as text")
    noise = tmp_path / "noise.bin"
    noise.write_bytes(bytes(rnd.randrange(1, 256) for _ in range(4000)))
    refused(noise, f"ledgerctl import: {noise}: not a table exported as text")
    text = tmp_path / "notes.txt"
    text.write_text("今天开会。\n明天7月底前交材料。\n", encoding="utf-8")
    refused(text, f"{text}: error: not a ledger table: no header row names its columns")
    refused(ROOT / "conf/ledgerd.conf", "error: not a ledger table")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    refused(empty, f"ledgerctl import: {empty}: empty file: not a ledger table")
    header_only = tmp_path / "header.csv"
    header_only.write_text("2025年度台账\n序号,工作事项,完成时间\n", encoding="utf-8")
    refused(header_only, f"{header_only}:2: error: no task under the header row")
    no_year = tmp_path / "no-year.csv"
    no_year.write_text("台账\n序号,工作事项,完成时间\n1,a,7月底前\n", encoding="utf-8")
    refused(no_year, "no year: the title names none")
    assert import_file(no_year, "--year", "2025").returncode == 0


def test_unreadable_file(tmp_path):
    refused(tmp_path / "missing.tsv",
            f"ledgerctl import: {tmp_path}/missing.tsv: No such file or directory")
    refused(tmp_path, f"ledgerctl import: {tmp_path}: Is a directory")


def test_usage():
    assert ledgerctl("import", check=False).returncode == 2
    assert ledgerctl("import", "a", "b", check=False).returncode == 2
    p = ledgerctl("import", "--id", "尉犁", str(SEED), check=False)
    assert p.returncode == 2 and "--id" in p.stderr
