"""Editing a draft indicator template one part at a time, as the console's tree editor does:
add an indicator (at the top or under a parent), change its attributes, move it up or down
among its siblings or under another parent, delete it with its children, change the name,
period kind and grade scale. Each edit reads and writes the template in one transaction and
is checked as a whole (``TemplateIn``) before anything is written; a frozen template is 409.

Weights are relative among siblings (a weighted mean); offices write them so that each
level adds up to 100 (or to 1). ``weight_sums`` lists the sibling groups that do not, so the
editor can say so while the office is still typing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from core.context import Actor, AppContext
from core.schemas.indicators import IndicatorIn, TemplateIn, TemplateOut
from core.services import templates
from core.services.access import OFFICE_ROLES, require_role
from core.services.errors import Invalid, NotFound

INDICATOR_FIELDS = (
    "code",
    "name",
    "kind",
    "weight",
    "max_score",
    "overall",
    "standard",
    "basis",
    "data_source",
    "responsible",
    "unit_of_measure",
)
WEIGHT_TOTALS = (1.0, 100.0)  # what a level of weights may add up to


def _invalid(exc: ValidationError) -> Invalid:
    errors = []
    for error in exc.errors():
        loc = [str(part) for part in error.get("loc", ())]
        field = loc[-1] if loc and not loc[-1].isdigit() else ".".join(loc)
        errors.append({"field": field, "message": str(error.get("msg", "")).removeprefix("Value error, ")})
    first = errors[0]["message"] if errors else "invalid template"
    return Invalid(first, errors=errors)


def _tree(content: TemplateIn) -> dict[str, Any]:
    return content.model_dump()


def _find(items: list[dict], code: str) -> tuple[list[dict], int] | None:
    """The sibling list holding ``code`` and its position there."""
    for index, item in enumerate(items):
        if item["code"] == code:
            return items, index
        found = _find(item["children"], code)
        if found:
            return found
    return None


def _located(tree: dict, code: str) -> tuple[list[dict], int]:
    found = _find(tree["indicators"], code)
    if found is None:
        raise NotFound("no indicator with code {code} in this template", params={"code": code})
    return found


def _edit(ctx: AppContext, actor: Actor, template_id: int, change: Callable[[dict], None]) -> TemplateOut:
    require_role(actor, OFFICE_ROLES, "change templates")
    with ctx.db.write() as session:
        template = templates.get_template_row(session, actor, template_id, for_update=True)
        templates.ensure_draft(template)
        tree = _tree(templates.content_of(session, template))
        change(tree)
        try:
            content = TemplateIn.model_validate(tree)
        except ValidationError as exc:
            raise _invalid(exc) from None
        return templates.replace_in_session(session, actor, template, content)


def _indicator(fields: dict[str, Any]) -> dict[str, Any]:
    """An indicator's attributes checked on their own (field errors name the attribute)."""
    try:
        return IndicatorIn.model_validate({**fields, "children": []}).model_dump(exclude={"children"})
    except ValidationError as exc:
        raise _invalid(exc) from None


def add_indicator(
    ctx: AppContext, actor: Actor, template_id: int, fields: dict[str, Any], parent_code: str | None = None
) -> TemplateOut:
    """Add an indicator with ``fields`` (``INDICATOR_FIELDS``) last among the top level or the
    children of ``parent_code``. A code already in the template: 422 on ``code``."""
    item = {**_indicator(fields), "children": []}

    def change(tree: dict) -> None:
        if _find(tree["indicators"], item["code"]):
            raise Invalid(
                "code: already used in this template",
                errors=[{"field": "code", "message": "already used in this template"}],
            )
        if parent_code:
            siblings, index = _located(tree, parent_code)
            siblings[index]["children"].append(item)
        else:
            tree["indicators"].append(item)

    return _edit(ctx, actor, template_id, change)


def update_indicator(ctx: AppContext, actor: Actor, template_id: int, code: str, fields: dict[str, Any]) -> TemplateOut:
    """Change an indicator's attributes (its children stay)."""
    values = _indicator(fields)

    def change(tree: dict) -> None:
        siblings, index = _located(tree, code)
        if values["code"] != code and _find(tree["indicators"], values["code"]):
            raise Invalid(
                "code: already used in this template",
                errors=[{"field": "code", "message": "already used in this template"}],
            )
        siblings[index].update(values)

    return _edit(ctx, actor, template_id, change)


