"""Condition search (条件查询): a tree of conditions with AND/OR groups, compiled to one SQL
condition over the search table (``cadre_search``, one narrow row per person:
``plugins.cadres.search_table``) and, for posts, expertise tags and annual grades, their own
indexed tables (the same on SQLite and PostgreSQL); the page and the count are read in one
pass where that is the cheaper (``_page``), and each person found is answered with the
evidence of every condition, read for that page only.

A query is JSON::

    {"op": "and", "items": [
        {"kind": "post", "text": "乡镇党委书记", "min_years": 3},
        {"kind": "education", "at_least": "本科", "full_time": true},
        {"kind": "age", "below": 40, "on": "2026-12-01"},
        {"op": "or", "items": [{"kind": "gender", "value": "女"}, {"kind": "party", "value": "群众"}]}
    ]}

Kinds (``CONDITIONS``): ``post`` (a post whose name contains ``text`` held at least
``min_years``, summed over its spans, to ``on``), ``education`` (level ``at_least``, of
full-time education if ``full_time``), ``degree`` (``at_least``), ``age`` (``below`` and/or
``at_least`` years on ``on``), ``gender``, ``ethnicity``, ``party`` (equal ``value``),
``rank`` (current rank equals ``value``), ``rank_years`` (at the current rank at least
``min_years``), ``native`` (native place code starts with ``code``: a province ``52``, a
city ``5205``, a county ``520521``), ``tag`` (expertise tag ``value``), ``training_hours``
(at least ``min``), ``grade`` (annual grade ``value`` in any of the last ``years`` years up to
``year``). Every error names the condition's path (``items.2.min_years``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Date, Integer, and_, func, literal, or_, select, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import col

from core.context import Actor, AppContext
from core.models import Person
from core.services.errors import Invalid
from plugins.cadres.access import cadre_locality
from plugins.cadres.models import (
    DEGREES,
    EDUCATION_LEVELS,
    AnnualGrade,
    CadreProfile,
    ExpertiseTag,
    PostRecord,
    ViewAction,
)
from plugins.cadres.posts import kind_of_text
from plugins.cadres.search_table import CadreSearch
from plugins.cadres.service import age_at, birth_of, record_view

MAX_DEPTH = 4
MAX_CONDITIONS = 30
MAX_RESULTS = 500
CONDITIONS = (
    "post",
    "education",
    "degree",
    "age",
    "gender",
    "ethnicity",
    "party",
    "rank",
    "rank_years",
    "native",
    "tag",
    "training_hours",
    "grade",
)


@dataclass(frozen=True)
class Source:
    """The columns a compiled condition compares: the search table's (``TABLE``, what the search
    runs on), or the same facts read from ``people`` outer-joined to ``cadre_profiles``
    (``LIVE``: how the search ran before the table, kept to check the table against)."""

    person_id: Any
    birth_date: Any
    gender: Any
    ethnicity: Any
    party: Any
    rank: Any
    native_code: Any
    rank_since: Any
    edu_rank_any: Any
    edu_rank_full_time: Any
    degree_rank: Any
    training_hours: Any


_FACTS = ("birth_date", "gender", "ethnicity", "party", "rank")
_PROFILE = ("native_code", "rank_since", "edu_rank_any", "edu_rank_full_time", "degree_rank", "training_hours")
TABLE = Source(
    col(CadreSearch.person_id), *(getattr(CadreSearch, n) for n in _FACTS), *(getattr(CadreSearch, n) for n in _PROFILE)
)
LIVE = Source(col(Person.id), *(getattr(Person, n) for n in _FACTS), *(getattr(CadreProfile, n) for n in _PROFILE))


class Compiled:
    """A compiled query: ``where`` over its ``source`` (see ``Source``), and the conditions whose
    evidence is read per person found."""

    def __init__(self, locality_id: int | None = None, source: Source = TABLE) -> None:
        self.locality_id = locality_id
        self.source = source
        self.count = 0
        self.evidence: list[dict[str, Any]] = []


def _bad(path: str, message: str, **params: Any) -> Invalid:
    """``message`` (a msgid of the catalogue) about the condition at ``path``."""
    return Invalid(
        "{path}: " + message,
        params={"path": path, **params},
        errors=[{"field": path, "message": message.format(**params)}],
    )


def _text(cond: dict, key: str, path: str, *, max_length: int = 100) -> str:
    value = cond.get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > max_length:
        raise _bad(f"{path}.{key}", "give a text of 1 to {max} characters", max=max_length)
    return value.strip()


def _number(cond: dict, key: str, path: str, *, low: float = 0, high: float = 200, required: bool = True) -> Any:
    value = cond.get(key)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise _bad(f"{path}.{key}", "give a number from {low} to {high}", low=low, high=high)
    return value


def _day(cond: dict, key: str, path: str, default: date) -> date:
    value = cond.get(key)
    if value in (None, ""):
        return default
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise _bad(f"{path}.{key}", "type a date as 2026-11-30") from None


def _years_ago(on: date, years: float) -> date:
    """``on`` less ``years`` (whole and fractional years as days)."""
    whole = int(years)
    try:
        shifted = on.replace(year=on.year - whole)
    except ValueError:  # 29 February
        shifted = on.replace(year=on.year - whole, day=28)
    return date.fromordinal(shifted.toordinal() - round((years - whole) * 365.25))


def _post_days(on: date) -> ColumnElement:
    """Days of a post's span up to ``on`` (both databases: dates as day numbers)."""
    end = func.coalesce(PostRecord.end, literal(on, Date))
    return _day_number(end) - _day_number(PostRecord.start)


