"""The OpenAPI document (``/schema/openapi.json``) says what the API really does.

Litestar derives each operation from its handler; ``complete_openapi`` completes the document in
one place, once, when the app is built:

- the error answers every operation may give, each as ``Error`` (``{status_code, detail,
  errors}``, core/web/errors.py): 400 and 422 where it takes parameters or a body, 413 where it
  takes a body (``KAOPING_MAX_UPLOAD_MB``, and the limits of reading a file), 401 and 403 unless
  it needs no sign-in, 404 where the path names a locality or an id and on every plugin's route
  (not enabled where the caller is), 409 for changes, and what ``EXTRA_ERRORS`` (or a
  handler's ``opt={"errors": {...}}``) adds;
- input schemas as the server reads them: the schema of an input model (the ``In`` base) is
  pydantic's own, with every bound (ids 1 to 2³¹-1, lengths, counts) also where a field is
  optional or a list (Litestar drops those); a model that refuses unknown fields (pydantic
  ``extra="forbid"``, msgspec ``forbid_unknown_fields``) is closed, ``additionalProperties: false``;
- the content types of files: ``.xlsx`` and ``.pdf`` answers (by the path's suffix, or a
  handler's ``opt={"produces": (...)}``) are binary, not JSON;
- uploads: the multipart body has one file field (``opt={"upload_field": "data"}``, described by
  ``opt={"upload_description": ...}``, "The .xlsx or .csv file" by default);
- operations that need no sign-in have no security requirement.

``tests/core/web/test_openapi_fuzz.py`` runs schemathesis over every operation to hold the
document to the server's behaviour.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from litestar import Litestar
from litestar.routes import HTTPRoute

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"
CSV = "text/csv"
SUFFIX_TYPES = {".xlsx": XLSX, ".pdf": PDF, ".csv": CSV}

ERROR_DESCRIPTIONS = {
    400: "The request does not fit this operation's schema (parameters or body); `errors` says where",
    401: "Not signed in: no bearer token (or session), or an unknown or expired one",
    403: "Signed in, but the role may not do this (or a session's write without its CSRF token)",
    404: "No such locality or id for this caller (another locality's, or an id out of range: 1 to 2147483647)",
    409: "Conflicts with the state of the data: still referred to, frozen, not tallied yet, already done, ...",
    410: "Gone: the codes of these slips are no longer held; replace the accounts",
    413: "The body, or the file in it, is over a limit (the upload size, or rows, cells, ... of a file)",
    422: "Well-formed but not acceptable; `errors` names each field (or row and column of a file) and why",
    429: "Too many failed attempts from here: try again after `Retry-After` seconds",
    503: "The database does not answer",
}

# Operations that need no sign-in (no security requirement, no 401/403 from a missing token).
NO_SIGN_IN = frozenset({("GET", "/health"), ("POST", "/api/auth/token"), ("POST", "/api/ballot/login")})

# What an operation answers beyond the rules of the module docstring (paths with "{}" for any
# path parameter).
EXTRA_ERRORS: dict[tuple[str, str], set[int]] = {
    ("GET", "/health"): {503},
    ("POST", "/api/auth/token"): {401, 429},
    ("POST", "/api/ballot/login"): {401, 403, 409, 429},  # 403: a revoked code; 409: used, or not open
    ("GET", "/api/campaigns/{}/results"): {409},  # not tallied yet
    ("GET", "/api/campaigns/{}/results.xlsx"): {409},
    ("GET", "/api/campaigns/{}/slips.pdf"): {409, 410},
    ("GET", "/api/campaigns/{}/progress"): {409},
    ("GET", "/api/ballot"): {404, 409},  # the evaluation is not open (or no longer there)
}
_PARAMETER = re.compile(r"{[^}]*}")

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error answer",
    "required": ["status_code", "detail", "errors"],
    "properties": {
        "status_code": {"type": "integer"},
        "detail": {"type": "string", "description": "What is wrong, in the language of Accept-Language"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "description": "One fault: a field ({field, message}) or a row of a file ({row, column, message})",
                "properties": {
                    "field": {"type": "string"},
                    "row": {"type": "integer"},
                    "column": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
    },
}


def complete_openapi(app: Litestar) -> dict[str, Any]:
    """Complete the app's OpenAPI document in place (see the module docstring); returns it."""
    document = app.plugins.get("OpenAPIPlugin").provide_openapi_schema()  # cached: what /schema serves
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    _input_schemas(schemas)
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if not handler.resolve_include_in_schema():
                continue
            plugin = any(
                getattr(guard, "__qualname__", "").startswith("plugin_route_guard.")
                for guard in handler.resolve_guards()
            )  # core.web.auth: a plugin's route
            for method in handler.http_methods:
                operation = document.get("paths", {}).get(route.path_format, {}).get(method.lower())
                if operation is not None:
                    _complete_operation(operation, method, route.path_format, handler.opt or {}, plugin)
    return document


