"""Form helpers of the console's pages: validation errors of a pydantic model as messages per
field in the reader's language, and a query string that keeps a list's filters."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from pydantic import ValidationError

from core.i18n import Translator


def message(tr: Translator, text: str) -> str:
    """A validation message for the reader: pydantic's "Value error, " dropped, then translated."""
    return tr.translate(str(text).removeprefix("Value error, "))


def model_errors(tr: Translator, exc: ValidationError, prefix: str = "") -> dict[str, str]:
    """``{field: message}`` for the first error of each top-level field (``prefix`` dropped)."""
    found: dict[str, str] = {}
    for error in exc.errors():
        loc = [str(part) for part in error.get("loc", ())]
        if prefix and loc and loc[0] == prefix:
            loc = loc[1:]
        name = loc[0] if loc else ""
        found.setdefault(name, message(tr, error.get("msg", "")))
    return found


def keep(values: dict[str, Any]) -> str:
    """``?a=1&b=2&`` (only the filters that are set), to which a page link adds its own part."""
    kept = {k: v for k, v in values.items() if v not in (None, "")}
    return "?" + urlencode(kept) + ("&" if kept else "")


def to_int(value: Any) -> int | None:
    """A form's id: an integer in the database's range, else None."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None