class day_number(FunctionElement):
    """A date as a number of days (the difference of two is the days between them)."""

    type = Integer()
    inherit_cache = True


@compiles(day_number, "sqlite")
def _day_number_sqlite(element: day_number, compiler: Any, **kw: Any) -> str:
    return f"CAST(julianday({compiler.process(element.clauses, **kw)}) AS INTEGER)"


@compiles(day_number, "postgresql")
def _day_number_postgresql(element: day_number, compiler: Any, **kw: Any) -> str:
    return f"(({compiler.process(element.clauses, **kw)}) - DATE '2000-01-01')"


def _day_number(column: Any) -> ColumnElement:
    return day_number(column)


def _in_locality(table: Any, out: Compiled) -> ColumnElement:
    """Rows of the locality searched (any, when compiled without one: the query's shape only)."""
    return table.locality_id == out.locality_id if out.locality_id else true()


def _post_matches(text: str) -> ColumnElement:
    """Posts matching a search text: of the kind it names (``乡镇党委书记``: an index lookup on
    ``post_kind``), else whose name contains it."""
    kind = kind_of_text(text)
    if kind:
        return PostRecord.post_kind == kind
    return col(PostRecord.post).contains(text, autoescape=True)


def _compile(cond: Any, path: str, out: Compiled, today: date, depth: int = 0) -> ColumnElement:
    if not isinstance(cond, dict):
        raise _bad(path, "a condition is an object")
    out.count += 1
    if out.count > MAX_CONDITIONS:
        raise _bad(path, "at most {max} conditions", max=MAX_CONDITIONS)
    if "op" in cond:
        if cond["op"] not in ("and", "or") or depth >= MAX_DEPTH:
            raise _bad(f"{path}.op", "a group is and or or, nested at most {max} deep", max=MAX_DEPTH)
        items = cond.get("items")
        if not isinstance(items, list) or not items:
            raise _bad(f"{path}.items", "a group holds at least one condition")
        parts = [_compile(item, f"{path}.items.{i}", out, today, depth + 1) for i, item in enumerate(items)]
        return and_(*parts) if cond["op"] == "and" else or_(*parts)
    kind = cond.get("kind")
    if kind not in CONDITIONS:
        raise _bad(f"{path}.kind", "one of {kinds}", kinds=", ".join(CONDITIONS))
    out.evidence.append({**cond, "path": path})
    src = out.source
    if kind == "post":
        text = _text(cond, "text", path)
        years = _number(cond, "min_years", path, high=60, required=False) or 0
        on = _day(cond, "on", path, today)
        # one pass over the locality's posts (not one subquery per person)
        spans = (
            select(PostRecord.person_id)
            .where(_in_locality(PostRecord, out))
            .where(_post_matches(text), PostRecord.start <= on)
            .group_by(PostRecord.person_id)
            .having(func.sum(_post_days(on)) >= round(years * 365.25))
        )
        return src.person_id.in_(spans)
    if kind in ("education", "degree"):
        scale = EDUCATION_LEVELS if kind == "education" else DEGREES
        level = cond.get("at_least")
        if level not in scale:
            raise _bad(f"{path}.at_least", "one of {levels}", levels="、".join(scale))
        column = (
            src.degree_rank
            if kind == "degree"
            else src.edu_rank_full_time
            if cond.get("full_time")
            else src.edu_rank_any
        )
        return column >= scale[level]
    if kind == "age":
        on = _day(cond, "on", path, today)
        below = _number(cond, "below", path, high=120, required=False)
        at_least = _number(cond, "at_least", path, high=120, required=False)
        if below is None and at_least is None:
            raise _bad(f"{path}.below", "give below, at_least or both")
        # people.birth_date is YYYY-MM-DD or YYYY-MM: as text, a month sorts as its first day
        parts = [src.birth_date != ""]
        if below is not None:  # younger than ``below`` on ``on``: born after on - below years
            parts.append(src.birth_date > _years_ago(on, below).isoformat())
        if at_least is not None:
            parts.append(src.birth_date <= _years_ago(on, at_least).isoformat())
        return and_(*parts)
    if kind in ("gender", "ethnicity", "party", "rank"):
        return getattr(src, kind) == _text(cond, "value", path, max_length=50)
    if kind == "rank_years":
        years = _number(cond, "min_years", path, high=60)
        on = _day(cond, "on", path, today)
        return src.rank_since <= _years_ago(on, years)
    if kind == "native":
        code = cond.get("code")
        if not isinstance(code, str) or not code.isdigit() or len(code) not in (2, 4, 6):
            raise _bad(f"{path}.code", "a division code of 2, 4 or 6 digits (GB/T 2260)")
        return src.native_code.startswith(code)
    if kind == "tag":
        tag = _text(cond, "value", path, max_length=50)
        # the locality's holders of the tag, once (ix_cadre_tags_locality_tag), not a probe per person
        return src.person_id.in_(
            select(ExpertiseTag.person_id).where(_in_locality(ExpertiseTag, out), ExpertiseTag.tag == tag)
        )
    if kind == "training_hours":
        return src.training_hours >= _number(cond, "min", path, high=100_000)
    # grade
    grade = _text(cond, "value", path, max_length=20)
    years = int(_number(cond, "years", path, low=1, high=30, required=False) or 3)
    last = int(_number(cond, "year", path, low=1950, high=2100, required=False) or today.year - 1)
    return src.person_id.in_(
        select(AnnualGrade.person_id).where(
            _in_locality(AnnualGrade, out),
            AnnualGrade.year > last - years,
            AnnualGrade.year <= last,
            AnnualGrade.grade == grade,
        )
    )


