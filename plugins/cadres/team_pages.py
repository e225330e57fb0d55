"""The cadre cloud's team pages: the relationship check and the team structure (to come)."""

from __future__ import annotations


def team_routes() -> list:
    return []
