"""Indicator values (bonus, deduction, veto, numeric) of a locality's subjects, by period.

Every row is checked before anything is written; then all rows are upserted on their natural
key (locality, subject, template, indicator code, period) in the caller's transaction, so a
second write of the same key replaces the value. Adapters call ``upsert_values`` too.

Periods are ``core.periods.Period``s, stored in canonical form. A value must have the kind of
period its template takes (``IndicatorTemplate.period_kind``); a template without one takes
the kinds of the periods of the campaigns that use it, or any kind while no campaign with a
period uses it (``PeriodRule``). A value that could never count in a tally is refused, never
stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, col, select

from core.context import Actor, AppContext
from core.models import (
    Campaign,
    CampaignCategory,
    CampaignSubject,
    Indicator,
    IndicatorTemplate,
    IndicatorValue,
    Role,
    Subject,
)
from core.models.base import utcnow
from core.periods import Period, PeriodError, PeriodKind
from core.schemas.base import MAX_ID, Page
from core.schemas.values import (
    MAX_VALUE_ROWS,
    VALUE_KINDS,
    IndicatorValueIn,
    IndicatorValueOut,
    ValuesWritten,
)
from core.services import audit
from core.services.access import (
    ADMIN_READ_ROLES,
    OFFICE_ROLES,
    locality_for,
    require_role,
)
from core.services.campaign_periods import example_of
from core.services.errors import Invalid
from core.services.paging import paginate

# Parameter sets per execute call (keeps the driver's batches moderate).
_CHUNK = 1000
_KEY = ("locality_id", "subject_id", "template_id", "indicator_code", "period")
# How many row errors a 422 lists at most (the count is always in the message).
_MAX_LISTED_ERRORS = 1000


def _field(index: int, loc: Sequence[Any]) -> str:
    path = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)
    return f"[{index}]{path}"


# Message ids (core/locales): a value whose period is of the wrong kind.
NOT_THE_TEMPLATES_KIND = (
    "period {period} is not of the kind template {template} takes: its values are for periods like {example}"
)
NOT_THE_CAMPAIGNS_KIND = (
    "period {period} is not of the kind of the campaigns that use template {template} (their periods: {periods})"
)


@dataclass(frozen=True)
class Origin:
    """Where written values came from, stored with each (``IndicatorValue.origin*``): ``kind`` is
    ``typed`` (the console's grid), ``import`` (a file: ``file``), ``adapter`` (``run_id``, an
    ``AdapterRun``) or ``api``; ``user_id``: who typed, imported or called."""

    kind: str
    user_id: int | None = None
    file: str = ""
    run_id: int | None = None

    def columns(self) -> dict[str, Any]:
        return {
            "origin": self.kind[:16],
            "origin_user_id": self.user_id,
            "origin_file": self.file[:200],
            "origin_run_id": self.run_id,
        }


# Message id (core/locales): a veto value is "yes" (1) or "no" (0).
VETO_NOT_0_OR_1 = "{value} is not a veto value: write 1 (vetoed) or 0 (not vetoed)"


@dataclass(frozen=True)
class PeriodRule:
    """The kinds of period a template's values may have: ``kind`` (the template's own), else
    the kinds of ``campaign_periods`` (of the campaigns that use it); none of both: any."""

    template_id: int
    kind: PeriodKind | None = None
    campaign_periods: tuple[Period, ...] = ()

    def problem(self, period: Period) -> str | None:
        """Why ``period`` cannot be a value of this template, or None if it can."""
        if self.kind is not None:
            if period.kind is self.kind:
                return None
            return NOT_THE_TEMPLATES_KIND.format(
                period=period, template=self.template_id, example=example_of(self.kind, period)
            )
        if not self.campaign_periods or period.kind in {p.kind for p in self.campaign_periods}:
            return None
        return NOT_THE_CAMPAIGNS_KIND.format(
            period=period,
            template=self.template_id,
            periods=", ".join(sorted({str(p) for p in self.campaign_periods})[:5]),
        )


def period_rules(session: Session, locality_id: int, template_ids: Iterable[int]) -> dict[int, PeriodRule]:
    """The ``PeriodRule`` of each of the locality's templates in ``template_ids`` (two queries)."""
    ids = set(template_ids)
    if not ids:
        return {}
    kinds = dict(
        session.exec(
            select(IndicatorTemplate.id, IndicatorTemplate.period_kind).where(
                IndicatorTemplate.locality_id == locality_id, col(IndicatorTemplate.id).in_(ids)
            )
        ).all()
    )
    used: dict[int, set[Period]] = {}
    loose = [t for t, kind in kinds.items() if not kind]
    if loose:
        for template_id, text in session.exec(
            select(CampaignCategory.template_id, Campaign.period)
            .join(Campaign, Campaign.id == CampaignCategory.campaign_id)
            .where(
                Campaign.locality_id == locality_id, col(CampaignCategory.template_id).in_(loose), Campaign.period != ""
            )
            .distinct()
        ).all():
            try:
                used.setdefault(template_id, set()).add(Period.parse(text))
            except PeriodError:  # a period the migration could not read (see 0007): it matches no value
                continue
    return {
        t: PeriodRule(t, PeriodKind(kind) if kind else None, tuple(sorted(used.get(t, ()))))
        for t, kind in kinds.items()
    }


