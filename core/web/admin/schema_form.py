"""A form generated from a pydantic model's JSON schema (a plugin's options): strings, numbers,
booleans, enums and lists of simple values get their own inputs; a list of objects with simple
fields (e.g. grade thresholds: grade and lowest score) is a table with a row per item and two
empty rows to add; a nested model (e.g. the cadre cloud's ``relations`` rules) is a fieldset of
its own fields, named with dots (``relations.hometown_city``), to any depth; anything else is a
JSON textarea. The form's values are turned back into options for the model to validate, so the
messages beside the fields are the schema's own (``input_for`` finds the input of an error's
path)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

SIMPLE = ("string", "integer", "number")


@dataclass
class FormField:
    name: str
    label: str
    kind: str  # text, integer, number, bool, enum, list, rows, json, group
    required: bool = False
    nullable: bool = False
    default: Any = None
    help: str = ""
    options: list[Any] = field(default_factory=list)  # enum values
    constraints: dict[str, Any] = field(default_factory=dict)
    columns: list[tuple[str, str]] = field(default_factory=list)  # rows: (name, title) of each item's fields
    fields: list[FormField] = field(default_factory=list)  # group: its own fields, named "<name>.<field>"
    key: str = ""  # the option's own name in its model (name is the dotted path from the top)

    def __post_init__(self) -> None:
        self.key = self.key or self.name.rsplit(".", 1)[-1]


def _resolve(schema: dict[str, Any], prop: dict[str, Any]) -> dict[str, Any]:
    ref = prop.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        resolved = dict(schema.get("$defs", {}).get(ref.removeprefix("#/$defs/"), {}))
        return {**resolved, **{k: v for k, v in prop.items() if k != "$ref"}}
    return prop


def _kind(schema: dict[str, Any], prop: dict[str, Any]) -> tuple[str, dict[str, Any], bool]:
    """(kind, the property without its null alternative, nullable)."""
    prop = _resolve(schema, prop)
    nullable = False
    alternatives = prop.get("anyOf")
    if isinstance(alternatives, list):
        rest = [_resolve(schema, a) for a in alternatives if a.get("type") != "null"]
        nullable = len(rest) < len(alternatives)
        if len(rest) != 1:
            return "json", prop, nullable
        prop = {**rest[0], **{k: v for k, v in prop.items() if k != "anyOf"}}
    if "enum" in prop:
        return "enum", prop, nullable
    kind = prop.get("type")
    if kind == "string":
        return "text", prop, nullable
    if kind in ("integer", "number"):
        return kind, prop, nullable
    if kind == "boolean":
        return "bool", prop, nullable
    if (kind == "object" or "properties" in prop) and prop.get("properties") and not nullable:
        return "group", prop, nullable
    if kind == "array":
        items = _resolve(schema, prop.get("items") or {})
        if items.get("type") in SIMPLE or "enum" in items:
            return "list", prop, nullable
        if _columns(schema, items):
            return "rows", prop, nullable
    return "json", prop, nullable


def _columns(schema: dict[str, Any], items: dict[str, Any]) -> list[tuple[str, str]]:
    """(name, title) of an object's fields when every one is a simple value, else []."""
    properties = items.get("properties") if items.get("type") == "object" else None
    if not properties:
        return []
    columns = []
    for name, raw in properties.items():
        prop = _resolve(schema, raw)
        if prop.get("type") not in SIMPLE and "enum" not in prop:
            return []
        columns.append((name, str(prop.get("title") or name)))
    return columns


ROWS_BLANK = 3  # empty rows under a rows field's items, for adding


CONSTRAINTS = (
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "pattern",
    "minItems",
    "maxItems",
)


def fields_of(schema: dict[str, Any] | None, model: dict[str, Any] | None = None, prefix: str = "") -> list[FormField]:
    """The fields of ``model`` (the schema itself at the top; a nested model's ``$defs`` entry
    below it), named ``prefix`` and their name."""
    if not schema:
        return []
    model = schema if model is None else model
    required = set(model.get("required") or [])
    out = []
    for name, raw in (model.get("properties") or {}).items():
        kind, prop, nullable = _kind(schema, raw)
        out.append(
            FormField(
                name=prefix + name,
                key=name,
                fields=fields_of(schema, prop, f"{prefix}{name}.") if kind == "group" else [],
                label=str(prop.get("title") or name),
                kind=kind,
                required=name in required,
                nullable=nullable,
                default=prop.get("default"),
                help=str(prop.get("description") or ""),
                options=list(prop.get("enum") or []),
                constraints={k: prop[k] for k in CONSTRAINTS if k in prop},
                columns=_columns(schema, _resolve(schema, prop.get("items") or {})) if kind == "rows" else [],
            )
        )
    return out


