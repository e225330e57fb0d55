"""The search page's form as a query (``plugins.cadres.search``): each filled field is one
condition, joined by the form's ``mode`` (``and`` / ``or``); ``advanced`` (a query as JSON,
for nested AND/OR groups) is ANDed with them. A saved query fills the form back."""

from __future__ import annotations

import json
from typing import Any

from core.services.errors import Invalid

# form field -> (condition kind, key of the condition)
FIELDS: list[tuple[str, str, str]] = [
    ("post_text", "post", "text"),
    ("education", "education", "at_least"),
    ("degree", "degree", "at_least"),
    ("gender", "gender", "value"),
    ("ethnicity", "ethnicity", "value"),
    ("party", "party", "value"),
    ("rank", "rank", "value"),
    ("native", "native", "code"),
    ("tag", "tag", "value"),
    ("grade", "grade", "value"),
]
NUMBERS = {"post_years", "age_below", "age_at_least", "rank_years", "training_min", "grade_years"}


def _number(form: dict[str, Any], name: str) -> float | None:
    text = str(form.get(name) or "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise Invalid(
            "{name}: give a number", params={"name": name}, errors=[{"field": name, "message": "give a number"}]
        ) from None
    return int(value) if value.is_integer() else value


def query_from_form(form: dict[str, Any]) -> dict[str, Any]:
    """The query of the search form's fields (empty fields ignored); ``Invalid`` naming the
    field for a number that is not one or advanced JSON that does not parse."""
    items: list[dict[str, Any]] = []
    on = str(form.get("on") or "").strip()
    for field, kind, key in FIELDS:
        value = str(form.get(field) or "").strip()
        if not value:
            continue
        cond: dict[str, Any] = {"kind": kind, key: value}
        if kind == "post":
            years = _number(form, "post_years")
            if years is not None:
                cond["min_years"] = years
        if kind == "education" and form.get("full_time"):
            cond["full_time"] = True
        if kind == "grade":
            years = _number(form, "grade_years")
            if years is not None:
                cond["years"] = years
        if on and kind == "post":
            cond["on"] = on
        items.append(cond)
    below, at_least = _number(form, "age_below"), _number(form, "age_at_least")
    if below is not None or at_least is not None:
        cond = {"kind": "age"}
        if below is not None:
            cond["below"] = below
        if at_least is not None:
            cond["at_least"] = at_least
        if on:
            cond["on"] = on
        items.append(cond)
    if (years := _number(form, "rank_years")) is not None:
        items.append({"kind": "rank_years", "min_years": years, **({"on": on} if on else {})})
    if (hours := _number(form, "training_min")) is not None:
        items.append({"kind": "training_hours", "min": hours})
    mode = "or" if form.get("mode") == "or" else "and"
    query: dict[str, Any] = {"op": mode, "items": items} if items else {}
    advanced = str(form.get("advanced") or "").strip()
    if advanced:
        try:
            extra = json.loads(advanced)
        except ValueError:
            raise Invalid(
                "advanced: not a query in JSON", errors=[{"field": "advanced", "message": "not a query in JSON"}]
            ) from None
        query = {"op": "and", "items": [query, extra]} if query else extra
    return query


def form_from_query(query: dict[str, Any]) -> dict[str, Any]:
    """The form that gives ``query`` back: a flat query of simple conditions fills the fields;
    anything else goes to ``advanced``."""
    items = query.get("items") if isinstance(query, dict) else None
    simple = isinstance(items, list) and all(isinstance(i, dict) and "kind" in i for i in items)
    kinds = [i.get("kind") for i in items or []]
    if not simple or len(set(kinds)) != len(kinds):
        return {"advanced": json.dumps(query, ensure_ascii=False)} if query else {}
    form: dict[str, Any] = {"mode": query.get("op", "and")}
    by_kind = {kind: (field, key) for field, kind, key in FIELDS}
    for cond in items:
        kind = cond["kind"]
        if kind in by_kind:
            field, key = by_kind[kind]
            form[field] = cond.get(key, "")
        form.update(
            {
                "post_years": cond.get("min_years", "") if kind == "post" else form.get("post_years", ""),
                "full_time": form.get("full_time") or (kind == "education" and cond.get("full_time")),
            }
        )
        if kind == "age":
            form["age_below"], form["age_at_least"] = cond.get("below", ""), cond.get("at_least", "")
        if kind == "rank_years":
            form["rank_years"] = cond.get("min_years", "")
        if kind == "training_hours":
            form["training_min"] = cond.get("min", "")
        if kind == "grade":
            form["grade_years"] = cond.get("years", "")
        if cond.get("on"):
            form["on"] = cond["on"]
    return form
