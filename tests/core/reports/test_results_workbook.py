"""The results workbook through the API, read back with openpyxl (SQLite and PostgreSQL):
headers in the reader's language, scores rounded to the locality's decimals with the unrounded
score in a hidden column, grades with the adjustment's reason, turnout and per-indicator sheets."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import text

from tests.core.reports.conftest import BONUS, REASON
from tests.helpers import ok

ZH_HEADER = (
    "对象编号",
    "考核对象",
    "考核对象类别",
    "名次",
    "得分",
    "建议等次",
    "最终等次",
    "调整理由",
    "标记",
    "票数",
    "县领导评分",
    "县领导票数",
    "基层代表评分",
    "基层代表票数",
    "得分（未舍入）",
)
EN_HEADER = (
    "Subject ID",
    "Subject",
    "Subject category",
    "Place",
    "Score",
    "Proposed grade",
    "Final grade",
    "Reason of the adjustment",
    "Flags",
    "Ballots",
    "县领导 score",
    "县领导 ballots",
    "基层代表 score",
    "基层代表 ballots",
    "Score (unrounded)",
)


def _book(scenario, language: str | None):
    headers = {"Accept-Language": language} if language else {}
    response = scenario.api.get(f"/api/campaigns/{scenario.campaign_id}/results.xlsx", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "filename*=UTF-8''" in response.headers["content-disposition"]
    return load_workbook(io.BytesIO(response.content))


def test_results_sheet_in_chinese_rounds_scores_and_keeps_them_unrounded_in_a_hidden_column(scenario):
    api, ids = scenario.api, scenario.subjects
    book = _book(scenario, "zh-CN,zh;q=0.9")
    assert book.sheetnames == ["结果", "参评率", "指标得分"]
    sheet = book["结果"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ZH_HEADER
    by_name = {row[1]: dict(zip(ZH_HEADER, row, strict=True)) for row in rows[1:]}
    assert list(by_name) == ["张三", "李四", "王五", "赵六"]  # rank order

    wang = by_name["王五"]
    assert wang["得分"] == 90.23 and wang["得分（未舍入）"] == pytest.approx(80 * 0.4 + 95 * 0.6 + BONUS)
    assert wang["名次"] == 3 and wang["建议等次"] == "称职" and wang["标记"] is None
    zhao = by_name["赵六"]
    assert (zhao["得分"], zhao["建议等次"], zhao["最终等次"], zhao["调整理由"]) == (62.0, "基本称职", "称职", REASON)
    assert zhao["县领导票数"] == 1 and zhao["基层代表票数"] == 1 and zhao["票数"] == 2
    assert by_name["张三"]["标记"] == "名额临界并列" and by_name["张三"]["对象编号"] == ids["张三"]

    # every score as the results API gives it: rounded in the table, unrounded in the hidden column
    results = {s["subject_id"]: s for s in ok(api.get(f"/api/campaigns/{scenario.campaign_id}/results"))["subjects"]}
    for row in by_name.values():
        score = results[row["对象编号"]]["score"]
        assert row["得分"] == round(score, 2) and row["得分（未舍入）"] == score
        assert row["县领导评分"] == round(results[row["对象编号"]]["by_category"]["县领导"]["score"], 2)
    hidden = get_column_letter(len(ZH_HEADER))
    assert sheet.column_dimensions[hidden].hidden
    assert not any(sheet.column_dimensions[get_column_letter(c)].hidden for c in range(1, len(ZH_HEADER)))
    assert sheet["E2"].number_format == "0.00" and sheet["K2"].number_format == "0.00"


def test_turnout_and_indicator_sheets(scenario):
    book = _book(scenario, "zh-CN")
    turnout = list(book["参评率"].iter_rows(values_only=True))
    assert turnout == [
        ("测评主体", "已发放账号", "已提交", "有效票", "无效票", "参评率（%）"),
        ("县领导", 2, 2, 1, 1, 100.0),
        ("基层代表", 1, 1, 1, 0, 100.0),
        ("合计", 3, 3, 2, 1, 100.0),
    ]
    indicators = list(book["指标得分"].iter_rows(values_only=True))
    assert indicators[0] == ("对象编号", "考核对象", "考核对象类别", "政治品德", "职业道德", "工作实绩", "总体评价")
    means = {row[1]: row[3:] for row in indicators[1:]}
    # 王五: 县领导 称职 (80), 基层代表 优秀 (95) on every indicator: mean 87.5
    assert means == {"张三": (95.0,) * 4, "李四": (95.0,) * 4, "王五": (87.5,) * 4, "赵六": (65.0,) * 4}


def test_english_headers_and_the_locality_decimals(world, scenario):
    with world.ctx.db.engine.begin() as connection:
        connection.execute(text("UPDATE localities SET result_decimals = 3 WHERE code = :c"), {"c": scenario.code})
    book = _book(scenario, "en-GB,en;q=0.8")
    assert book.sheetnames == ["Results", "Turnout", "Indicators"]
    rows = list(book["Results"].iter_rows(values_only=True))
    assert rows[0] == EN_HEADER
    wang = next(dict(zip(EN_HEADER, row, strict=True)) for row in rows if row[1] == "王五")
    assert wang["Score"] == 90.235 and book["Results"]["E2"].number_format == "0.000"
    assert next(row for row in rows if row[1] == "张三")[8] == "tie at the quota"
    assert list(book["Turnout"].iter_rows(values_only=True))[-1] == ("Total", 3, 3, 2, 1, 100.0)
    # no Accept-Language: English, as every API answer
    assert _book(scenario, None).sheetnames == ["Results", "Turnout", "Indicators"]


def test_a_campaign_not_tallied_has_no_workbook(world, setup):
    response = setup.api.get(f"/api/campaigns/{setup.campaign_id}/results.xlsx", headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 409
    assert response.json()["detail"] == "该测评还没有结果：请先结束测评并计票，再下载结果。"
