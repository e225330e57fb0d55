"""Importing one section of many profiles from a spreadsheet (.xlsx or .csv, read by
``core.tabular`` and ``core.services.import_sheets`` as the core's imports are): posts,
education, military service, family members and important social relations (家庭成员及重要社会关系),
training, rewards and punishments (奖惩), annual grades or expertise tags, a row each.

A row names its person by ID-card number (``身份证号``) or by name (``姓名``) when the
locality has one person of that name. Every row is checked first; any bad cell (a date such as
``1984.13``, an unknown person, a required cell left empty) is reported by row, column and
reason and nothing is written; otherwise the section of every person named is replaced by the
rows given, in one transaction, each person's write an entry of the audit chain
(``cadres.profile.sheet``: the file and the rows of the section).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlmodel import select

from core.context import Actor, AppContext
from core.models import Person
from core.services.errors import Invalid
from core.services.import_sheets import ColumnSpec, parse_rows, read_table
from plugins.cadres.access import cadre_locality
from plugins.cadres.dates import check_id_number, normalize_id_number, parse_date
from plugins.cadres.schemas import (
    EducationIn,
    GradeIn,
    MilitaryIn,
    PostIn,
    ProfileIn,
    RelationIn,
    RewardIn,
    TrainingIn,
)
from plugins.cadres.service import write_profile

MAX_ROWS = 50_000


def _date(text: str) -> str:
    try:
        return parse_date(text).value.isoformat()
    except ValueError as exc:
        message = getattr(exc, "message", None)
        raise ValueError(message.text if message is not None else str(exc)) from None


def _hours(text: str) -> str:
    if not text.isdigit() or int(text) > 10_000:
        raise ValueError(f"{text} is not a number of hours (0 to 10000)")
    return text


def _member_id(text: str) -> str:
    number = normalize_id_number(text)
    problems = check_id_number(number, allow_old_form=True)
    if problems:
        raise ValueError(problems[0].text)
    return number


def _reward_kind(text: str) -> str:
    kind = {"奖励": "reward", "惩处": "punishment", "处分": "punishment"}.get(text, text)
    if kind not in ("reward", "punishment"):
        raise ValueError(f"{text} is neither 奖励 (reward) nor 惩处 (punishment)")
    return kind


def _year(text: str) -> str:
    if not (text.isdigit() and 1950 <= int(text) <= 2100):
        raise ValueError(f"{text} is not a year")
    return text


WHO = [
    ColumnSpec("id_card", ("身份证号", "ID card"), max_length=18),
    ColumnSpec("name", ("姓名", "Name"), max_length=100),
]
SECTIONS: dict[str, tuple[list[ColumnSpec], type]] = {
    "posts": (
        [
            ColumnSpec("unit_name", ("任职单位", "Unit"), required=True),
            ColumnSpec("post", ("职务", "Post"), required=True),
            ColumnSpec("rank", ("职级", "Rank"), max_length=50),
            ColumnSpec("start", ("起始时间", "Start"), required=True, parse=_date),
            ColumnSpec("end", ("终止时间", "End"), parse=_date),
        ],
        PostIn,
    ),
    "education": (
        [
            ColumnSpec(
                "kind",
                ("教育类别", "Kind"),
                max_length=10,
                parse=lambda t: {"全日制": "full_time", "在职": "in_service"}.get(t, t),
            ),
            ColumnSpec("school", ("学校", "School"), required=True),
            ColumnSpec("department", ("院系", "Department")),
            ColumnSpec("major", ("专业", "Major")),
            ColumnSpec("class_name", ("班级", "Class"), max_length=100),
            ColumnSpec("level", ("学历", "Level"), max_length=20),
            ColumnSpec("degree", ("学位", "Degree"), max_length=20),
            ColumnSpec("start", ("入学时间", "Start"), parse=_date),
            ColumnSpec("end", ("毕业时间", "End"), parse=_date),
        ],
        EducationIn,
    ),
    "military": (
        [
            ColumnSpec("unit_designation", ("部队番号", "Unit designation"), required=True),
            ColumnSpec("start", ("入伍时间", "Start"), required=True, parse=_date),
            ColumnSpec("end", ("退役时间", "End"), parse=_date),
        ],
        MilitaryIn,
    ),
    "relations": (
        [
            ColumnSpec("relation", ("称谓", "Relation"), required=True, max_length=50),
            ColumnSpec("member_name", ("成员姓名", "Member name"), required=True, max_length=100),
            ColumnSpec("birth", ("出生日期", "Birth date"), parse=_date),
            ColumnSpec("member_id_card", ("成员身份证号", "Member ID card"), max_length=18, parse=_member_id),
            ColumnSpec("party", ("政治面貌", "Party"), max_length=50),
            ColumnSpec("unit_post", ("工作单位及职务", "Unit and post"), max_length=300),
        ],
        RelationIn,
    ),
    "trainings": (
        [
            ColumnSpec("course", ("培训项目", "Course"), required=True),
            ColumnSpec("organiser", ("主办单位", "Organiser")),
            ColumnSpec("hours", ("学时", "Hours"), max_length=6, parse=_hours),
            ColumnSpec("start", ("开始时间", "Start"), parse=_date),
            ColumnSpec("end", ("结束时间", "End"), parse=_date),
        ],
        TrainingIn,
    ),
    "rewards": (
        [
            ColumnSpec("kind", ("奖惩类别", "Kind"), max_length=10, parse=_reward_kind),
            ColumnSpec("title", ("奖惩名称", "Title"), required=True, max_length=300),
            ColumnSpec("issuer", ("批准机关", "Issuer")),
            ColumnSpec("on", ("批准时间", "Date"), parse=_date),
        ],
        RewardIn,
    ),
    "grades": (
        [
            ColumnSpec("year", ("年度", "Year"), required=True, max_length=4, parse=_year),
            ColumnSpec("grade", ("考核等次", "Grade"), required=True, max_length=20),
        ],
        GradeIn,
    ),
    "tags": ([ColumnSpec("tag", ("专业特长", "Expertise"), required=True, max_length=50)], str),
}
# the keys of columns named apart from the person's own (身份证号, 姓名) -> the field they fill
RENAMED = {"member_name": "name", "member_id_card": "id_card"}
# each section's title: the Chinese one (sheets, file names) and the English one
TITLES = {
    "posts": ("任职经历", "Posts held"),
    "education": ("学历学位", "Education"),
    "military": ("服役经历", "Military service"),
    "relations": ("家庭成员及重要社会关系", "Family and social relations"),
    "trainings": ("培训情况", "Training"),
    "rewards": ("奖惩情况", "Rewards and punishments"),
    "grades": ("年度考核", "Annual grades"),
    "tags": ("专业特长", "Expertise"),
}


def import_section(
    ctx: AppContext, actor: Actor, code: str, section: str, filename: str, content: bytes
) -> dict[str, int]:
    """Import ``section`` (a key of ``SECTIONS``) from a spreadsheet: ``{"rows", "people"}``.
    ``Invalid`` with ``errors`` ``[{row, column, message}]`` (nothing written) for bad rows."""
    if section not in SECTIONS:
        raise Invalid("section: one of {sections}", params={"sections": ", ".join(SECTIONS)})
    with ctx.db.read() as session:
        cadre_locality(session, actor, code)
    columns, shape = SECTIONS[section]
    table = read_table(filename, content, [*WHO, *columns])
    if len(table.rows) > MAX_ROWS:
        raise Invalid("file: at most {max} rows", params={"max": MAX_ROWS})
    if "id_card" not in table.columns and "name" not in table.columns:
        raise Invalid(
            "file: a column 身份证号 or 姓名 names each row's person",
            errors=[{"row": table.header_row, "column": "身份证号", "message": "required column is missing"}],
        )
    rows, errors = parse_rows(table, [*WHO, *columns])
    with ctx.db.write() as session:
        locality = cadre_locality(session, actor, code)
        people = session.exec(
            select(Person.id, Person.name, Person.id_card_digest).where(Person.locality_id == locality.id)
        ).all()
        by_digest = {digest: pid for pid, _name, digest in people if digest}
        by_name: dict[str, list[int]] = defaultdict(list)
        for pid, name, _digest in people:
            by_name[name].append(pid)
        grouped: dict[int, list[Any]] = defaultdict(list)
        bad = {e["row"] for e in errors}  # a row with a bad cell is reported once
        for number, values in rows:
            if number in bad:
                continue
            card, name = values.get("id_card", "").upper(), values.get("name", "")
            if card:
                pid = by_digest.get(ctx.keys.digest(card))
                where, why = "身份证号", "no person with this ID-card number in the locality"
            else:
                found = by_name.get(name, [])
                pid = found[0] if len(found) == 1 else None
                where = "姓名"
                why = (
                    "several people have this name; give the ID-card number"
                    if found
                    else "no person of this name in the locality"
                )
            if pid is None:
                errors.append({"row": number, "column": where, "message": why})
                continue
            data = {RENAMED.get(k, k): v for k, v in values.items() if k not in ("id_card", "name") and v != ""}
            try:
                grouped[pid].append(data["tag"] if shape is str else shape.model_validate(data))
            except (ValueError, KeyError) as exc:
                errors.append({"row": number, "column": "", "message": str(exc).splitlines()[0]})
        if errors:
            raise Invalid("file: {count} rows could not be imported", params={"count": len(errors)}, errors=errors)
        for pid, items in grouped.items():
            write_profile(
                ctx,
                actor,
                code,
                pid,
                ProfileIn(**{section: items}),
                session,
                audit_action="cadres.profile.sheet",
                audit_extra={"file": filename[:200]},
            )
        return {"rows": len(rows), "people": len(grouped)}


DATES_NOTE = "日期可写作 1984.09、1984年9月、1984-09-03 Dates as 1984.09, 1984年9月, 1984-09-03"


def template_name(section: str, locale: str = "zh_CN") -> str:
    """The template's file name: ``干部-家庭成员及重要社会关系-模板.xlsx`` in Chinese,
    ``cadres-relations-template.xlsx`` otherwise."""
    if locale.startswith("zh"):
        return f"干部-{TITLES[section][0]}-模板.xlsx"
    return f"cadres-{section}-template.xlsx"


def template_workbook(section: str, locale: str = "zh_CN") -> bytes:
    """An .xlsx to fill for ``section``: the header row the import reads (身份证号, 姓名, then the
    section's Chinese headers; every column text, so ID numbers and dates stay as typed), on a
    sheet titled in the reader's language, and a second sheet saying which columns are required
    and their English names."""
    if section not in SECTIONS:
        raise Invalid("section: one of {sections}", params={"sections": ", ".join(SECTIONS)})
    import io

    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    from core import tabular

    columns = [*WHO, *SECTIONS[section][0]]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = TITLES[section][0 if locale.startswith("zh") else 1][:31]
    tabular.append_row(sheet, [spec.headers[0] for spec in columns])
    for index, _spec in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = 18
        sheet.column_dimensions[letter].number_format = "@"
    notes = workbook.create_sheet("说明 Notes")
    tabular.append_row(notes, ["列 Column", "必填 Required", "English name"])
    for spec in columns:
        required = (
            "是 yes" if spec.required else ("身份证号或姓名 ID card or name" if spec.key in ("id_card", "name") else "")
        )
        tabular.append_row(notes, [spec.headers[0], required, spec.headers[1]])
    tabular.append_row(notes, [DATES_NOTE])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
