from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
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
Id = Annotated[int, BeforeValidator(_integer_only), Field(ge=1, le=MAX_ID)]


class In(BaseModel):
    """Input: unknown fields are refused, so a typo is an error rather than silently ignored."""

    model_config = ConfigDict(extra="forbid")


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int
