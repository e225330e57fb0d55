"""Organisation: units (a tree), leadership teams and their members, people."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, Date, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.models.base import tz_datetime, utcnow


def locality_fk() -> Column:
    return Column(Integer, ForeignKey("localities.id", ondelete="RESTRICT"), nullable=False)


class Unit(SQLModel, table=True):
    __tablename__ = "units"
    __table_args__ = (
        UniqueConstraint("locality_id", "code", name="uq_units_locality_code"),
        Index("ix_units_locality_parent", "locality_id", "parent_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(sa_column=locality_fk())
    code: str = Field(max_length=64)
    name: str = Field(max_length=200)
    type: str = Field(default="", max_length=50)
    parent_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("units.id", ondelete="RESTRICT")))
    duties: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    contact_name: str = Field(default="", max_length=100)
    contact_phone: str = Field(default="", max_length=50)
    created_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())
    updated_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())


class TeamType(StrEnum):
    """The kinds of leadership team (领导班子) an assessment office evaluates separately."""

    party_committee = "party_committee"  # 党委（党组）班子
    government = "government"  # 政府班子
    npc = "npc"  # 人大常委会班子
    cppcc = "cppcc"  # 政协班子
    township = "township"  # 乡镇（街道）领导班子
    department = "department"  # 部门领导班子
    enterprise = "enterprise"  # 国有企业领导班子
    other = "other"


TEAM_TYPE_LABELS = {
    "party_committee": ("党委（党组）班子", "Party committee"),
    "government": ("政府班子", "Government"),
    "npc": ("人大常委会班子", "People's congress standing committee"),
    "cppcc": ("政协班子", "CPPCC committee"),
    "township": ("乡镇（街道）领导班子", "Township or subdistrict"),
    "department": ("部门领导班子", "Department"),
    "enterprise": ("国有企业领导班子", "State-owned enterprise"),
    "other": ("其他", "Other"),
}


class Team(SQLModel, table=True):
    """A leadership team (领导班子) of a unit."""

    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("locality_id", "unit_id", "name", name="uq_teams_locality_unit_name"),)

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(sa_column=locality_fk())
    unit_id: int = Field(sa_column=Column(Integer, ForeignKey("units.id", ondelete="RESTRICT"), nullable=False))
    name: str = Field(max_length=200)
    type: str = Field(default=TeamType.other.value, max_length=20, sa_column_kwargs={"server_default": "other"})
    # 届满: the day the team's term ends, when known
    term_end: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())


class TeamMember(SQLModel, table=True):
    __tablename__ = "team_members"
    __table_args__ = (
        UniqueConstraint("team_id", "person_id", name="uq_team_members_team_person"),
        Index("ix_team_members_locality_person", "locality_id", "person_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(sa_column=locality_fk())
    team_id: int = Field(sa_column=Column(Integer, ForeignKey("teams.id", ondelete="CASCADE"), nullable=False))
    person_id: int = Field(sa_column=Column(Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False))
    post: str = Field(default="", max_length=50)  # 主要领导 / 分管领导
    in_charge_of: str = Field(default="", max_length=500)  # 分管工作
    admin_post: str = Field(default="", max_length=100, sa_column_kwargs={"server_default": ""})  # 行政职务
    phone: str = Field(default="", max_length=30, sa_column_kwargs={"server_default": ""})
    # 分管部门: ids of units of the same locality this member supervises
    supervised_unit_ids: list[int] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )


class Person(SQLModel, table=True):
    """A cadre or civil servant. The ID-card number is stored encrypted, plus a keyed digest to find duplicates."""

    __tablename__ = "people"
    __table_args__ = (
        Index("ix_people_locality_unit", "locality_id", "unit_id"),
        Index("ix_people_locality_id_card_digest", "locality_id", "id_card_digest"),
        # the console's people list: pages in id order (keyset) and names found by their beginning
        Index("ix_people_locality_id", "locality_id", "id"),
        Index("ix_people_locality_name", "locality_id", "name"),
        # the rank filter: the ranks held (a skip over the index) and the people of one rank
        Index("ix_people_locality_rank", "locality_id", "rank"),
        # the post filter: the posts held that contain a word (a skip over the index), their people
        Index("ix_people_locality_post", "locality_id", "post"),
        # sign-in by ID-card number (core/services/people_accounts.py) does not know the locality
        Index("ix_people_id_card_digest", "id_card_digest"),
    )

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(sa_column=locality_fk())
    unit_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("units.id", ondelete="RESTRICT")))
    name: str = Field(max_length=100)
    gender: str = Field(default="", max_length=10)
    birth_date: str = Field(default="", max_length=10)  # YYYY-MM or YYYY-MM-DD
    ethnicity: str = Field(default="", max_length=50)
    education: str = Field(default="", max_length=50)
    degree: str = Field(default="", max_length=50)
    school: str = Field(default="", max_length=200)
    native_place: str = Field(default="", max_length=100)
    party: str = Field(default="", max_length=50)
    post: str = Field(default="", max_length=200)
    rank: str = Field(default="", max_length=50)
    post_since: str = Field(default="", max_length=10)
    post_history: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    id_card_cipher: str | None = Field(default=None, max_length=255)
    id_card_digest: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())
    updated_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())