def check_rows(
    session: Session, locality_id: int, rows: Sequence[Any], max_rows: int = MAX_VALUE_ROWS
) -> list[IndicatorValueIn]:
    """Validate every row against the schema and the locality's subjects, templates and
    indicators; raise one ``Invalid`` naming every bad row by index and field."""
    if len(rows) > max_rows:
        raise Invalid(
            f"at most {max_rows} rows per call; got {len(rows)}",
            errors=[{"field": "", "message": f"at most {max_rows} rows per call"}],
        )
    errors: list[dict[str, Any]] = []
    parsed: list[tuple[int, IndicatorValueIn]] = []
    for index, row in enumerate(rows):
        if isinstance(row, IndicatorValueIn):
            parsed.append((index, row))
            continue
        if not isinstance(row, dict):
            errors.append({"index": index, "field": f"[{index}]", "message": "must be an object"})
            continue
        try:
            parsed.append((index, IndicatorValueIn.model_validate(row)))
        except ValidationError as exc:
            for error in exc.errors():
                errors.append({"index": index, "field": _field(index, error["loc"]), "message": error["msg"]})

    subject_ids = {row.subject_id for _, row in parsed}
    template_ids = {row.template_id for _, row in parsed}
    subjects: set[int] = set()
    templates: set[int] = set()
    kinds: dict[tuple[int, str], str] = {}
    if subject_ids:
        subjects = set(
            session.exec(
                select(Subject.id).where(Subject.locality_id == locality_id, col(Subject.id).in_(subject_ids))
            ).all()
        )
    if template_ids:
        templates = set(
            session.exec(
                select(IndicatorTemplate.id).where(
                    IndicatorTemplate.locality_id == locality_id, col(IndicatorTemplate.id).in_(template_ids)
                )
            ).all()
        )
    if templates:
        kinds = {
            (t, c): k
            for t, c, k in session.exec(
                select(Indicator.template_id, Indicator.code, Indicator.kind).where(
                    col(Indicator.template_id).in_(templates)
                )
            ).all()
        }
    rules = period_rules(session, locality_id, templates)
    for index, row in parsed:
        if row.subject_id not in subjects:
            errors.append(
                {
                    "index": index,
                    "field": f"[{index}].subject_id",
                    "message": f"no subject with id {row.subject_id} in this locality",
                }
            )
        if row.template_id not in templates:
            errors.append(
                {
                    "index": index,
                    "field": f"[{index}].template_id",
                    "message": f"no template with id {row.template_id} in this locality",
                }
            )
            continue
        kind = kinds.get((row.template_id, row.indicator_code))
        if kind is None:
            errors.append(
                {
                    "index": index,
                    "field": f"[{index}].indicator_code",
                    "message": f"template {row.template_id} has no indicator {row.indicator_code!r}",
                }
            )
        elif kind not in VALUE_KINDS:
            errors.append(
                {
                    "index": index,
                    "field": f"[{index}].indicator_code",
                    "message": f"indicator {row.indicator_code!r} is {kind}; values are only for "
                    f"{', '.join(sorted(VALUE_KINDS))} indicators",
                }
            )
        elif kind == "veto" and row.value not in (0, 1):
            errors.append(
                {"index": index, "field": f"[{index}].value", "message": VETO_NOT_0_OR_1.format(value=f"{row.value:g}")}
            )
        problem = rules[row.template_id].problem(row.period)
        if problem:
            errors.append({"index": index, "field": f"[{index}].period", "message": problem})
    if errors:
        bad_rows = len({e["index"] for e in errors})
        raise Invalid(
            f"{bad_rows} of {len(rows)} rows are not acceptable; nothing was written",
            errors=sorted(errors, key=_error_order)[:_MAX_LISTED_ERRORS],
        )
    return [row for _, row in parsed]


