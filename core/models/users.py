from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from core.models.base import tz_datetime, utcnow


class Role(StrEnum):
    platform_admin = "platform_admin"
    office = "office"
    unit_admin = "unit_admin"
    leader = "leader"
    cadre = "cadre"
    # 考核小组: reads the campaigns it is assigned (core/services/assessment.py), changes nothing
    assessment_group = "assessment_group"
    # 组织部: reads cadre profiles, searches and checks relations (the cadres plugin); the head
    # (部长) also reads who looked at what
    org_dept = "org_dept"
    org_dept_head = "org_dept_head"
    # 社会公众: a member of the public with an account; where a locality allows it, follows and
    # comments on units' published work (the goals plugin), sees nothing else
    public = "public"


class User(SQLModel, table=True):
    __tablename__ = "users"
    # a person has at most one account in a locality (people's accounts, core/services/people_accounts.py)
    __table_args__ = (
        UniqueConstraint("locality_id", "person_id", name="uq_users_locality_person"),
        # the people's accounts page counts them from this index alone
        Index("ix_users_locality_person_state", "locality_id", "person_id", "activated_at", "is_active"),
    )

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=100, unique=True, index=True)
    password_hash: str = Field(max_length=255)
    role: str = Field(max_length=32)
    locality_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("localities.id", ondelete="RESTRICT"), index=True)
    )
    unit_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("units.id", ondelete="RESTRICT")))
    is_active: bool = True
    # Granted by a platform admin: may also read (never change) the localities under its own.
    reads_child_localities: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    # A person's own account (role cadre or leader): the person it belongs to, and when its owner
    # set a password with an activation code (None: not yet activated, no password can sign in).
    person_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("people.id", ondelete="RESTRICT", name="fk_users_person_id_people"), nullable=True
        ),
    )
    activated_at: datetime | None = Field(default=None, sa_type=tz_datetime())
    created_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())


class AuthToken(SQLModel, table=True):
    """A bearer token (kind ``api``) or a browser session (kind ``session``).

    Only a keyed hash of the token is stored.
    """

    __tablename__ = "auth_tokens"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    kind: str = Field(max_length=16)
    name: str = Field(default="", max_length=100)
    csrf_token: str = Field(default="", max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())
    expires_at: datetime | None = Field(default=None, sa_type=tz_datetime())


class LoginFailureCount(SQLModel, table=True):
    """Failed sign-ins under one key (a client network, a user name at a network, the whole
    platform's ballot logins) in one minute (``bucket``: minutes since 1970). A key's count is
    the sum of its buckets of the last 15 minutes, so a check reads at most 15 rows per key
    however many failures there were. Shared by every app instance; see core/services/throttle.py."""

    __tablename__ = "login_failure_counts"

    key: str = Field(max_length=200, primary_key=True)
    bucket: int = Field(sa_type=BigInteger, primary_key=True, index=True)
    failures: int = Field(default=0)