def shown(item: FormField, value: Any) -> Any:
    """The value as the form shows it."""
    if item.kind == "bool":
        return bool(value)
    if value is None:
        return ""
    if item.kind == "list":
        return "\n".join(str(v) for v in value) if isinstance(value, list) else str(value)
    if item.kind == "json":
        return json.dumps(value, ensure_ascii=False, indent=2)
    if item.kind == "rows":
        stored = [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []
        rows = [
            {name: "" if row.get(name) is None else str(row.get(name)) for name, _t in item.columns} for row in stored
        ]
        return rows + [dict.fromkeys((name for name, _t in item.columns), "") for _ in range(ROWS_BLANK)]
    return str(value)


def form_values(fields: list[FormField], options: dict[str, Any]) -> dict[str, Any]:
    """What each field shows, by its (dotted) name: the stored option, else the schema's default."""
    values: dict[str, Any] = {}
    for f in fields:
        if f.kind == "group":
            stored = options.get(f.key) if isinstance(options, dict) else None
            values.update(form_values(f.fields, stored if isinstance(stored, dict) else {}))
        else:
            values[f.name] = shown(f, options.get(f.key, f.default) if isinstance(options, dict) else f.default)
    return values


def input_for(fields: list[FormField], path: str) -> str:
    """The field an error's path (``relations.kinds.0``) is about: the longest leading part of
    it that names a field of the form (``relations.kinds``), else its first part."""
    names: set[str] = set()
    stack = list(fields)
    while stack:
        item = stack.pop()
        names.add(item.name)
        stack.extend(item.fields)
    parts = path.split(".") if path else []
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in names:
            return ".".join(parts[:end])
    return parts[0] if parts else ""


def read_form(fields: list[FormField], data: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    """(options for the model, the values as typed to show again, errors found before the model
    sees them: JSON that does not parse). An empty optional field is left out (its default) or
    null when the schema allows null."""
    options: dict[str, Any] = {}
    typed: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for item in fields:
        key = f"opt_{item.name}"
        if item.kind == "group":  # its own options under its key; typed and errors by dotted names
            inner, inner_typed, inner_errors = read_form(item.fields, data)
            options[item.key] = inner
            typed.update(inner_typed)
            errors.update(inner_errors)
            continue
        if item.kind == "bool":
            typed[item.name] = options[item.key] = key in data
            continue
        if item.kind == "rows":  # opt_NAME__rows rows of opt_NAME__I__COLUMN cells; empty rows left out
            count = min(
                int(data.get(f"{key}__rows", "0") or 0) if str(data.get(f"{key}__rows", "")).isdigit() else 0, 200
            )
            rows = [{c: str(data.get(f"{key}__{i}__{c}", "")).strip() for c, _t in item.columns} for i in range(count)]
            typed[item.name] = [row for row in rows if any(row.values())] + [
                dict.fromkeys((c for c, _t in item.columns), "") for _ in range(ROWS_BLANK)
            ]
            options[item.key] = [{c: v for c, v in row.items() if v != ""} for row in rows if any(row.values())]
            continue
        raw = str(data.get(key, ""))
        typed[item.name] = raw
        if item.kind == "list":
            values = [line.strip() for line in raw.replace("\r", "").split("\n") if line.strip()]
            if values or item.required:
                options[item.key] = values
            continue
        if not raw.strip():
            if item.nullable:
                options[item.key] = None
            elif item.required and item.kind == "text":
                options[item.key] = raw
            continue
        if item.kind == "json":
            try:
                options[item.key] = json.loads(raw)
            except ValueError as exc:
                errors[item.name] = f"not valid JSON: {exc.msg} (line {exc.lineno})"
            continue
        if item.kind == "enum":
            options[item.key] = next((v for v in item.options if str(v) == raw), raw)
            continue
        options[item.key] = raw if item.kind == "text" else raw.strip()
    return options, typed, errors
