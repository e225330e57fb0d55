"""A locality's rules of the relationship check (``RelationOptions``) and of team structure
(``StructureOptions``): the nested options of the cadre cloud (``CadresOptions.relations`` and
``.structure``), edited on the locality's plugins page as fieldsets of their own fields.

Every field has its own English title and description, shown as the form's labels and help and
translated by ``locales/zh_CN/LC_MESSAGES/cadres_rules.po`` (pydantic's title of a field name,
"Hometown City", is not a label anyone should read)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Strength = Literal["strong", "weak"]


class RelationOptions(BaseModel):
    """A locality's rules of the relationship check (the plugin's options). A strength set to
    None does not report that case."""

    model_config = ConfigDict(extra="forbid")

    kinds: list[str] = Field(
        default=["classmate", "fellow_townsman", "colleague", "comrade", "relative"],
        title="Relation kinds checked",
        description="The relation kinds checked, by name (a plugin's kinds too).",
    )
    classmate_same_class: Strength | None = Field(default="strong", title="Classmates: same school and class")
    classmate_same_department: Strength | None = Field(default="strong", title="Classmates: same school and department")
    classmate_same_school: Strength | None = Field(
        default="weak",
        title="Classmates: same school only",
        description="Same school, overlapping years, department and class not the same or not known.",
    )
    classmate_years_unknown: Strength | None = Field(
        default="weak",
        title="Classmates: same school, years not known",
        description="Same school where either person's years there are not known.",
    )
    classmate_in_service: bool = Field(
        default=True,
        title="Classmates: in-service study counts",
        description="In-service study (在职教育, 党校) counts too.",
    )
    classmate_min_overlap_months: int = Field(default=1, ge=0, title="Classmates: months of overlap at least")
    hometown_county: Strength | None = Field(default="strong", title="Same hometown: same native county")
    hometown_city: Strength | None = Field(default="weak", title="Same hometown: same city, another county")
    hometown_province: Strength | None = Field(default=None, title="Same hometown: same province, another city")
    hometown_birthplace: bool = Field(
        default=False,
        title="Same hometown: birthplaces too",
        description="Compare birthplaces as well as native places.",
    )
    colleague_min_overlap_months: int = Field(default=1, ge=0, title="Colleagues: months of overlap at least")
    colleague_strong_months: int = Field(
        default=12,
        ge=0,
        title="Colleagues: months of overlap for strong",
        description="An overlap this long or longer is strong.",
    )
    comrade: Strength | None = Field(default="strong", title="Comrades-in-arms: same military unit")
    comrade_min_overlap_months: int = Field(default=1, ge=0, title="Comrades-in-arms: months of overlap at least")
    relative_by_id_number: Strength | None = Field(default="strong", title="Relatives: matched by ID number")
    relative_by_name_and_birth: Strength | None = Field(
        default="strong", title="Relatives: matched by name and birth month"
    )
    relative_shared: Strength | None = Field(
        default="weak",
        title="Relatives: one declared relative in common",
        description="Both declare one and the same person (by ID number, or name and birth month).",
    )
    kind_options: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        title="Options of other plugins' kinds",
        description="Options of kinds added by other plugins, by kind name.",
    )


class StructureOptions(BaseModel):
    """A locality's team structure rules (the plugin's options). Rules that apply only to teams
    of some levels name them (``county``, ``township``...); an empty list means every team."""

    model_config = ConfigDict(extra="forbid")

    age_bands: list[int] = Field(
        default=[35, 40, 45, 50, 55], title="Age band limits (years)", description="Band limits in years."
    )
    young_age: int = Field(default=40, title="Young means under this age", description="'Young' means under this age.")
    min_young: int = Field(default=1, ge=0, title="Young members at least")
    young_levels: list[str] = Field(
        default=["county"],
        title="Team levels of the young-member rule",
        description="Team levels where the young-member rule applies.",
    )
    max_average_age: float | None = Field(
        default=None, title="Highest average age", description="Average age above this is yellow."
    )
    min_women: int = Field(default=1, ge=0, title="Women at least")
    women_levels: list[str] = Field(default=[], title="Team levels of the women rule")
    min_minority: int = Field(
        default=0,
        ge=0,
        title="Ethnic-minority members at least",
        description="Members of ethnic minorities (not 汉族).",
    )
    minority_levels: list[str] = Field(default=[], title="Team levels of the minority rule")
    min_non_party: int = Field(
        default=0,
        ge=0,
        title="Non-party members at least",
        description="Members outside the Communist Party, where required.",
    )
    non_party_levels: list[str] = Field(default=[], title="Team levels of the non-party rule")
    education_level: int = Field(
        default=4,
        ge=1,
        le=6,
        title="Education required (level)",
        description="1 junior high (初中), 2 senior high (高中), 3 college (大专), 4 bachelor (本科), 5 master (硕士研究生), 6 doctorate (博士研究生).",
    )
    education_full_time_only: bool = Field(default=False, title="Full-time education only")
    education_green_share: float = Field(default=0.8, ge=0, le=1, title="Share with the education required: green")
    education_yellow_share: float = Field(default=0.5, ge=0, le=1, title="Share with the education required: yellow")
    required_expertise: list[str] = Field(
        default=[], title="Expertise required", description="Tags some member should have (e.g. 经济, 法律)."
    )
    min_experience: dict[str, int] = Field(
        default={"township": 1},
        title="Experience required",
        description="At least this many members with experience of each unit level.",
    )
    experience_levels: list[str] = Field(
        default=[],
        title="Team levels of the experience rules",
        description="Team levels where the experience rules apply.",
    )
    experience_labels: dict[str, str] = Field(
        default={"township": "乡镇", "county": "县级", "village": "村级", "city": "市级"},
        title="Names of the unit levels",
        description="How a unit level is named in messages.",
    )
    male_retirement_age: int = Field(default=60, title="Retirement age of men")
    female_retirement_age: int = Field(default=55, title="Retirement age of women")
    statutory_reform: bool = Field(
        default=True,
        title="Gradual rise of the retirement age",
        description="Apply the gradual rise of the retirement age decided in 2024 (from 2025).",
    )
