"""The demo's cadres: a small synthetic set with planted relations (``plugins.cadres.synth``)."""

from __future__ import annotations


def load_demo(ctx, actor, locality_code: str) -> list[str] | None:
    return None
