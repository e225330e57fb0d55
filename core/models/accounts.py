"""People's accounts: one-time activation codes and the batches that hold them for printing.

A person's account is a ``User`` with ``person_id`` set (role ``cadre``, or ``leader`` for a
member of a leadership team). Until it is activated it has no usable password
(``User.activated_at`` is None); its owner sets one with an activation code.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, Text
from sqlmodel import Field, SQLModel

from core.models.base import tz_datetime, utcnow


class ActivationCode(SQLModel, table=True):
    """A user's one live activation code. Only a keyed hash of the code is stored
    (``Keyring.token_hash`` of ``"activation:" + code``); it is deleted when used or replaced."""

    __tablename__ = "activation_codes"
    __table_args__ = (Index("ix_activation_codes_locality_batch", "locality_id", "batch_id"),)

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(
        sa_column=Column(Integer, ForeignKey("localities.id", ondelete="RESTRICT"), nullable=False)
    )
    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, unique=True)
    )
    code_hash: str = Field(max_length=64, unique=True, index=True)
    batch_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("activation_batches.id", ondelete="SET NULL"))
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())


class ActivationBatch(SQLModel, table=True):
    """The plaintext codes of one issuing call, encrypted (``Keyring.encrypt`` of a JSON list),
    held until ``expires_at`` so the office can download the slips (PDF) and the list (.xlsx).
    ``codes_cipher`` is emptied when the batch expires or is discarded."""

    __tablename__ = "activation_batches"
    __table_args__ = (Index("ix_activation_batches_locality_id", "locality_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(
        sa_column=Column(Integer, ForeignKey("localities.id", ondelete="RESTRICT"), nullable=False)
    )
    unit_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("units.id", ondelete="SET NULL")))
    with_sub_units: bool = True
    count: int = 0
    created_by: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("users.id", ondelete="SET NULL")))
    codes_cipher: str | None = Field(default=None, sa_column=Column(Text))
    expires_at: datetime = Field(sa_type=tz_datetime())
    created_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())


class PeopleAccountCounts(SQLModel, table=True):
    """How far a locality's people's accounts are, kept by the services that change them
    (``core.services.account_counts``) so the people's accounts page reads one row instead of
    counting 100,000 accounts and codes: ``accounts`` (users with a person), ``activated``,
    ``waiting`` (their live activation codes), ``revoked`` (may not sign in)."""

    __tablename__ = "people_account_counts"

    locality_id: int = Field(
        sa_column=Column(Integer, ForeignKey("localities.id", ondelete="CASCADE"), primary_key=True)
    )
    accounts: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    activated: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    waiting: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    revoked: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
