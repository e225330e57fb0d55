"""Indicator templates: create, read, replace while draft, copy to a new draft version."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import delete
from sqlmodel import Session, col, select

from core.context import Actor, AppContext
from core.models import Indicator, IndicatorTemplate, TemplateStatus
from core.schemas.base import Page
from core.schemas.indicators import (
    IndicatorIn,
    IndicatorOut,
    TemplateIn,
    TemplateOut,
    TemplateSummary,
)
from core.scoring import IndicatorData, TemplateData
from core.services import audit
from core.services.access import (
    ADMIN_READ_ROLES,
    OFFICE_ROLES,
    can_see_locality,
    locality_for,
    require_role,
)
from core.services.errors import Conflict, NotFound
from core.services.paging import paginate


def get_template_row(
    session: Session, actor: Actor, template_id: int, *, for_update: bool = False, read_only: bool = False
) -> IndicatorTemplate:
    query = select(IndicatorTemplate).where(IndicatorTemplate.id == template_id)
    if for_update:  # so a replace and a campaign opening (which freezes it) take turns
        query = query.with_for_update()
    template = session.exec(query).first()
    if template is None or not can_see_locality(actor, template.locality_id, read_only=read_only):
        raise NotFound(f"no template with id {template_id}")
    return template


def load_indicators(session: Session, template_id: int) -> list[Indicator]:
    return list(
        session.exec(
            select(Indicator)
            .where(Indicator.template_id == template_id)
            .order_by(col(Indicator.position), col(Indicator.id))
        )
    )


def template_data(session: Session, template_id: int) -> TemplateData:
    """A template as the scoring rules and result pages read it (``core.scoring.TemplateData``):
    its grade scale as (label, score) pairs and its indicators depth first, the tree's order.
    ``NotFound`` when no template has that id (no locality check: callers hold a campaign's)."""
    template = session.get(IndicatorTemplate, template_id)
    if template is None:
        raise NotFound(f"no template with id {template_id}")
    return TemplateData(
        id=template_id,
        grades=tuple((g["label"], float(g["score"])) for g in template.grade_scale),
        indicators=tuple(
            IndicatorData(
                id=i.id,
                code=i.code,
                name=i.name,
                parent_id=i.parent_id,
                kind=i.kind,
                weight=float(i.weight),
                max_score=i.max_score,
                overall=i.overall,
            )
            for i in depth_first(load_indicators(session, template_id))
        ),
    )


def indicator_tree(indicators: list[Indicator]) -> list[IndicatorOut]:
    children: dict[int | None, list[Indicator]] = defaultdict(list)
    for indicator in indicators:
        children[indicator.parent_id].append(indicator)

    def build(parent_id: int | None) -> list[IndicatorOut]:
        return [
            IndicatorOut(
                id=i.id,
                code=i.code,
                name=i.name,
                kind=i.kind,
                weight=i.weight,
                max_score=i.max_score,
                overall=i.overall,
                standard=i.standard,
                basis=i.basis,
                data_source=i.data_source,
                responsible=i.responsible,
                unit_of_measure=i.unit_of_measure,
                children=build(i.id),
            )
            for i in children[parent_id]
        ]

    return build(None)


def depth_first(indicators: list[Indicator]) -> list[Indicator]:
    """The indicators in the order a reader sees the tree (each parent, then its children)."""
    children: dict[int | None, list[Indicator]] = defaultdict(list)
    for indicator in indicators:
        children[indicator.parent_id].append(indicator)
    ordered: list[Indicator] = []

    def walk(parent_id: int | None) -> None:
        for indicator in children[parent_id]:
            ordered.append(indicator)
            walk(indicator.id)

    walk(None)
    return ordered


def graded_leaves(indicators: list[Indicator]) -> list[Indicator]:
    """Graded indicators without children, in tree order: what an evaluator rates."""
    parents = {i.parent_id for i in indicators if i.parent_id is not None}
    return [i for i in depth_first(indicators) if i.kind == "graded" and i.id not in parents]


def template_out(session: Session, template: IndicatorTemplate) -> TemplateOut:
    return TemplateOut(
        id=template.id,
        name=template.name,
        version=template.version,
        status=template.status,
        copied_from_id=template.copied_from_id,
        period_kind=template.period_kind,
        grade_scale=template.grade_scale,
        indicators=indicator_tree(load_indicators(session, template.id)),
    )


def _write_indicators(session: Session, template: IndicatorTemplate, items: list[IndicatorIn]) -> None:
    def add(level: list[IndicatorIn], parent: Indicator | None) -> None:
        for position, item in enumerate(level):
            indicator = Indicator(
                locality_id=template.locality_id,
                template_id=template.id,
                parent_id=parent.id if parent else None,
                position=position,
                **item.model_dump(exclude={"children"}),
            )
            session.add(indicator)
            if item.children:
                session.flush()  # the children need this id
                add(item.children, indicator)

    add(items, None)
    session.flush()


def _content(template: TemplateOut) -> TemplateIn:
    def convert(item: IndicatorOut) -> IndicatorIn:
        data = item.model_dump(exclude={"id", "children"})
        return IndicatorIn(**data, children=[convert(c) for c in item.children])

    return TemplateIn(
        name=template.name,
        grade_scale=[g.model_dump() for g in template.grade_scale],
        indicators=[convert(i) for i in template.indicators],
        period_kind=template.period_kind,
    )


def create(ctx: AppContext, actor: Actor, code: str, data: TemplateIn) -> TemplateOut:
    require_role(actor, OFFICE_ROLES, "change templates")
    with ctx.db.write() as session:
        locality = locality_for(session, actor, code)
        template = IndicatorTemplate(
            locality_id=locality.id,
            name=data.name,
            period_kind=data.period_kind,
            grade_scale=[g.model_dump() for g in data.grade_scale],
        )
        session.add(template)
        session.flush()
        _write_indicators(session, template, data.indicators)
        out = template_out(session, template)
        audit.record(
            session,
            actor,
            locality_id=locality.id,
            action="template.create",
            target_type="template",
            target_id=template.id,
            after={"name": template.name, "indicators": _count(data.indicators), "period_kind": template.period_kind},
        )
        return out


def _count(items: list[IndicatorIn]) -> int:
    return sum(1 + _count(i.children) for i in items)


def get(ctx: AppContext, actor: Actor, template_id: int) -> TemplateOut:
    require_role(actor, ADMIN_READ_ROLES, "read templates")
    with ctx.db.read() as session:
        return template_out(session, get_template_row(session, actor, template_id, read_only=True))


def list_templates(
    ctx: AppContext, actor: Actor, code: str, *, limit: int = 100, offset: int = 0
) -> Page[TemplateSummary]:
    require_role(actor, ADMIN_READ_ROLES, "read templates")
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        query = (
            select(IndicatorTemplate)
            .where(IndicatorTemplate.locality_id == locality.id)
            .order_by(col(IndicatorTemplate.id))
        )
        return paginate(session, query, limit, offset, lambda _s, t: TemplateSummary.model_validate(t))


def replace(ctx: AppContext, actor: Actor, template_id: int, data: TemplateIn) -> TemplateOut:
    """Replace a draft template's content. A frozen template answers 409."""
    require_role(actor, OFFICE_ROLES, "change templates")
    with ctx.db.write() as session:
        template = get_template_row(session, actor, template_id, for_update=True)
        return replace_in_session(session, actor, template, data)


def ensure_draft(template: IndicatorTemplate) -> None:
    if template.status != TemplateStatus.draft:
        raise Conflict(f"template {template.id} is used by an opened campaign and is frozen; copy it to edit")


def content_of(session: Session, template: IndicatorTemplate) -> TemplateIn:
    """A stored template as the input that would write it again (for edits of one part)."""
    return _content(template_out(session, template))


def replace_in_session(session: Session, actor: Actor, template: IndicatorTemplate, data: TemplateIn) -> TemplateOut:
    """``replace`` inside the caller's write transaction, on a row read ``for_update``."""
    ensure_draft(template)
    session.execute(delete(Indicator).where(Indicator.template_id == template.id))
    template.name = data.name
    template.period_kind = data.period_kind
    template.grade_scale = [g.model_dump() for g in data.grade_scale]
    session.add(template)
    _write_indicators(session, template, data.indicators)
    out = template_out(session, template)
    audit.record(
        session,
        actor,
        locality_id=template.locality_id,
        action="template.update",
        target_type="template",
        target_id=template.id,
        after={"name": template.name, "indicators": _count(data.indicators), "period_kind": template.period_kind},
    )
    return out


def copy(ctx: AppContext, actor: Actor, template_id: int) -> TemplateOut:
    """Copy a template (frozen or not) to a new draft with the next version number."""
    require_role(actor, OFFICE_ROLES, "change templates")
    with ctx.db.write() as session:
        source = get_template_row(session, actor, template_id)
        content = _content(template_out(session, source))
        root_id = source.copied_from_id or source.id
        versions = session.exec(
            select(IndicatorTemplate.version).where(
                (IndicatorTemplate.id == root_id) | (IndicatorTemplate.copied_from_id == root_id)
            )
        ).all()
        template = IndicatorTemplate(
            locality_id=source.locality_id,
            name=source.name,
            version=max(versions) + 1,
            copied_from_id=root_id,
            grade_scale=source.grade_scale,
            period_kind=source.period_kind,
        )
        session.add(template)
        session.flush()
        _write_indicators(session, template, content.indicators)
        out = template_out(session, template)
        audit.record(
            session,
            actor,
            locality_id=template.locality_id,
            action="template.copy",
            target_type="template",
            target_id=template.id,
            after={"from": source.id, "version": template.version},
        )
        return out
