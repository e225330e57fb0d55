"""Explicit parameter kinds for handlers (Litestar 3 drops inferred ones)."""

from __future__ import annotations

from litestar.di import NamedDependency
from litestar.params import FromPath

from core.context import Actor, AppContext

Ctx = NamedDependency[AppContext]
CurrentActor = NamedDependency[Actor]
LocalityCode = FromPath[str]
ItemId = FromPath[int]
PathStr = FromPath[str]