def compile_query(
    query: Any, today: date, locality_id: int | None = None, source: Source = TABLE
) -> tuple[ColumnElement, Compiled]:
    """The SQL condition of ``query`` (see the module) over ``source`` (the search table, or
    ``LIVE``) and its leaves; ``Invalid`` naming the path of the first bad condition.
    ``locality_id``: the locality searched (its posts are read once, not per person)."""
    out = Compiled(locality_id, source)
    if query in (None, {}) or (isinstance(query, dict) and query.get("items") == []):
        return true(), out
    return _compile(query, "query", out, today), out


# --- running a search ----------------------------------------------------------------------------


def _fmt(day: date | None) -> str:
    return day.strftime("%Y.%m") if day else ""


def _evidence(session: Any, leaves: list[dict], people: dict[int, tuple], today: date) -> dict[int, list[dict]]:
    """Per person found, what makes each leaf condition true or false for them: ``kind``,
    ``met`` and ``detail`` (the posts held with their spans, the education, the age ...)."""
    ids = list(people)
    found: dict[int, list[dict]] = {i: [] for i in ids}
    tags: dict[int, set[str]] = {}
    if any(leaf["kind"] == "tag" for leaf in leaves):
        for pid, tag in session.execute(
            select(ExpertiseTag.person_id, ExpertiseTag.tag).where(col(ExpertiseTag.person_id).in_(ids))
        ):
            tags.setdefault(pid, set()).add(tag)
    grades: dict[int, list[tuple[int, str]]] = {}
    if any(leaf["kind"] == "grade" for leaf in leaves):
        for pid, year, grade in session.execute(
            select(AnnualGrade.person_id, AnnualGrade.year, AnnualGrade.grade)
            .where(col(AnnualGrade.person_id).in_(ids))
            .order_by(AnnualGrade.year)
        ):
            grades.setdefault(pid, []).append((year, grade))
    for leaf in leaves:
        kind = leaf["kind"]
        if kind == "post":
            on = _day(leaf, "on", leaf["path"], today)
            rows = session.execute(
                select(PostRecord.person_id, PostRecord.unit_name, PostRecord.post, PostRecord.start, PostRecord.end)
                .where(
                    col(PostRecord.person_id).in_(ids),
                    _post_matches(leaf["text"].strip()),
                )
                .order_by(PostRecord.start)
            )
            spans: dict[int, list[str]] = {}
            days: dict[int, int] = {}
            for pid, unit, post, start, end in rows:
                stop = min(end or on, on)
                if start > on:
                    continue
                days[pid] = days.get(pid, 0) + (stop - start).days
                spans.setdefault(pid, []).append(f"{_fmt(start)}–{_fmt(end)} {unit}{post}")
            for pid in ids:
                years = round(days.get(pid, 0) / 365.25, 1)
                met = pid in days and years >= (leaf.get("min_years") or 0)
                found[pid].append({"kind": kind, "met": met, "detail": "; ".join(spans.get(pid, [])), "years": years})
            continue
        for pid, (person, profile) in people.items():
            met, detail = True, ""
            if kind in ("gender", "ethnicity", "party", "rank"):
                detail = getattr(person, kind)
                met = detail == leaf["value"].strip()
            elif kind == "education":
                rank = (profile.edu_rank_full_time if leaf.get("full_time") else profile.edu_rank_any) if profile else 0
                detail = next((n for n, r in EDUCATION_LEVELS.items() if r == rank), "")
                met = rank >= EDUCATION_LEVELS[leaf["at_least"]]
            elif kind == "degree":
                rank = profile.degree_rank if profile else 0
                detail = next((n for n, r in DEGREES.items() if r == rank), "")
                met = rank >= DEGREES[leaf["at_least"]]
            elif kind == "age":
                on = _day(leaf, "on", leaf["path"], today)
                age = age_at(birth_of(person.birth_date), on)
                detail = "" if age is None else str(age)
                met = age is not None and (leaf.get("below") is None or age < leaf["below"])
                met = met and (leaf.get("at_least") is None or age >= leaf["at_least"])
            elif kind == "rank_years":
                on = _day(leaf, "on", leaf["path"], today)
                since = profile.rank_since if profile else None
                detail = _fmt(since)
                met = since is not None and since <= _years_ago(on, leaf["min_years"])
            elif kind == "native":
                detail = f"{profile.native_name} {profile.native_code}".strip() if profile else ""
                met = bool(profile) and profile.native_code.startswith(leaf["code"])
            elif kind == "tag":
                detail = "、".join(sorted(tags.get(pid, ())))
                met = leaf["value"].strip() in tags.get(pid, ())
            elif kind == "training_hours":
                hours = profile.training_hours if profile else 0
                detail, met = str(hours), hours >= leaf["min"]
            elif kind == "grade":
                detail = "、".join(f"{y} {g}" for y, g in grades.get(pid, []))
                last = int(leaf.get("year") or today.year - 1)
                years = int(leaf.get("years") or 3)
                met = any(g == leaf["value"].strip() and last - years < y <= last for y, g in grades.get(pid, []))
            found[pid].append({"kind": kind, "met": met, "detail": detail})
    return found


