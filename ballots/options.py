"""The ballots plugin's options per locality (set on the console's plugins page)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class BallotsOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    paper_double_entry: bool = Field(
        default=False,
        title="Paper ballots: double entry",
        description="A paper ballot counts only once a second clerk has entered the same slip and both entries match.",
    )
