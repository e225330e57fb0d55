"""results.xlsx keeps every text exactly (SQLite and PostgreSQL): a name that looks like a
formula is written as a text cell, neither run as a formula nor changed by a prefix."""

from __future__ import annotations

import io
import re
import zipfile

from openpyxl import load_workbook
from sqlalchemy import text

LEAVES = ("DE1", "DE2", "JI1", "ALL")
TRICKY = ["-5分", "=1+1", "@x"]


def vote(world, code: str, grades: dict[int, str]) -> None:
    with world.client() as client:
        login = client.post("/api/ballot/login", json={"code": code})
        assert login.status_code == 200, login.text
    with world.client(login.json()["token"]) as voter:
        items = [{"subject_id": s, "indicator": leaf, "grade": g} for s, g in grades.items() for leaf in LEAVES]
        assert voter.post("/api/ballot/submit", json={"items": items}).status_code == 200


def test_results_xlsx_keeps_names_that_look_like_formulas_exactly(world, setup):
    subjects = setup.subject_ids
    [leader] = setup.issue("县领导", 1)
    [base] = setup.issue("基层代表", 1)
    setup.open()
    vote(world, leader["code"], dict.fromkeys(subjects, "称职"))
    vote(world, base["code"], dict.fromkeys(subjects, "优秀"))
    setup.close()
    with world.ctx.db.engine.begin() as connection:
        for subject_id, name in zip(subjects, TRICKY, strict=True):
            connection.execute(
                text("UPDATE subjects SET name = :n, category = '+1' WHERE id = :s"), {"n": name, "s": subject_id}
            )
    url = f"/api/campaigns/{setup.campaign_id}"
    assert setup.api.post(f"{url}/tally").status_code == 200
    sheet = setup.api.get(f"{url}/results.xlsx")
    assert sheet.status_code == 200, sheet.text

    for read_only in (False, True):
        rows = list(load_workbook(io.BytesIO(sheet.content), read_only=read_only).active.iter_rows(values_only=True))
        assert rows[0][:3] == ("Subject ID", "Subject", "Subject category")
        assert {row[0]: (row[1], row[2]) for row in rows[1:]} == {
            subject_id: (name, "+1") for subject_id, name in zip(subjects, TRICKY, strict=True)
        }
    # in the file: text cells (inline strings), no formula anywhere
    xml = zipfile.ZipFile(io.BytesIO(sheet.content)).read("xl/worksheets/sheet1.xml").decode()
    assert not re.search(r"<f[ >/]", xml)
    for row in range(2, 5):
        for column in "BC":
            assert re.search(rf'<c r="{column}{row}"[^>]* t="inlineStr"', xml), (column, row)
