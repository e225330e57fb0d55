"""The options of a ``http_json`` source (``adapters.http_json``): the URL and method, the
query parameters and body, the headers and credentials (the secret ones stored encrypted), where
the records are in a page, how to reach the next page, and the safety bounds."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, field_validator, model_validator


class NoPagination(BaseModel):
    model_config = {"extra": "forbid"}

    kind: Literal["none"] = Field(default="none", description="One page holds every record.")


class PageNumberPagination(BaseModel):
    model_config = {"extra": "forbid"}

    kind: Literal["page_number"] = Field(description="Pages are asked for by number in a query parameter.")
    param: str = Field(default="page", min_length=1, description="Query parameter that holds the page number.")
    start: int = Field(default=1, ge=0, description="Number of the first page (usually 1, sometimes 0).")
    size_param: str | None = Field(default=None, description="Query parameter for the page size, if the API has one.")
    size: int | None = Field(
        default=None,
        ge=1,
        le=100_000,
        description="Page size to ask for (with size_param); a page with fewer records than this is the last one.",
    )
    stop_when_empty: bool = Field(
        default=True,
        description="Stop at the first page without records. When false, `size` is "
        "required and the first page with fewer than `size` records is the "
        "last one.",
    )

    @model_validator(mode="after")
    def _needs_an_end(self) -> PageNumberPagination:
        if not self.stop_when_empty and self.size is None:
            raise ValueError("with stop_when_empty false, size is required (a short page ends the pagination)")
        if self.size_param is not None and self.size is None:
            raise ValueError("size_param needs a size")
        return self


class NextLinkPagination(BaseModel):
    model_config = {"extra": "forbid"}

    kind: Literal["next_link"] = Field(description="Each page links to the next one.")
    path: str = Field(
        default="next",
        min_length=1,
        description="Dotted path in the page to the next page's URL (absolute, or relative to the "
        "current page's URL); null, empty or missing on the last page.",
    )


Pagination = Annotated[NoPagination | PageNumberPagination | NextLinkPagination, Field(discriminator="kind")]


class HttpJsonOptions(BaseModel):
    model_config = {"extra": "forbid"}

    url: str = Field(
        description="URL of the first page (http or https). Put no credentials in it: use the secret options."
    )
    method: Literal["GET", "POST"] = Field(default="GET", description="HTTP method of every page request.")
    params: dict[str, str | int | float | bool] = Field(
        default_factory=dict,
        description="Query parameters of the first request (and of every page request with "
        "page_number pagination; a next link is followed as given).",
    )
    body: Any = Field(default=None, description="JSON body sent with every POST request.")
    headers: dict[str, str] = Field(default_factory=dict, description="Extra request headers (not secret).")
    secret_headers: dict[str, str] = Field(
        default_factory=dict, description="Request headers that hold secrets, e.g. an API key header; stored encrypted."
    )
    bearer_token: str | None = Field(
        default=None, description="Sent as 'Authorization: Bearer <token>'; stored encrypted."
    )
    basic_username: str | None = Field(default=None, description="User name for HTTP basic authentication.")
    basic_password: str | None = Field(
        default=None, description="Password for HTTP basic authentication; stored encrypted."
    )
    records_path: str = Field(
        default="data",
        description="Dotted path to the list of records in each page, e.g. "
        "'data' or 'result.items'; '' when the page itself is "
        "the list.",
    )
    pagination: Pagination = Field(
        default_factory=NoPagination, description="How to reach the next page: none, page_number or next_link."
    )
    max_pages: int = Field(
        default=1000, ge=1, le=100_000, description="Safety bound: a fetch that needs more pages fails."
    )
    timeout_seconds: float = Field(
        default=30, gt=0, le=600, description="An answer (the whole page) slower than this is a transient fault."
    )
    verify_tls: bool = Field(
        default=True, description="Check the server's TLS certificate (turn off only for a test system)."
    )

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        value = value.strip()
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http:// or https:// URL")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> HttpJsonOptions:
        if (self.basic_username is None) != (self.basic_password is None):
            raise ValueError("basic_username and basic_password go together")
        if self.bearer_token is not None and self.basic_username is not None:
            raise ValueError("use either bearer_token or basic authentication, not both")
        if self.body is not None and self.method != "POST":
            raise ValueError("a body is only sent with method POST")
        return self
