"""The appointment and removal form (干部任免审批表, ``.lrmx``) as data: its fields in the order
the cadre information systems write them, the limits a form is read within, and what a form says
(``LrmxProfile``, ``FamilyMember``) and what reading a file gives (``LrmxFile``). Read by
``lrmx_read``, written by ``lrmx_write``; ``lrmx`` is the one module callers import."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from plugins.cadres.dates import ParsedDate
from plugins.cadres.facts import DeclaredRelation, Education, PersonFacts, Problem
from plugins.cadres.resume import Resume, parse_resume

MB = 1024 * 1024
PHOTO_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")  # JPEG, PNG: what the photo is kept as


@dataclass(frozen=True)
class LrmxLimits:
    file_bytes: int = 5 * MB  # one form; a photo is usually 20-200 KB
    photo_bytes: int = 2 * MB  # the decoded photo
    elements: int = 5_000  # a form has about 40 fields and a dozen family members
    depth: int = 8  # Person / JiaTingChengYuan / Item / field is 4
    field_chars: int = 50_000  # a text field (the photo's base64: up to twice photo_bytes)
    family_items: int = 100
    resume_lines: int = 500
    zip_entries: int = 2_000
    zip_bytes: int = 200 * MB  # all entries inflated
    zip_ratio: int = 200  # an entry inflating more than this many times its packed size is a bomb


LIMITS = LrmxLimits()

# the form's fields in the order the cadre information systems write them
TEXT_FIELDS = (
    "XingMing",
    "XingBie",
    "ChuShengNianYue",
    "MinZu",
    "JiGuan",
    "ChuShengDi",
    "RuDangShiJian",
    "CanJiaGongZuoShiJian",
    "JianKangZhuangKuang",
    "ZhuanYeJiShuZhiWu",
    "ShuXiZhuanYeYouHeZhuanChang",
    "QuanRiZhiJiaoYu_XueLi",
    "QuanRiZhiJiaoYu_XueWei",
    "QuanRiZhiJiaoYu_XueLi_BiYeYuanXiaoXi",
    "QuanRiZhiJiaoYu_XueWei_BiYeYuanXiaoXi",
    "ZaiZhiJiaoYu_XueLi",
    "ZaiZhiJiaoYu_XueWei",
    "ZaiZhiJiaoYu_XueLi_BiYeYuanXiaoXi",
    "ZaiZhiJiaoYu_XueWei_BiYeYuanXiaoXi",
    "XianRenZhiWu",
    "NiRenZhiWu",
    "NiMianZhiWu",
    "JianLi",
    "JiangChengQingKuang",
    "NianDuKaoHeJieGuo",
    "RenMianLiYou",
)
FAMILY = "JiaTingChengYuan"
FAMILY_FIELDS = ("ChengWei", "XingMing", "ChuShengRiQi", "ZhengZhiMianMao", "GongZuoDanWeiJiZhiWu")
TAIL_FIELDS = (
    "ChengBaoDanWei",
    "JiSuanNianLingShiJian",
    "TianBiaoShiJian",
    "TianBiaoRen",
    "ShenFenZheng",
    "ZhaoPian",
    "Version",
)
ALL_FIELDS = frozenset((*TEXT_FIELDS, FAMILY, *TAIL_FIELDS))
MONTH_FIELDS = ("ChuShengNianYue", "CanJiaGongZuoShiJian", "JiSuanNianLingShiJian", "TianBiaoShiJian")


@dataclass(frozen=True)
class FamilyMember:
    """One ``Item`` of ``JiaTingChengYuan``: 称谓, 姓名, 出生日期 (as written and as read),
    政治面貌, 工作单位及职务."""

    relation: str
    name: str
    birth_text: str = ""
    birth: ParsedDate | None = None
    politics: str = ""
    unit_and_post: str = ""


@dataclass(frozen=True)
class LrmxProfile:
    """What a form says. ``fields`` holds every field's text as written, "" when absent (the
    photo is ``photo``, decoded; a date field
    such as ``ChuShengNianYue`` also read into ``birth`` ...); ``resume`` the dated lines of
    ``JianLi`` read into spans; ``education`` the full-time and in-service entries of the form's
    education fields (with the résumé's dates where the school matches); ``photo`` the decoded
    image."""

    fields: dict[str, str]
    birth: ParsedDate | None = None
    party_joined: ParsedDate | None = None
    work_started: ParsedDate | None = None
    family: tuple[FamilyMember, ...] = ()
    resume: Resume | None = None
    education: tuple[Education, ...] = ()
    photo: bytes | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return self.fields.get("XingMing", "")

    @property
    def gender(self) -> str:
        return self.fields.get("XingBie", "")

    @property
    def id_number(self) -> str:
        return self.fields.get("ShenFenZheng", "")

    def facts(self, person_id: int | str, *, native_place: str = "", birthplace: str = "") -> PersonFacts:
        """The profile as the checks see it; ``native_place``/``birthplace``: the GB/T 2260
        codes of ``JiGuan``/``ChuShengDi`` (the form writes names such as 贵州大方)."""
        resume = self.resume or parse_resume("")
        return PersonFacts(
            id=person_id,
            name=self.name,
            gender=self.gender,
            birth_date=self.birth.value if self.birth else None,
            ethnicity=self.fields.get("MinZu", ""),
            party="中共党员" if self.party_joined else "",
            id_number=self.id_number,
            education=self.education,
            native_place=native_place,
            birthplace=birthplace,
            posts=resume.posts,
            military=resume.military,
            relations=tuple(
                DeclaredRelation(m.relation, m.name, m.birth.value if m.birth else None, "", m.unit_and_post)
                for m in self.family
            ),
            expertise=tuple(
                t for t in re.split(r"[，,、；;\s]+", self.fields.get("ShuXiZhuanYeYouHeZhuanChang", "")) if t
            ),
        )


@dataclass(frozen=True)
class LrmxFile:
    name: str
    profile: LrmxProfile | None
    problems: tuple[Problem, ...] = ()

    @property
    def readable(self) -> bool:
        return self.profile is not None
