"""The form of a data source in the console (``core.web.admin.sources``): a source's values
as the form shows them, the posted fields read into the body the API takes (the adapter's
options from its schema, secret options kept when left empty, the mapping's value lines, the
schedule, the retry policy), and errors located as the API names them put beside their fields."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from core.web.admin import schema_form
from core.web.admin.forms import message, to_int
from core.web.admin.shell import Shell

RETRY = ("attempts", "max_seconds", "initial_seconds", "max_backoff_seconds")


def form_values(source, fields) -> dict[str, Any]:
    mapping = source.mapping if source else {}
    subject, period = mapping.get("subject") or {}, mapping.get("period") or {}  # none for a record target
    schedule = (source.schedule if source else None) or {}
    retry = (
        source.retry if source else {"attempts": 5, "max_seconds": 300, "initial_seconds": 1, "max_backoff_seconds": 60}
    )
    values = {
        "name": source.name if source else "",
        "enabled": source.enabled if source else True,
        "subject_field": subject.get("field", ""),
        "subject_by": subject.get("by", "code"),
        "subject_kind": subject.get("kind") or "",
        "period_field": period.get("field") or "",
        "period_from_run_date": period.get("from_run_date") or "",
        "values": "\n".join(
            f"{v['field']}, {v['template_id']}, {v['indicator_code']}" for v in mapping.get("values") or []
        ),
        "schedule_kind": "interval" if schedule.get("interval_minutes") else "cron" if schedule.get("cron") else "",
        "interval_minutes": str(schedule.get("interval_minutes") or ""),
        "cron": schedule.get("cron") or "",
        **{f"retry_{k}": str(retry.get(k, "")) for k in RETRY},
    }
    values["options"] = schema_form.form_values(fields, {**(source.options if source else {})})
    return values


def read_form(data: dict[str, str], fields, secret: set[str]) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    """(the source as the API takes it, the values as typed, errors found on the way)."""
    options, typed_options, errors = schema_form.read_form(fields, data)
    options = {k: v for k, v in options.items() if not (k in secret and v in ("", None))}  # kept when left empty
    typed = {
        k: data.get(k, "")
        for k in (
            "name",
            "subject_field",
            "subject_by",
            "subject_kind",
            "period_field",
            "period_from_run_date",
            "values",
            "schedule_kind",
            "interval_minutes",
            "cron",
            *(f"retry_{k}" for k in RETRY),
        )
    }
    typed["enabled"] = "enabled" in data
    typed["options"] = {k: ("" if k in secret else v) for k, v in typed_options.items()}
    values = []
    for number, line in enumerate(typed["values"].replace("\r", "").split("\n"), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace("，", ",").split(",")]
        if len(parts) != 3 or to_int(parts[1]) is None:
            errors["values"] = (
                f"line {number}: write the record field, the template id and the indicator code, separated by commas"
            )
            break
        values.append({"field": parts[0], "template_id": to_int(parts[1]), "indicator_code": parts[2]})
    period = {"field": typed["period_field"].strip() or None, "from_run_date": typed["period_from_run_date"] or None}
    schedule = None
    if typed["schedule_kind"] == "interval":
        schedule = {"interval_minutes": to_int(typed["interval_minutes"]) or typed["interval_minutes"] or None}
    elif typed["schedule_kind"] == "cron":
        schedule = {"cron": typed["cron"].strip() or None}
    retry = {k: typed[f"retry_{k}"].strip() for k in RETRY if typed[f"retry_{k}"].strip()}
    body = {
        "name": typed["name"],
        "options": options,
        "enabled": typed["enabled"],
        "schedule": schedule,
        "retry": retry,
        "mapping": {
            "subject": {
                "field": typed["subject_field"].strip(),
                "by": typed["subject_by"] or "code",
                "kind": typed["subject_kind"] or None,
            },
            "period": period,
            "values": values,
        },
    }
    return body, typed, errors


def errors_by_field(shell: Shell, found: list[dict[str, Any]]) -> dict[str, str]:
    """Messages by form field from errors located as the API names them."""
    names = {
        "mapping.subject.field": "subject_field",
        "mapping.subject.by": "subject_by",
        "mapping.subject.kind": "subject_kind",
        "mapping.period.field": "period_field",
        "mapping.period": "period_field",
        "mapping.period.from_run_date": "period_from_run_date",
        "mapping.values": "values",
        "schedule": "schedule_kind",
        "schedule.interval_minutes": "interval_minutes",
        "schedule.cron": "cron",
    }
    out: dict[str, str] = {}
    for error in found:
        where = str(error.get("field") or "").removeprefix("body.")
        text = message(shell.tr, error.get("message", ""))
        if where.startswith("options."):
            key = "opt_" + where.removeprefix("options.").split(".")[0]
        elif where.startswith("retry."):
            key = "retry_" + where.removeprefix("retry.").split(".")[0]
        elif where.startswith("mapping.values"):
            key = "values"
        else:
            key = names.get(where, where.split(".")[0] or "form")
        out.setdefault(key, text)
    return out


def validation_list(exc: ValidationError) -> list[dict[str, Any]]:
    return [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()]
