"""Paper ballots waiting for their second entry (the ballots plugin's ``ballots/paper.py``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, LargeBinary
from sqlmodel import Field, SQLModel

from core.models.base import tz_datetime, utcnow


class PaperEntry(SQLModel, table=True):
    """The first entry of a paper ballot, when the locality asks for a double entry: it waits
    here until a second clerk enters the same slip. What it says is ``sealed`` exactly like a
    draft (AES-GCM under the campaign's ballot-box key, padded, bound to the account), so a
    reader of the database learns only that a clerk entered something for that code. At most
    one per account; deleted when the second entry matches (the ballot then goes through the
    ballot box like a phone's), when it differs, or when the campaign is no longer open."""

    __tablename__ = "paper_entries"
    __table_args__ = (Index("ix_paper_entries_campaign", "campaign_id"),)

    account_id: int = Field(
        sa_column=Column(Integer, ForeignKey("ballot_accounts.id", ondelete="CASCADE"), primary_key=True)
    )
    locality_id: int = Field(
        sa_column=Column(Integer, ForeignKey("localities.id", ondelete="RESTRICT"), nullable=False)
    )
    campaign_id: int = Field(sa_column=Column(Integer, ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False))
    clerk_id: int = Field(sa_column=Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False))
    sealed: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())
