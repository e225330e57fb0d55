from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator

from core.schemas.base import Code, Id, In, Name, Out, Short

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]
YearMonth = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^(\d{4}-\d{2}(-\d{2})?)?$")]
# Strings no longer than their database column (PostgreSQL refuses longer ones with an error).
Short10 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10)]
Short50 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)]
Short100 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]
Name100 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
# A row id: the id columns are 32-bit integers.

_ID_CARD_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CARD_CHECK = "10X98765432"


def check_id_card(value: str) -> str:
    """Validate an 18-character resident ID number (GB 11643), including its check character."""
    value = value.strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", value):
        raise ValueError("must be 18 characters: 17 digits and a digit or X")
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_CARD_WEIGHTS, strict=True))
    if _ID_CARD_CHECK[total % 11] != value[17]:
        raise ValueError("check character does not match (mistyped number?)")
    return value


class UnitIn(In):
    code: Code
    name: Name
    type: Short50 = ""
    parent_id: Id | None = None
    duties: Text = ""
    contact_name: Short100 = ""
    contact_phone: Short50 = ""


class UnitPatch(In):
    code: Code | None = None
    name: Name | None = None
    type: Short50 | None = None
    parent_id: Id | None = None
    duties: Text | None = None
    contact_name: Short100 | None = None
    contact_phone: Short50 | None = None


class UnitOut(Out):
    id: int
    code: str
    name: str
    type: str
    parent_id: int | None
    duties: str
    contact_name: str
    contact_phone: str


TeamTypeName = Literal[
    "party_committee", "government", "npc", "cppcc", "township", "department", "enterprise", "other"
]  # core.models.org.TeamType
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=30)]


class TeamMemberIn(In):
    """A member of a leadership team: ``post`` the team post (班子职务, e.g. 书记, 副县长),
    ``admin_post`` the administrative post (行政职务), ``in_charge_of`` what the member is in charge
    of (分管工作), ``supervised_unit_ids`` the units of the locality the member supervises (分管部门)."""

    person_id: Id
    post: Short50 = ""
    admin_post: Short100 = ""
    in_charge_of: Short = ""
    supervised_unit_ids: list[Id] = Field(default_factory=list, max_length=100)
    phone: Phone = ""


# The end of a team's term (届满), when known: a day between 1950 and 2100.
TermEnd = Annotated[
    date,
    Field(
        ge=date(1950, 1, 1),
        le=date(2100, 12, 31),
        description="The day the team's term ends (届满), when known; null when not",
    ),
]


class TeamIn(In):
    unit_id: Id
    name: Name
    type: TeamTypeName = "other"
    term_end: TermEnd | None = None
    members: list[TeamMemberIn] = Field(default_factory=list, max_length=200)


class TeamPatch(In):
    unit_id: Id | None = None
    name: Name | None = None
    type: TeamTypeName | None = None
    term_end: TermEnd | None = None  # null clears it
    members: list[TeamMemberIn] | None = Field(default=None, max_length=200)


class TeamMemberOut(Out):
    person_id: int
    name: str
    post: str
    admin_post: str
    in_charge_of: str
    supervised_unit_ids: list[int]
    phone: str


class TeamOut(Out):
    id: int
    unit_id: int
    name: str
    type: str
    term_end: date | None = None
    members: list[TeamMemberOut]


class PostHistoryItem(In):
    post: Short
    unit: Short = ""
    start: YearMonth = ""
    end: YearMonth = ""


class PersonFields(In):
    gender: Short10 = ""
    birth_date: YearMonth = ""
    ethnicity: Short50 = ""
    education: Short50 = ""
    degree: Short50 = ""
    school: Short = ""
    native_place: Short100 = ""
    party: Short50 = ""
    post: Short = ""
    rank: Short50 = ""
    post_since: YearMonth = ""
    post_history: list[PostHistoryItem] = Field(default_factory=list, max_length=100)


class PersonIn(PersonFields):
    name: Name100
    unit_id: Id | None = None
    id_card: str | None = None

    @field_validator("id_card")
    @classmethod
    def _id_card(cls, value: str | None) -> str | None:
        return check_id_card(value) if value else None


class PersonPatch(In):
    name: Name100 | None = None
    unit_id: Id | None = None
    id_card: str | None = None
    gender: Short10 | None = None
    birth_date: YearMonth | None = None
    ethnicity: Short50 | None = None
    education: Short50 | None = None
    degree: Short50 | None = None
    school: Short | None = None
    native_place: Short100 | None = None
    party: Short50 | None = None
    post: Short | None = None
    rank: Short50 | None = None
    post_since: YearMonth | None = None
    post_history: list[PostHistoryItem] | None = Field(default=None, max_length=100)

    @field_validator("id_card")
    @classmethod
    def _id_card(cls, value: str | None) -> str | None:
        return check_id_card(value) if value else value


class PersonOut(Out):
    id: int
    name: str
    unit_id: int | None
    gender: str
    birth_date: str
    ethnicity: str
    education: str
    degree: str
    school: str
    native_place: str
    party: str
    post: str
    rank: str
    post_since: str
    post_history: list[dict]
    id_card_masked: str | None


SubjectKindLiteral = Literal["unit", "team", "person"]


class SubjectIn(In):
    name: Name
    kind: SubjectKindLiteral
    ref_id: Id | None = None
    category: Name100


class SubjectPatch(In):
    name: Name | None = None
    category: Name100 | None = None


class SubjectOut(Out):
    id: int
    name: str
    kind: str
    ref_id: int | None
    category: str