def _error_order(error: dict[str, Any]) -> tuple[int, str]:
    return error["index"], error["field"]


def _insert(session: Session):
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - only the two supported databases
        raise RuntimeError(f"no upsert for the {dialect} dialect")
    return insert


def upsert_values(
    session: Session,
    locality_id: int,
    rows: Sequence[Any],
    source: str = "",
    *,
    actor: Actor | None = None,
    max_rows: int = MAX_VALUE_ROWS,
    origin: Origin | None = None,
) -> int:
    """Check then upsert ``rows`` (dicts or ``IndicatorValueIn``) of one locality inside the caller's
    transaction; return how many were written. A row's own ``source`` wins over ``source``;
    ``origin`` (where they came from) is stored with every row written.

    Raises ``Invalid`` (nothing written) when any row is bad. Adds one audit entry with the count,
    by ``actor`` (default: the system, named after ``source``)."""
    checked = check_rows(session, locality_id, rows, max_rows)
    # Last row wins within one call: one INSERT must not touch the same key twice (PostgreSQL refuses).
    latest: dict[tuple, dict] = {}
    now = utcnow()
    for row in checked:
        values = {
            "locality_id": locality_id,
            "subject_id": row.subject_id,
            "template_id": row.template_id,
            "indicator_code": row.indicator_code,
            "period": str(row.period),
            "value": float(row.value),
            "source": row.source or source[:100],
            "updated_at": now,
            **(origin or Origin("")).columns(),
        }
        latest[tuple(values[k] for k in _KEY)] = values
    insert = _insert(session)
    table = IndicatorValue.__table__
    # In key order, so two concurrent writers of overlapping keys lock rows in the same order.
    items = [latest[key] for key in sorted(latest)]
    statement = insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=list(_KEY),
        set_={
            "value": statement.excluded.value,
            "source": statement.excluded.source,
            "updated_at": statement.excluded.updated_at,
            "origin": statement.excluded.origin,
            "origin_user_id": statement.excluded.origin_user_id,
            "origin_file": statement.excluded.origin_file,
            "origin_run_id": statement.excluded.origin_run_id,
        },
    )
    # One statement compiled once, executed for many parameter sets (batched by the driver/dialect).
    for start in range(0, len(items), _CHUNK):
        session.execute(statement, items[start : start + _CHUNK])
    audit.record(
        session,
        actor or Actor.system(source or "indicator-values"),
        locality_id=locality_id,
        action="indicator_values.upsert",
        target_type="indicator_values",
        target_id="",
        after={
            "written": len(items),
            "rows": len(checked),
            "source": source,
            "periods": sorted({i["period"] for i in items})[:20],
            "templates": sorted({i["template_id"] for i in items})[:20],
        },
    )
    return len(items)


def put_values(
    ctx: AppContext, actor: Actor, code: str, rows: Sequence[Any], campaign_id: int | None = None
) -> ValuesWritten:
    """Upsert ``rows`` through the API (origin ``api``), all or nothing. With ``campaign_id`` (an
    assessment group must give it: ``core.services.value_scope``) every row must be of one of the
    campaign's subjects and templates and of its period, else its ``[index].field`` is named."""
    from core.services.value_scope import value_scope

    if actor.role not in OFFICE_ROLES | {Role.assessment_group}:
        require_role(actor, OFFICE_ROLES, "change indicator values")
    if not isinstance(rows, list):
        raise Invalid("the body must be a list of rows", errors=[{"field": "", "message": "must be a list"}])
    with ctx.db.write() as session:
        scope = value_scope(session, actor, code, campaign_id, write=True)
        if scope.campaign_id is not None:
            _check_scope(session, scope, check_rows(session, scope.locality_id, rows), len(rows))
        written = upsert_values(
            session, scope.locality_id, rows, source="api", actor=actor, origin=Origin("api", actor.user_id)
        )
        return ValuesWritten(written=written)


