"""The cadre cloud's tables (干部云): a profile extending a core person, and the sections of a
cadre's record — posts, education, military service, family and social relations, training,
rewards and punishments, annual assessment grades, expertise tags — plus who looked at what
(the view log) and saved searches.

Every table leads with ``locality_id``; rows of a deleted person go with it (CASCADE). Dates of
a record are calendar dates (a month-only date such as ``1984.09`` is stored as its first day).
The profile also holds a few columns derived from the sections (highest education, degree,
training hours): ``service.refresh_profile`` rewrites them whenever a section changes, so the
condition search reads one row per person instead of aggregating."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, Column, Date, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.models.base import tz_datetime, utcnow
from plugins.cadres.posts import MAX_KIND, listen


class EducationKind(StrEnum):
    full_time = "full_time"  # 全日制教育
    in_service = "in_service"  # 在职教育


# Education levels, lowest first; the number is what the search compares (``level_rank``).
EDUCATION_LEVELS: dict[str, int] = {
    "初中": 1,
    "高中": 2,
    "中专": 2,
    "大专": 3,
    "本科": 4,
    "硕士研究生": 5,
    "研究生": 5,
    "博士研究生": 6,
}
# Degrees, lowest first (``degree_rank``).
DEGREES: dict[str, int] = {"学士": 1, "硕士": 2, "博士": 3}


class ViewAction(StrEnum):
    profile = "profile"  # read a profile
    search = "search"  # ran a condition search
    relations = "relations"  # ran a relationship check or a team's structure
    export = "export"  # exported search results
    dossier = "dossier"  # downloaded a dossier file (档案材料)
    form = "form"  # printed or exported a profile's 任免审批表


def _fk(table: str, ondelete: str = "CASCADE", nullable: bool = False) -> Column:
    return Column(Integer, ForeignKey(f"{table}.id", ondelete=ondelete), nullable=nullable)


def _date(nullable: bool = True) -> Column:
    return Column(Date, nullable=nullable)


class CadreProfile(SQLModel, table=True):
    """What a cadre's record adds to the core person (one row per person).

    ``native_code`` / ``birthplace_code``: GB/T 2260 division codes (6 digits: the county is the
    whole code, its city the first 4, its province the first 2), with names as written. The
    ``*_rank`` and ``training_hours`` columns are derived (see the module)."""

    __tablename__ = "cadre_profiles"
    __table_args__ = (
        UniqueConstraint("person_id", name="uq_cadre_profiles_person"),
        Index("ix_cadre_profiles_locality_native", "locality_id", "native_code"),
        Index("ix_cadre_profiles_locality_edu", "locality_id", "edu_rank_any"),
    )

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(sa_column=_fk("localities", "RESTRICT"))
    person_id: int = Field(sa_column=_fk("people"))
    native_code: str = Field(default="", max_length=6)  # 籍贯
    native_name: str = Field(default="", max_length=100)
    birthplace_code: str = Field(default="", max_length=6)  # 出生地
    birthplace_name: str = Field(default="", max_length=100)
    party_joined: date | None = Field(default=None, sa_column=_date())  # 入党时间
    work_started: date | None = Field(default=None, sa_column=_date())  # 参加工作时间
    rank_since: date | None = Field(default=None, sa_column=_date())  # 任现职级时间
    resume: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))  # 简历, as written
    # derived
    edu_rank_any: int = 0  # highest EDUCATION_LEVELS of any education
    edu_rank_full_time: int = 0  # highest of full-time education
    degree_rank: int = 0  # highest DEGREES
    training_hours: int = 0
    updated_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())


class PostRecord(SQLModel, table=True):
    """A post held (任职经历): ``end`` empty while held."""

    __tablename__ = "cadre_posts"
    __table_args__ = (
        Index("ix_cadre_posts_person", "person_id", "start"),
        Index("ix_cadre_posts_locality_unit", "locality_id", "unit_name"),
        Index("ix_cadre_posts_locality_kind", "locality_id", "post_kind", "person_id", "start", "end"),
    )

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(sa_column=_fk("localities", "RESTRICT"))
    person_id: int = Field(sa_column=_fk("people"))
    unit_name: str = Field(max_length=200)
    unit_id: int | None = Field(default=None, sa_column=_fk("units", "SET NULL", nullable=True))
    post: str = Field(max_length=200)
    rank: str = Field(default="", max_length=50)
    start: date = Field(sa_column=_date(False))
    end: date | None = Field(default=None, sa_column=_date())
    principal: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, default=False))  # 正职
    # derived from unit_name and post when written (plugins.cadres.posts): what the search indexes
    post_kind: str = Field(default="", max_length=MAX_KIND)


listen(PostRecord)


class EducationRecord(SQLModel, table=True):
    """An education (学历学位): full-time or in-service."""

    __tablename__ = "cadre_education"
    __table_args__ = (
        Index("ix_cadre_education_person", "person_id"),
        Index("ix_cadre_education_locality_school", "locality_id", "school"),
    )

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(sa_column=_fk("localities", "RESTRICT"))
    person_id: int = Field(sa_column=_fk("people"))
    kind: str = Field(default=EducationKind.full_time.value, max_length=16)
    school: str = Field(max_length=200)
    department: str = Field(default="", max_length=200)  # 院系
    major: str = Field(default="", max_length=200)
    class_name: str = Field(default="", max_length=100)  # 班级, if known
    level: str = Field(default="", max_length=20)  # one of EDUCATION_LEVELS
    degree: str = Field(default="", max_length=20)  # one of DEGREES, or empty
    start: date | None = Field(default=None, sa_column=_date())
    end: date | None = Field(default=None, sa_column=_date())


class MilitaryRecord(SQLModel, table=True):
    """Military service (服役经历): the unit's designation (部队番号) and the span."""

    __tablename__ = "cadre_military"
    __table_args__ = (
        Index("ix_cadre_military_locality_unit", "locality_id", "unit_designation"),
        Index("ix_cadre_military_person", "person_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(sa_column=_fk("localities", "RESTRICT"))
    person_id: int = Field(sa_column=_fk("people"))
    unit_designation: str = Field(max_length=200)
    start: date = Field(sa_column=_date(False))
    end: date | None = Field(default=None, sa_column=_date())


class FamilyRelation(SQLModel, table=True):
    """A family member or important social relation as declared (家庭成员及重要社会关系).

    The ID-card number, when known, is stored encrypted plus a keyed digest (as for people), so
    a relation is matched without decrypting."""

    __tablename__ = "cadre_relations"
    __table_args__ = (
        Index("ix_cadre_relations_person", "person_id"),
        Index("ix_cadre_relations_locality_digest", "locality_id", "id_card_digest"),
        Index("ix_cadre_relations_locality_name", "locality_id", "name"),
    )

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(sa_column=_fk("localities", "RESTRICT"))
    person_id: int = Field(sa_column=_fk("people"))
    relation: str = Field(max_length=50)  # 称谓: 父亲, 配偶, 表兄 ...
    name: str = Field(max_length=100)
    birth: date | None = Field(default=None, sa_column=_date())
    id_card_cipher: str | None = Field(default=None, max_length=255)
    id_card_digest: str | None = Field(default=None, max_length=64)
    unit_post: str = Field(default="", max_length=300)  # 工作单位及职务
    party: str = Field(default="", max_length=50)


class TrainingRecord(SQLModel, table=True):
    __tablename__ = "cadre_trainings"
    __table_args__ = (Index("ix_cadre_trainings_person", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(sa_column=_fk("localities", "RESTRICT"))
    person_id: int = Field(sa_column=_fk("people"))
    course: str = Field(max_length=200)
    organiser: str = Field(default="", max_length=200)
    hours: int = 0
    start: date | None = Field(default=None, sa_column=_date())
    end: date | None = Field(default=None, sa_column=_date())


class RewardRecord(SQLModel, table=True):
    """A reward (奖励) or a punishment (惩处)."""

    __tablename__ = "cadre_rewards"
    __table_args__ = (Index("ix_cadre_rewards_person", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(sa_column=_fk("localities", "RESTRICT"))
    person_id: int = Field(sa_column=_fk("people"))
    kind: str = Field(default="reward", max_length=16)  # reward | punishment
    title: str = Field(max_length=300)
    issuer: str = Field(default="", max_length=200)
    on: date | None = Field(default=None, sa_column=_date())


class GradeSource(StrEnum):
    entered = ""  # written on the profile or imported
    kaoping = "kaoping"  # a published campaign's result of Kaoping itself (``grades.sync_kaoping_grades``)


class AnnualGrade(SQLModel, table=True):
    """An annual assessment grade (年度考核: 优秀/称职/基本称职/不称职): one per person, year and
    ``source`` (entered, or taken from a published campaign of Kaoping: ``campaign_id``)."""

    __tablename__ = "cadre_annual_grades"
    __table_args__ = (
        UniqueConstraint("person_id", "year", "source", name="uq_cadre_annual_grades_person_year_source"),
        Index("ix_cadre_annual_grades_locality_year_grade", "locality_id", "year", "grade"),
        # the search's "grade in the last N years": the holders of one grade (plugins.cadres.search)
        Index("ix_cadre_annual_grades_locality_grade_year", "locality_id", "grade", "year", "person_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(sa_column=_fk("localities", "RESTRICT"))
    person_id: int = Field(sa_column=_fk("people"))
    year: int
    grade: str = Field(max_length=20)
    source: str = Field(default=GradeSource.entered.value, max_length=16, sa_column_kwargs={"server_default": ""})
    campaign_id: int | None = Field(default=None, sa_column=_fk("campaigns", "CASCADE", nullable=True))


class ExpertiseTag(SQLModel, table=True):
    """An expertise tag (专业特长: 经济, 党建, 农业 ...)."""

    __tablename__ = "cadre_tags"
    __table_args__ = (
        UniqueConstraint("person_id", "tag", name="uq_cadre_tags_person_tag"),
        Index("ix_cadre_tags_locality_tag", "locality_id", "tag", "person_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(sa_column=_fk("localities", "RESTRICT"))
    person_id: int = Field(sa_column=_fk("people"))
    tag: str = Field(max_length=50)


class ViewLog(SQLModel, table=True):
    """Someone of the organisation department looked: a profile, a search, a relationship check
    (who, when, whom: ``person_ids``; for a search, its conditions in ``detail``)."""

    __tablename__ = "cadre_view_log"
    __table_args__ = (Index("ix_cadre_view_log_locality_at", "locality_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(sa_column=_fk("localities", "RESTRICT"))
    user_id: int | None = Field(default=None, sa_column=_fk("users", "SET NULL", nullable=True))
    username: str = Field(max_length=100)
    action: str = Field(max_length=16)
    person_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())


class SavedQuery(SQLModel, table=True):
    """A condition search kept under a name, for the locality's organisation department."""

    __tablename__ = "cadre_saved_queries"
    __table_args__ = (UniqueConstraint("locality_id", "name", name="uq_cadre_saved_queries_locality_name"),)

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(sa_column=_fk("localities", "RESTRICT"))
    name: str = Field(max_length=100)
    query: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict))
    created_by: str = Field(default="", max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())


class NegativeKind(StrEnum):
    discipline = "discipline"  # 纪检监察: a disciplinary case or sanction
    audit = "audit"  # 审计: an audit finding
    complaint = "complaint"  # 信访举报: a complaint or petition
    other = "other"


class NegativeRecord(SQLModel, table=True):
    """A negative-information record about a cadre (负面信息), pulled in by an adapter source
    whose mapping targets ``cadres.negative`` (``negative.NegativeTarget``): ``source`` is that
    adapter source's name, ``external_id`` the record's own id there (a record read again by a
    later run updates its row instead of adding one)."""

    __tablename__ = "cadre_negative_records"
    __table_args__ = (
        UniqueConstraint("locality_id", "source", "external_id", name="uq_cadre_negative_records_source_external"),
        Index("ix_cadre_negative_records_person", "person_id", "on"),
        Index("ix_cadre_negative_records_locality_created", "locality_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(sa_column=_fk("localities", "RESTRICT"))
    person_id: int = Field(sa_column=_fk("people"))
    kind: str = Field(default=NegativeKind.other.value, max_length=16)
    source: str = Field(max_length=100)
    external_id: str = Field(max_length=100)
    title: str = Field(max_length=300)
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    on: date | None = Field(default=None, sa_column=_date())
    run_id: int | None = Field(default=None, sa_column=_fk("adapter_runs", "SET NULL", nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())


class WarningKind(StrEnum):
    goals = "goals"  # goals behind or overdue (a plugin's ``kaoping_person_warnings``)
    scores = "scores"  # a published campaign's score below the one before
    negative = "negative"  # a negative-information record


class CadreWarning(SQLModel, table=True):
    """A warning about a cadre (预警), raised once per ``key`` (what it is about: a record, a
    pair of campaigns, a year's goals) and sent to the cadre's supervising leaders and the
    organisation department when raised. ``source`` says where it came from (an adapter
    source's name, a campaign, a plugin); ``message_id`` and ``params`` say what, translated
    when shown."""

    __tablename__ = "cadre_warnings"
    __table_args__ = (
        UniqueConstraint("locality_id", "person_id", "key", name="uq_cadre_warnings_person_key"),
        Index("ix_cadre_warnings_locality_created", "locality_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    locality_id: int = Field(sa_column=_fk("localities", "RESTRICT"))
    person_id: int = Field(sa_column=_fk("people"))
    kind: str = Field(max_length=16)
    key: str = Field(max_length=200)
    source: str = Field(max_length=200)
    message_id: str = Field(max_length=500)
    params: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict))
    notified: int = 0  # how many users were told
    created_at: datetime = Field(default_factory=utcnow, sa_type=tz_datetime())
