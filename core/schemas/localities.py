from __future__ import annotations

from core.schemas.base import Code, In, Name, Out


class LocalityIn(In):
    code: Code
    name: Name
    parent_code: Code | None = None


class LocalityOut(Out):
    id: int
    code: str
    name: str
    parent_code: str | None
