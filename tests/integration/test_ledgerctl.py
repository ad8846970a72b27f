# SPDX-License-Identifier: MIT
"""ledgerctl deadline: how a phrase is read, offline."""

import json

from conftest import ROOT, ledgerctl


def test_three_labelled_parts():
    out = ledgerctl("deadline", "--year", "2025",
                    "单位自评3月底之前 部门评价4月底之前 真实性核查6月20日之前").stdout
    assert out.splitlines() == [
        '"单位自评3月底之前 部门评价4月底之前 真实性核查6月20日之前" (2025): dated',
        "  2025-03-31 周一  单位自评",
        "  2025-04-30 周三  部门评价",
        "  2025-06-20 周五  真实性核查",
    ]


def test_json_and_several_phrases():
    p = ledgerctl("deadline", "--json", "--year", "2025", "年度内报送2次，分别为4月10日前，10月10日前",
                  "根据县财政局具体工作时间安排")
    got = json.loads(p.stdout)
    assert [d["date"] for d in got[0]["dates"]] == ["2025-04-10", "2025-10-10"]
    assert got[0]["kind"] == "dated" and got[0]["reason"] is None
    assert got[1]["kind"] == "undated" and got[1]["dates"] == [] and got[1]["reason"]


def test_not_understood_fails():
    p = ledgerctl("deadline", "--year", "2025", "尽快", check=False)
    assert p.returncode == 1
    assert "unknown" in p.stdout


def test_usage():
    assert ledgerctl("deadline", check=False).returncode == 2
    assert ledgerctl("frobnicate", check=False).returncode == 2
    assert ledgerctl("deadline", "--year", "abc", "7月底", check=False).returncode == 2


def test_year_and_config_in_either_order():
    """--year before --config used to be overwritten by the bookkeeping of
    --config (one option name too many for its array)."""
    conf = str(ROOT / "conf/ledgerd.conf")
    for args in (("--year", "2026", "--config", conf), ("--config", conf, "--year", "2026")):
        out = ledgerctl("deadline", *args, "国庆节前").stdout
        assert '"国庆节前" (2026): dated' in out and "2026-09-30" in out, out