def delete_indicator(ctx: AppContext, actor: Actor, template_id: int, code: str) -> TemplateOut:
    """Delete an indicator and everything under it (a template keeps at least one indicator)."""

    def change(tree: dict) -> None:
        siblings, index = _located(tree, code)
        del siblings[index]

    return _edit(ctx, actor, template_id, change)


def move_indicator(
    ctx: AppContext,
    actor: Actor,
    template_id: int,
    code: str,
    *,
    step: int = 0,
    parent_code: str | None = None,
    to_top: bool = False,
) -> TemplateOut:
    """Move an indicator ``step`` places among its siblings (-1 up, 1 down), or, with
    ``parent_code``, last under that parent (not under itself or its own children), or with
    ``to_top`` last at the top level."""

    def change(tree: dict) -> None:
        siblings, index = _located(tree, code)
        if parent_code or to_top:
            item = siblings[index]
            if parent_code and (parent_code == code or _find(item["children"], parent_code)):
                raise Invalid(
                    "parent: an indicator cannot move under itself or its own children",
                    errors=[
                        {"field": "parent", "message": "an indicator cannot move under itself or its own children"}
                    ],
                )
            target = tree["indicators"] if to_top else None
            if parent_code:
                parents, position = _located(tree, parent_code)
                target = parents[position]["children"]
            del siblings[index]
            target.append(item)
        elif step:
            other = index + step
            if 0 <= other < len(siblings):
                siblings[index], siblings[other] = siblings[other], siblings[index]

    return _edit(ctx, actor, template_id, change)


def update_settings(
    ctx: AppContext,
    actor: Actor,
    template_id: int,
    *,
    name: str,
    period_kind: str | None,
    grade_scale: list[dict[str, Any]],
) -> TemplateOut:
    """The template's name, period kind and grade scale (label and score per grade, best first)."""

    def change(tree: dict) -> None:
        tree.update(name=name, period_kind=period_kind or None, grade_scale=grade_scale)

    return _edit(ctx, actor, template_id, change)


@dataclass(frozen=True)
class WeightSum:
    """A level whose weights do not add up: under ``parent_code`` (None: the top level)."""

    parent_code: str | None
    parent_name: str
    total: float


def weight_sums(template: TemplateOut) -> list[WeightSum]:
    """The sibling groups (of two or more weighted indicators) whose weights add up to neither
    100 nor 1; the overall indicator and weights of 0 are not counted."""
    found: list[WeightSum] = []

    def walk(items: list, parent_code: str | None, parent_name: str) -> None:
        weighted = [i.weight for i in items if not i.overall and i.weight > 0]
        total = round(sum(weighted), 6)
        if len(weighted) > 1 and all(abs(total - expected) > 1e-6 for expected in WEIGHT_TOTALS):
            found.append(WeightSum(parent_code, parent_name, total))
        for item in items:
            walk(item.children, item.code, item.name)

    walk(template.indicators, None, "")
    return found


def get_for_locality(ctx: AppContext, actor: Actor, code: str, template_id: int) -> TemplateOut:
    """A template of locality ``code`` (404 for another locality's, as for one that does not exist)."""
    from core.services.access import ADMIN_READ_ROLES, locality_for

    require_role(actor, ADMIN_READ_ROLES, "read templates")
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        template = templates.get_template_row(session, actor, template_id, read_only=True)
        if template.locality_id != locality.id:
            raise NotFound(f"no template with id {template_id}")
        return templates.template_out(session, template)


def find_indicator(template: TemplateOut, code: str) -> tuple[Any, Any] | None:
    """(the indicator with ``code``, its parent or None), or None."""

    def walk(items: list, parent: Any) -> tuple[Any, Any] | None:
        for item in items:
            if item.code == code:
                return item, parent
            found = walk(item.children, item)
            if found:
                return found
        return None

    return walk(template.indicators, None)
