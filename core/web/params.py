"""Explicit parameter kinds for handlers (Litestar 3 drops inferred ones), and the one bound on
every integer in a path.

Row ids are 32-bit in the database (``core.schemas.base.MAX_ID``); a larger number in a path
would overflow the database driver (a 500). ``path_id_bounds`` answers 404 for any integer path
parameter outside 1..MAX_ID, on every route of the app (the API, the pages, plugins' routes),
before any guard or handler sees it: no such thing exists. ``ItemId`` declares the same bounds in
the OpenAPI document.
"""

from __future__ import annotations

from typing import Annotated

from litestar.di import NamedDependency
from litestar.params import FromPath, PathParameter, QueryParameter
from litestar.types import ASGIApp, Receive, Scope, Send

from core.context import Actor, AppContext
from core.schemas.base import MAX_ID
from core.services.errors import NotFound

Ctx = NamedDependency[AppContext]
CurrentActor = NamedDependency[Actor]
LocalityCode = FromPath[str]
ItemId = Annotated[int, PathParameter(ge=1, le=MAX_ID, description=f"An id, 1 to {MAX_ID} (others: 404)")]
PathStr = FromPath[str]
# A number in a query that the database compares (a batch, an id): bounded like ids, else 400.
QueryNumber = Annotated[int | None, QueryParameter(ge=1, le=MAX_ID)]

NO_SUCH_ID = "no {name} {value}: an id is a whole number from 1 to {limit}"


def path_id_bounds(app: ASGIApp) -> ASGIApp:
    """ASGI middleware (see the module docstring): 404 for an integer path parameter out of range."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        for name, value in (scope.get("path_params") or {}).items():
            if type(value) is int and not 1 <= value <= MAX_ID:
                raise NotFound(NO_SUCH_ID, params={"name": name, "value": value, "limit": MAX_ID})
        await app(scope, receive, send)

    return middleware


def strict_json_inputs():
    """The app's pydantic plugin, reading request bodies of input models (``In``, or any model
    that refuses unknown fields) as their JSON says, strictly: a JSON boolean for a boolean, a
    number for a number, text for a date and time; never ``0`` for false, ``"40"`` for 40 or a
    number of seconds for a date. So a body fits the OpenAPI document exactly when the server
    takes it. (Litestar validates decoded JSON in pydantic's lax mode, where those pass; its
    strict mode would refuse ISO date text.) Models built in code (forms, services) are not
    affected."""
    from litestar._signature.types import ExtendedMsgSpecValidationError  # what Litestar's own decoder raises
    from litestar.plugins.pydantic import PydanticInitPlugin
    from pydantic import BaseModel, ValidationError
    from pydantic_core import to_json

    from core.schemas.base import In

    def is_input_model(annotation: object) -> bool:  # In, or any model that refuses unknown fields
        return (
            isinstance(annotation, type)
            and issubclass(annotation, BaseModel)
            and (issubclass(annotation, In) or annotation.model_config.get("extra") == "forbid")
        )

    def decode(model: type[BaseModel], value: object) -> BaseModel:
        try:
            return model.model_validate_json(to_json(value), strict=True)
        except ValidationError as exc:
            raise ExtendedMsgSpecValidationError(errors=exc.errors(include_input=False)) from exc

    class StrictJsonInputs(PydanticInitPlugin):
        @classmethod
        def decoders(cls, validate_strict: bool = False) -> list:
            return [(is_input_model, decode), *super().decoders(validate_strict)]

    return StrictJsonInputs()