SUBQUERY_KINDS = ("post", "tag", "grade")  # conditions read from another table (an IN over its holders)


def _page(session: Any, locality_id: int, compiled: Compiled, where: ColumnElement, limit: int, offset: int) -> tuple:
    """The ids of the page of people matching ``where`` in name order, and how many match, in
    one statement where that is the cheaper.

    PostgreSQL: a query of the search table's own columns reads the page in name order through
    ``ix_cadre_search_locality_name`` where the planner finds that cheaper than sorting what
    matches (most of a locality: it stops after the page), and the exact count is a scalar
    subquery of its own (a plain scan). A query reading another table (posts, tags, grades)
    finds its people once (a materialized CTE), then counts them and sorts the page from them.
    (A count window over the page made PostgreSQL keep and sort every row found: over 80,000
    rows, a tuplestore spilled to disk and a full sort; and with the name index, it walked all
    of a locality in name order, taking the window for one that could stop.)

    SQLite: one pass over the locality's search rows with the count a window, where a condition
    reads another table (evaluated once, not once per statement); SQLite buffers every row a
    window spans, which costs more than a second pass when most of a locality matches, so a
    query of the search table's own columns is counted, then paged, there (two passes of a
    cheap scan). A page past the end is counted apart."""
    page = (
        select(CadreSearch.person_id)
        .where(CadreSearch.locality_id == locality_id, where)
        .order_by(CadreSearch.name, CadreSearch.person_id)
        .limit(limit)
        .offset(offset)
    )
    counted = select(func.count()).select_from(CadreSearch).where(CadreSearch.locality_id == locality_id, where)
    other_tables = any(leaf["kind"] in SUBQUERY_KINDS for leaf in compiled.evidence)
    if session.get_bind().dialect.name != "sqlite":
        if other_tables:
            found = (
                select(CadreSearch.person_id, CadreSearch.name)
                .where(CadreSearch.locality_id == locality_id, where)
                .cte("found")
                .prefix_with("MATERIALIZED")
            )
            total = select(func.count()).select_from(found).correlate(None).scalar_subquery()
            page = (
                select(found.c.person_id, total).order_by(found.c.name, found.c.person_id).limit(limit).offset(offset)
            )
            rows = session.execute(page).all()
        else:
            rows = session.execute(page.add_columns(counted.correlate(None).scalar_subquery())).all()
    elif other_tables:
        rows = session.execute(page.add_columns(func.count().over())).all()
    else:
        total = session.execute(counted).scalar_one()
        return (list(session.scalars(page)) if total > offset else []), total
    if rows:
        return [pid for pid, _total in rows], rows[0][1]
    return [], (session.execute(counted).scalar_one() if offset else 0)