def _check_scope(session: Session, scope: Any, checked: list[IndicatorValueIn], total: int) -> None:
    """``Invalid`` naming each row outside a campaign's scope (subject, template or period)."""
    from core.services.value_scope import NOT_A_CAMPAIGN_SUBJECT, NOT_A_CAMPAIGN_TEMPLATE, OTHER_PERIOD

    outside = scope.outside(session, {row.subject_id for row in checked})
    errors: list[dict[str, Any]] = []
    for index, row in enumerate(checked):
        if row.subject_id in outside:
            text = NOT_A_CAMPAIGN_SUBJECT.format(id=row.subject_id, name=scope.campaign_name)
            errors.append({"index": index, "field": f"[{index}].subject_id", "message": text})
        if not scope.allows_template(row.template_id):
            text = NOT_A_CAMPAIGN_TEMPLATE.format(id=row.template_id)
            errors.append({"index": index, "field": f"[{index}].template_id", "message": text})
        if str(row.period) != scope.period:
            text = OTHER_PERIOD.format(name=scope.campaign_name, period=scope.period)
            errors.append({"index": index, "field": f"[{index}].period", "message": text})
    if errors:
        bad_rows = len({e["index"] for e in errors})
        raise Invalid(
            f"{bad_rows} of {total} rows are not acceptable; nothing was written",
            errors=errors[:_MAX_LISTED_ERRORS],
        )


def value_out(_session: Session, row: IndicatorValue) -> IndicatorValueOut:
    return IndicatorValueOut.model_validate(row)


def _filter_id(name: str, value: int | None) -> None:
    if value is not None and not 1 <= value <= MAX_ID:
        raise Invalid(f"{name}: must be between 1 and {MAX_ID}", errors=[{"field": name, "message": "out of range"}])


def list_values(
    ctx: AppContext,
    actor: Actor,
    code: str,
    *,
    template_id: int | None = None,
    period: str | None = None,
    subject_id: int | None = None,
    limit: int = 100,
    offset: int = 0,
    campaign_id: int | None = None,
) -> Page[IndicatorValueOut]:
    """A page of stored values. With ``campaign_id`` (an assessment group must give it), the
    values the campaign counts: its subjects, its templates, its period (``value_scope``)."""
    from core.services.value_scope import value_scope

    if actor.role != Role.assessment_group:
        require_role(actor, ADMIN_READ_ROLES, "read indicator values")
    _filter_id("template_id", template_id)
    _filter_id("subject_id", subject_id)
    wanted = parse_period_filter(period)
    with ctx.db.read() as session:
        if campaign_id is not None or actor.role == Role.assessment_group:
            scope = value_scope(session, actor, code, campaign_id)
            query = select(IndicatorValue).where(
                IndicatorValue.locality_id == scope.locality_id,
                IndicatorValue.period == scope.period,
                col(IndicatorValue.template_id).in_(sorted(scope.template_ids or ())),
                col(IndicatorValue.subject_id).in_(
                    select(CampaignSubject.subject_id).where(CampaignSubject.campaign_id == scope.campaign_id)
                ),
            )
        else:
            locality = locality_for(session, actor, code, read_only=True)
            query = select(IndicatorValue).where(IndicatorValue.locality_id == locality.id)
        if template_id is not None:
            query = query.where(IndicatorValue.template_id == template_id)
        if wanted is not None:
            query = query.where(IndicatorValue.period == wanted)
        if subject_id is not None:
            query = query.where(IndicatorValue.subject_id == subject_id)
        query = query.order_by(
            col(IndicatorValue.subject_id),
            col(IndicatorValue.template_id),
            col(IndicatorValue.indicator_code),
            col(IndicatorValue.period),
            col(IndicatorValue.id),
        )
        return paginate(session, query, limit, offset, value_out)


def parse_period_filter(period: str | None, field: str = "period") -> str | None:
    """A period given as a filter, canonical (``?period=2026年11月`` finds ``2026-11``); None for
    none; ``Invalid`` naming ``field`` if it is not a period."""
    if period is None:
        return None
    try:
        return str(Period.parse(period))
    except PeriodError as exc:
        raise Invalid(exc.message, errors=[{"field": field, "message": exc.message}]) from None


def stored_period(text: str) -> str:
    """The canonical form of a stored period (a campaign's), to match values by: both are
    canonical since migration 0007, so a value counts for exactly one period of one kind; text
    that is no period (a row the migration could not read) is returned as it is."""
    try:
        return str(Period.parse(text)) if text else ""
    except PeriodError:
        return text


def values_for(
    session: Session, locality_id: int, template_ids: Iterable[int], period: Period | str
) -> list[IndicatorValue]:
    """The stored values of some templates for one period (for the tally and exports). A period
    matches exactly: values of a period of another kind are never counted (``PeriodRule`` keeps
    them out)."""
    ids = list(template_ids)
    if not ids or not str(period):
        return []
    return list(
        session.exec(
            select(IndicatorValue).where(
                IndicatorValue.locality_id == locality_id,
                col(IndicatorValue.template_id).in_(ids),
                IndicatorValue.period == str(period),
            )
        )
    )
