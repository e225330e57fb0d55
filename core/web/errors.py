"""One error shape for every client mistake: ``{status_code, detail, errors: [{field, message}]}``.

A service error's ``detail`` and messages are in the language the client asks for with
``Accept-Language`` (Chinese or English; English without the header, as message ids are),
with times in the locality's time zone. A route names the catalogues its messages are in with
``opt={"locales_dirs": (...)}`` (the ballot API: the ballots plugin's, then the core's); a
plugin's route that names none reads its plugin's and the core's, a core route the core's.

A body that does not fit its schema answers 400, except when every fault is a well-formed
value that is not acceptable, such as a period that is no period (``UNPROCESSABLE_TYPES``):
that answers 422, as a service's ``Invalid`` does.

No client's input may get a 5xx: what the database itself refuses is answered too. A
constraint (a row still referred to, a value that must be unique) is a 409, a value the
database cannot hold (too large a number, too long a text) a 422; both with a message, and the
database's own words only in the log. Services check first and say more (``Conflict`` naming
what still refers to a thing); these are the net under them.
"""

from __future__ import annotations

import logging

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from pydantic import ValidationError
from sqlalchemy.exc import DataError, IntegrityError

from core.i18n import Translator, locale_from_accept_language
from core.services.errors import ServiceError
from core.web.i18n import request_translator

log = logging.getLogger("kaoping.web")


def _body(status_code: int, detail: str, errors: list | None = None) -> dict:
    return {"status_code": status_code, "detail": detail, "errors": errors or []}


def api_translator(request: Request) -> Translator:
    """The translator of an API answer: ``Accept-Language`` (default English), the locality's
    time zone, the route's catalogues (those it names, else its plugin's and the core's, else
    the core's alone: never another plugin's; ``core.web.i18n``)."""
    return request_translator(request, locale_from_accept_language(request.headers.get("accept-language")) or "en")


def service_error_handler(request: Request, exc: ServiceError) -> Response:
    tr = api_translator(request)
    errors = [
        {**e, "message": tr.translate(e["message"])} if isinstance(e, dict) and isinstance(e.get("message"), str) else e
        for e in exc.errors
    ]
    return Response(
        _body(exc.status_code, tr.error(exc), errors),
        status_code=exc.status_code,
        headers=exc.headers,
        media_type=MediaType.JSON,
    )


# Pydantic error types of values that are well-formed but not acceptable (core.periods.PeriodField).
UNPROCESSABLE_TYPES = frozenset({"period"})


def _status(exc: ValidationException) -> int:
    cause = exc.__cause__
    while cause is not None and not isinstance(cause, ValidationError):
        cause = cause.__cause__ or cause.__context__
    faults = cause.errors() if cause is not None else []
    return 422 if faults and all(fault["type"] in UNPROCESSABLE_TYPES for fault in faults) else 400


def validation_error_handler(request: Request, exc: ValidationException) -> Response:
    tr = api_translator(request)
    errors = []
    for item in exc.extra or []:
        if isinstance(item, dict):
            field = item.get("key") or item.get("source") or ""
            errors.append({"field": field, "message": tr.translate(item.get("message", ""))})
    if errors:
        detail = "; ".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors)
    else:
        detail = exc.detail
    status = _status(exc)
    return Response(_body(status, detail, errors), status_code=status, media_type=MediaType.JSON)


def http_error_handler(_request: Request, exc: HTTPException) -> Response:
    return Response(
        _body(exc.status_code, exc.detail),
        status_code=exc.status_code,
        headers=exc.headers or None,
        media_type=MediaType.JSON,
    )


# message ids (core/locales)
DATABASE_CONFLICT = (
    "the change conflicts with data that refers to it, or with a value that must be unique; nothing was changed"
)
DATABASE_VALUE = "a value is too large or too long for the database; nothing was changed"
DATABASE_NUL = "text may not contain the character U+0000 (NUL); nothing was changed"


def integrity_error_handler(request: Request, exc: IntegrityError) -> Response:
    log.warning("%s %s: the database refused a change: %s", request.method, request.url.path, exc.orig)
    return Response(
        _body(409, api_translator(request).translate(DATABASE_CONFLICT)), status_code=409, media_type=MediaType.JSON
    )


def data_error_handler(request: Request, exc: Exception) -> Response:
    log.warning(
        "%s %s: a value the database cannot hold: %s", request.method, request.url.path, getattr(exc, "orig", exc)
    )
    message = DATABASE_NUL if "NUL" in str(getattr(exc, "orig", exc)) else DATABASE_VALUE  # PostgreSQL's words
    return Response(_body(422, api_translator(request).translate(message)), status_code=422, media_type=MediaType.JSON)


def internal_error_handler(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return Response(
        _body(500, "internal server error"), status_code=HTTP_500_INTERNAL_SERVER_ERROR, media_type=MediaType.JSON
    )


exception_handlers = {
    ServiceError: service_error_handler,
    ValidationException: validation_error_handler,
    HTTPException: http_error_handler,
    IntegrityError: integrity_error_handler,
    DataError: data_error_handler,
    OverflowError: data_error_handler,  # sqlite3: an integer beyond 64 bits
    HTTP_500_INTERNAL_SERVER_ERROR: internal_error_handler,
}