def run_search(
    ctx: AppContext,
    actor: Actor,
    code: str,
    query: Any,
    *,
    limit: int = 100,
    offset: int = 0,
    today: date | None = None,
) -> dict[str, Any]:
    """The people of the locality matching ``query``, by name: ``{"total": n, "items": [{person_id,
    name, gender, birth_date, unit_id, post, rank, evidence: [{kind, met, detail}]}]}``. Recorded
    in the view log (the conditions and the people shown)."""
    today = today or date.today()
    compile_query(query, today)  # a bad query is refused before the database is touched
    limit = max(1, min(limit, MAX_RESULTS))
    with ctx.db.write() as session:
        locality = cadre_locality(session, actor, code)
        where, compiled = compile_query(query, today, locality.id)
        ids, total = _page(session, locality.id, compiled, where, limit, offset)
        found = session.execute(
            select(Person, CadreProfile)
            .outerjoin(CadreProfile, CadreProfile.person_id == Person.id)
            .where(col(Person.id).in_(ids))
        ).all()
        by_id = {person.id: (person, profile) for person, profile in found}
        rows = [by_id[i] for i in ids if i in by_id]
        people = {person.id: (person, profile) for person, profile in rows}
        evidence = _evidence(session, compiled.evidence, people, today) if people else {}
        record_view(
            session, actor, locality.id, ViewAction.search, list(people), json.dumps(query, ensure_ascii=False)[:2000]
        )
        return {
            "total": total,
            "items": [
                {
                    "person_id": person.id,
                    "name": person.name,
                    "gender": person.gender,
                    "birth_date": person.birth_date,
                    "unit_id": person.unit_id,
                    "post": person.post,
                    "rank": person.rank,
                    "evidence": evidence.get(person.id, []),
                }
                for person, _profile in rows
            ],
        }