def _complete_operation(operation: dict[str, Any], method: str, path: str, opt: dict[str, Any], plugin: bool) -> None:
    parameters = operation.get("parameters") or []
    body = operation.get("requestBody")
    codes: set[int] = set()
    if parameters or body:
        codes |= {400, 422}
    if body:
        codes.add(413)
    if (method, path) in NO_SIGN_IN:
        operation["security"] = []
    else:
        codes |= {401, 403}
    if plugin or any(parameter.get("in") == "path" for parameter in parameters):
        codes.add(404)
    if method != "GET":
        codes.add(409)
    codes |= EXTRA_ERRORS.get((method, _PARAMETER.sub("{}", path)), set()) | set(opt.get("errors", ()))
    responses = operation.setdefault("responses", {})
    for code in sorted(codes):
        answer: dict[str, Any] = {
            "description": ERROR_DESCRIPTIONS[code],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        if code == 429:
            answer["headers"] = {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}}
        responses[str(code)] = answer
    produces = opt.get("produces") or tuple(media for suffix, media in SUFFIX_TYPES.items() if path.endswith(suffix))
    if produces:
        for code, answer in responses.items():
            if code.startswith("2"):
                answer["content"] = {
                    media: {"schema": {"type": "string"} if media == CSV else {"type": "string", "format": "binary"}}
                    for media in produces
                }
    if body and opt.get("optional_body"):  # a handler whose body may be left out (opt={"optional_body": True})
        body["required"] = False
    field = opt.get("upload_field")
    if field and body:
        body["content"] = {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": [field],
                    "properties": {
                        field: {
                            "type": "string",
                            "format": "binary",
                            "description": opt.get("upload_description", "The .xlsx or .csv file"),
                        }
                    },
                }
            }
        }
        body["required"] = True


def _input_schemas(schemas: dict[str, Any]) -> None:
    """Input models' components as pydantic describes them; ``additionalProperties: false`` for
    the components of models that refuse unknown fields."""
    from core.schemas.base import In

    classes: dict[str, list[type]] = defaultdict(list)
    for cls in _model_classes():
        classes[cls.__name__].append(cls)
    for name in list(schemas):
        found = classes.get(name, [])
        if len(found) == 1 and issubclass(found[0], In):
            generated = found[0].model_json_schema(ref_template="#/components/schemas/{model}")
            for inner, schema in generated.pop("$defs", {}).items():
                if inner not in schemas or (len(classes.get(inner, [])) == 1 and issubclass(classes[inner][0], In)):
                    schemas[inner] = schema
            schemas[name] = generated
    for name, schema in schemas.items():
        if {_forbids_extra(cls) for cls in classes.get(name, [])} == {True} and schema.get("type") == "object":
            schema["additionalProperties"] = False


def _model_classes() -> list[type]:
    import msgspec
    from pydantic import BaseModel

    found, stack = [], [BaseModel, msgspec.Struct]
    while stack:
        for sub in stack.pop().__subclasses__():
            found.append(sub)
            stack.append(sub)
    return found


def _forbids_extra(cls: type) -> bool:
    config = getattr(cls, "__struct_config__", None)
    if config is not None:
        return bool(config.forbid_unknown_fields)
    model_config = getattr(cls, "model_config", None) or {}
    return model_config.get("extra") == "forbid"
