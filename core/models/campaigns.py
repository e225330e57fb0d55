"""Ballot campaigns (测评任务), their evaluator categories and one-time accounts."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Text,
    UniqueConstraint,
    false,
)
from sqlmodel import Field, SQLModel

from core.models.base import tz_datetime, utcnow


class CampaignStatus(StrEnum):
    draft = "draft"
    open = "open"
    closed = "closed"
    tallied = "tallied"
    published = "published"


class AccountStatus(StrEnum):
    issued = "issued"
    logged_in = "logged_in"
    draft = "draft"
    submitted = "submitted"
    revoked = "revoked"


def _locality() -> Column:
    return Column(Integer, ForeignKey("localities.id", ondelete="RESTRICT"), nullable=False)


class Campaign(SQLModel, table=True):
    __tablename__ = "campaigns"
    __table_args__ = (Index("ix_campaigns_locality", "locality_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(sa_column=_locality())
    name: str = Field(max_length=200)
    kind: str = Field(max_length=50)
    status: str = Field(default=CampaignStatus.draft, max_length=16)
    opens_at: datetime | None = Field(default=None, sa_type=tz_datetime())
    closes_at: datetime | None = Field(default=None, sa_type=tz_datetime())
    # The assessment period, canonical (core.periods: "2026", "2026-Q4", "2026-03"), or "" for
    # none: the indicator values of this period count in the tally.
    period: str = Field(default="", max_length=20)
    scoring: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    distribution: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # What produced the stored results: {rule, options, policies, tallied_at}.
    tally: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Evaluators may open, from the ballot, what feature plugins tell about each subject
    # (duties, goals, work records: hook kaoping_subject_panels).
    subject_panels: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    created_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())


class CampaignSubject(SQLModel, table=True):
    __tablename__ = "campaign_subjects"
    __table_args__ = (Index("ix_campaign_subjects_locality_campaign", "locality_id", "campaign_id"),)

    campaign_id: int = Field(
        sa_column=Column(Integer, ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    )
    subject_id: int = Field(sa_column=Column(Integer, ForeignKey("subjects.id", ondelete="RESTRICT"), primary_key=True))
    locality_id: int = Field(sa_column=_locality())


class CampaignCategory(SQLModel, table=True):
    """An evaluator category (测评主体分类) with its weight, template and subject categories."""

    __tablename__ = "campaign_categories"
    __table_args__ = (
        UniqueConstraint("campaign_id", "name", name="uq_campaign_categories_campaign_name"),
        Index("ix_campaign_categories_locality_campaign", "locality_id", "campaign_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(sa_column=_locality())
    campaign_id: int = Field(sa_column=Column(Integer, ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False))
    position: int = 0
    name: str = Field(max_length=100)
    weight: float = Field(default=1.0, sa_column=Column(Float, nullable=False, default=1.0))
    template_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("indicator_templates.id", ondelete="RESTRICT"))
    )
    # Subject categories this evaluator category rates; empty means all of the campaign's subjects.
    subject_categories: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class BallotAccount(SQLModel, table=True):
    """A one-time account. Only the HMAC of its code is stored; it is never linked to a ballot.

    ``receipt`` (set when the account votes) is an HMAC of the ballot's content under a key that
    only the evaluator's ballot session holds (``Keyring.receipt``), so a retried submission of the
    same ballot can be recognised; without that session nobody, the secret key's holder included,
    can tell which ballot it belongs to."""

    __tablename__ = "ballot_accounts"
    __table_args__ = (Index("ix_ballot_accounts_locality_campaign", "locality_id", "campaign_id", "category_id"),)

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(sa_column=_locality())
    campaign_id: int = Field(sa_column=Column(Integer, ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False))
    category_id: int = Field(
        sa_column=Column(Integer, ForeignKey("campaign_categories.id", ondelete="CASCADE"), nullable=False)
    )
    code_hash: str = Field(max_length=64, unique=True, index=True)
    status: str = Field(default=AccountStatus.issued, max_length=16)
    batch: int = 1
    replaces_id: int | None = None
    receipt: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())


class SlipBatch(SQLModel, table=True):
    """The plaintext codes of one issuing call, encrypted, held for a while so the slips can be
    printed (and re-printed after a paper jam). Deleted when it expires."""

    __tablename__ = "slip_batches"
    __table_args__ = (UniqueConstraint("campaign_id", "number", name="uq_slip_batches_campaign_number"),)

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(sa_column=_locality())
    campaign_id: int = Field(sa_column=Column(Integer, ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False))
    number: int
    codes_cipher: str | None = Field(default=None, sa_column=Column(Text))
    expires_at: datetime = Field(sa_type=tz_datetime())
    created_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())


class BallotDraft(SQLModel, table=True):
    """An evaluator's unfinished ballot. Its items and comment are ``sealed`` (AES-GCM under the
    campaign's ballot-box key, see ``core.services.ballot_box``): a draft is usually the ballot
    that will be cast, and it belongs to an account. ``items`` and ``comment`` hold only drafts
    saved before sealing existed (read, never written)."""

    __tablename__ = "ballot_drafts"

    account_id: int = Field(
        sa_column=Column(Integer, ForeignKey("ballot_accounts.id", ondelete="CASCADE"), primary_key=True)
    )
    locality_id: int = Field(sa_column=_locality())
    campaign_id: int = Field(sa_column=Column(Integer, ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False))
    items: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    comment: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    sealed: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())


class StagedBallot(SQLModel, table=True):
    """A cast ballot waiting in the ballot box (投票箱) until its campaign closes.

    The submitting transaction claims the account and writes this row, so both carry the same
    transaction id and sit side by side: everything about the ballot is therefore sealed with
    AES-GCM under a key derived from the secret key and the campaign (not in the database).
    ``head`` holds the category and validity (read for turnout while open), ``body`` the items,
    comment and reason, padded to one length per category. At close the rows are moved into
    ``ballots`` in random order with new ids and deleted
    (``core.services.ballot_box.move_staged``)."""

    __tablename__ = "ballot_staging"
    __table_args__ = (Index("ix_ballot_staging_locality_campaign", "locality_id", "campaign_id"),)

    id: str = Field(primary_key=True, max_length=32)
    locality_id: int = Field(sa_column=_locality())
    campaign_id: int = Field(sa_column=Column(Integer, ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False))
    head: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    body: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class Ballot(SQLModel, table=True):
    """A cast ballot: a random id, no account, no time of its own (anonymous). Written only when
    its campaign closes, from the ballot box, in random order (``StagedBallot``).

    ``grades`` holds its items packed, one byte per position of its category's item order
    (``BallotPosition``): the grade index + 1, 0 for an item it did not rate
    (``core.services.ballot_grades``)."""

    __tablename__ = "ballots"
    __table_args__ = (Index("ix_ballots_locality_campaign", "locality_id", "campaign_id", "category_id"),)

    id: str = Field(primary_key=True, max_length=32)
    locality_id: int = Field(sa_column=_locality())
    campaign_id: int = Field(sa_column=Column(Integer, ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False))
    category_id: int = Field(
        sa_column=Column(Integer, ForeignKey("campaign_categories.id", ondelete="CASCADE"), nullable=False)
    )
    valid: bool = True
    reason: str = Field(default="", max_length=500)
    comment: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    grades: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class BallotPosition(SQLModel, table=True):
    """One position of the frozen item order of a campaign's evaluator category: byte
    ``position`` of a ballot's ``grades`` grades ``subject_id`` on ``indicator_id``. Written
    when the category's first ballot leaves the ballot box, never reordered
    (``core.services.ballot_grades``)."""

    __tablename__ = "ballot_positions"

    campaign_id: int = Field(
        sa_column=Column(Integer, ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    )
    category_id: int = Field(
        sa_column=Column(Integer, ForeignKey("campaign_categories.id", ondelete="CASCADE"), primary_key=True)
    )
    position: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    locality_id: int = Field(sa_column=_locality())
    subject_id: int = Field(sa_column=Column(Integer, nullable=False))  # by id only, as ballots name subjects
    indicator_id: int = Field(sa_column=Column(Integer, nullable=False))


class CampaignResult(SQLModel, table=True):
    """One subject's tallied result, as the scoring rule and distribution policies left it,
    plus the office's final grade."""

    __tablename__ = "campaign_results"
    __table_args__ = (Index("ix_campaign_results_locality_campaign", "locality_id", "campaign_id"),)

    campaign_id: int = Field(
        sa_column=Column(Integer, ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    )
    subject_id: int = Field(sa_column=Column(Integer, ForeignKey("subjects.id", ondelete="RESTRICT"), primary_key=True))
    locality_id: int = Field(sa_column=_locality())
    score: float | None = Field(default=None, sa_column=Column(Float))
    rank: int | None = None
    proposed_grade: str | None = Field(default=None, max_length=20)
    grade: str | None = Field(default=None, max_length=20)
    flags: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    by_category: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    by_indicator: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Adjustment(SQLModel, table=True):
    """The office changed a proposed grade, with its reason (audited too)."""

    __tablename__ = "campaign_adjustments"
    __table_args__ = (Index("ix_campaign_adjustments_locality_campaign", "locality_id", "campaign_id"),)

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(sa_column=_locality())
    campaign_id: int = Field(sa_column=Column(Integer, ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False))
    subject_id: int = Field(sa_column=Column(Integer, ForeignKey("subjects.id", ondelete="RESTRICT"), nullable=False))
    from_grade: str | None = Field(default=None, max_length=20)
    grade: str = Field(max_length=20)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    actor: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())
