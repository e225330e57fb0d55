from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    StringConstraints,
    field_serializer,
)

Code = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
MAX_ID = 2**31 - 1


def _integer_only(value: object) -> object:
    # A validator, not Field(strict=True): Litestar validates bodies with strict=False, which
    # overrides field-level strictness.
    if type(value) is not int:
        raise ValueError("must be an integer")
    return value


# A row id in a request body: a JSON integer only (true or "1" are not taken for 1).
# (The bounds before the validator: so JSON schemas say minimum and maximum.)
Id = Annotated[int, Field(ge=1, le=MAX_ID), BeforeValidator(_integer_only)]


class In(BaseModel):
    """Input: unknown fields are refused, so a typo is an error rather than silently ignored."""

    model_config = ConfigDict(extra="forbid")


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    @field_serializer("*", mode="wrap", when_used="json")
    def _utc(self, value: Any, handler: SerializerFunctionWrapHandler) -> Any:
        """Times are answered with their offset (RFC 3339 date-time, as the OpenAPI document
        says): SQLite gives back the stored UTC times without one."""
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return handler(value)


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int
