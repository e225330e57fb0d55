"""What the cadre checks need to know about a person, as plain frozen dataclasses.

The plugin's services read profiles from the database and hand them to the checks as
``PersonFacts``; the checks (``relations``, ``structure``) and the readers (``lrmx``,
``dates``) never touch the database. Dates are ``datetime.date``; a date known only to the
month is the first of that month. A span's ``end`` of None means "until now" (至今).

Division codes are GB/T 2260 six-digit codes: the first two digits name the province, the
first four the city (prefecture), all six the county; a code ending in ``00`` is known only
to the city (``520500``) and one ending in ``0000`` only to the province.

A message for users is a ``Message``: an English message id with ``{placeholders}`` and its
values apart, as ``core.services.errors.ServiceError`` carries them, translated by
``core.i18n.Translator.gettext(msgid, **params)`` with the plugin's catalogue
(``plugins/cadres/locales``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

MALE = "男"
FEMALE = "女"


@dataclass(frozen=True)
class Message:
    """A message id and its values; ``text`` is the English text (ids are English)."""

    msgid: str
    params: dict[str, Any] = field(default_factory=dict, hash=False)

    @property
    def text(self) -> str:
        return self.msgid.format(**{name: _plain(value) for name, value in self.params.items()})


@dataclass(frozen=True)
class Problem:
    """Something that could not be read or does not agree: where (``file``, ``field`` and, for
    a field of several lines or items, ``line``, 1-based: ``JianLi`` line 3) and why
    (``message``)."""

    field: str
    message: Message
    file: str = ""
    line: int | None = None

    @property
    def text(self) -> str:
        parts = (self.file, self.field, f"#{self.line}" if self.line else "")
        where = " / ".join(part for part in parts if part)
        return f"{where}: {self.message.text}" if where else self.message.text


def _plain(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ", ".join(_plain(item) for item in value)
    return str(value)


# --- spans ---------------------------------------------------------------------------------


def overlap(
    a_start: date | None, a_end: date | None, b_start: date | None, b_end: date | None, today: date
) -> tuple[date, date] | None:
    """The common part of two spans (inclusive; an open end is ``today``), or None when they do
    not meet or a start is unknown."""
    if a_start is None or b_start is None:
        return None
    start = max(a_start, b_start)
    end = min(a_end or today, b_end or today)
    return (start, end) if start <= end else None


def months_between(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end`` (1984-09-01 to 1985-03-01 is 6)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - 1 if end.day < start.day else months


def age_on(birth: date, on: date) -> int:
    """Age in whole years on a day."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


# --- a person ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Education:
    """One education entry: full-time (全日制) or in service (在职). ``level`` is the 学历 as
    written (``本科``, ``硕士研究生``, ``大专``...), ``degree`` the 学位 (``学士``, ``硕士``...),
    ``class_name`` the class (班级) when known."""

    school: str
    department: str = ""
    major: str = ""
    class_name: str = ""
    level: str = ""
    degree: str = ""
    full_time: bool = True
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class PostSpan:
    """A post held: ``unit_id`` when the unit is known to the locality (else matched by
    ``unit_name``), ``rank`` (职级, e.g. ``正科级``), ``principal`` for the unit's chief
    (正职). ``unit_level`` says what kind of experience the post gives, as the locality's
    structure rules name it (e.g. ``township`` for 乡镇, ``county`` for 县直/县级)."""

    unit_name: str
    post: str = ""
    unit_id: int | str | None = None
    rank: str = ""
    start: date | None = None
    end: date | None = None
    principal: bool = False
    unit_level: str = ""

    @property
    def unit_key(self) -> str:
        """The unit as the colleague check compares it: its id, else its name without the
        body's suffix (a township's party committee and government are one unit:
        ``羊场镇党委`` and ``羊场镇人民政府`` are both ``羊场镇``)."""
        return _unit_key(self.unit_id, self.unit_name)


@dataclass(frozen=True)
class MilitarySpan:
    """Military service: the unit's designation (番号, e.g. ``78091部队``)."""

    unit: str
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class DeclaredRelation:
    """A family member or important social relation as the person declared it (称谓 ``kind``,
    e.g. ``父亲``, ``配偶``, ``表兄``). ``birth_date`` is often known only to the month."""

    kind: str
    name: str
    birth_date: date | None = None
    id_number: str = ""
    unit_and_post: str = ""


@dataclass(frozen=True)
class PersonFacts:
    """A person as the checks see them. ``gender`` is ``男`` or ``女``; ``party`` as written
    (``中共党员``, ``中共预备党员``, ``群众``, ``民盟盟员``...). ``retirement_age`` overrides the
    locality's statutory age for this person (years, e.g. 60 for a cadre kept on), and
    ``retirement_base_age`` says which statutory scheme applies when it is not the gender's
    default (50 for a woman worker, 55 for a woman cadre, 60 for a man)."""

    id: int | str
    name: str
    gender: str = ""
    birth_date: date | None = None
    ethnicity: str = ""
    party: str = ""
    id_number: str = ""
    education: tuple[Education, ...] = ()
    native_place: str = ""  # GB/T 2260 code
    birthplace: str = ""  # GB/T 2260 code
    posts: tuple[PostSpan, ...] = ()
    military: tuple[MilitarySpan, ...] = ()
    relations: tuple[DeclaredRelation, ...] = ()
    expertise: tuple[str, ...] = ()
    retirement_age: int | None = None
    retirement_base_age: int | None = None

    def age(self, on: date) -> int | None:
        return age_on(self.birth_date, on) if self.birth_date else None


# --- normalising names ----------------------------------------------------------------------

_UNIT_SUFFIX = re.compile(r"(?<=[乡镇县区市])(?:人民政府|政府|党委|党工委|委员会)$")
_SPACES = str.maketrans("", "", " \t\u3000\r\n")
_FULL_WIDTH = {
    ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ"
}
_FULL_WIDTH.update({ord("（"): "(", ord("）"): ")"})


@lru_cache(maxsize=65_536)
def _unit_key(unit_id: int | str | None, unit_name: str) -> str:
    if unit_id is not None:
        return f"id:{unit_id}"
    return f"name:{_UNIT_SUFFIX.sub('', normalize_name(unit_name))}"


@lru_cache(maxsize=65_536)
def normalize_name(text: str) -> str:
    """A school, unit or place name compared without spaces, full-width letters or digits, or
    case: ``贵州 大学`` and ``贵州大学`` are one school."""
    return text.translate(_SPACES).translate(_FULL_WIDTH).upper()


# --- education levels -------------------------------------------------------------------------

# 学历 from lowest to highest; a level written otherwise ranks by the first name it contains
EDUCATION_LEVELS = (
    ("初中", 1),
    ("高中", 2),
    ("中专", 2),
    ("中技", 2),
    ("职高", 2),
    ("大专", 3),
    ("专科", 3),
    ("大学普通班", 3),
    ("本科", 4),
    ("大学", 4),
    ("硕士", 5),
    ("研究生", 5),
    ("博士", 6),
)
LEVEL_NAMES = {1: "初中", 2: "高中", 3: "大专", 4: "本科", 5: "硕士研究生", 6: "博士研究生"}


def education_rank(level: str) -> int:
    """1 (初中) .. 6 (博士研究生); 0 when the text names no known level. ``博士研究生`` is 6,
    ``硕士研究生`` and ``研究生`` 5, ``大学本科`` 4, ``大学专科`` 3."""
    found = 0
    for name, rank in EDUCATION_LEVELS:
        if name in level:
            if name == "大学" and ("专科" in level or "普通班" in level):
                continue
            found = max(found, rank)
    return found


def highest_education(person: PersonFacts, *, full_time_only: bool = False) -> int:
    """The highest ``education_rank`` of the person's entries (0 when none is known)."""
    entries = [e for e in person.education if e.full_time or not full_time_only]
    return max((education_rank(e.level) for e in entries), default=0)


def is_cpc_member(party: str) -> bool:
    """A member (or probationary member) of the Communist Party of China."""
    return "中共" in party or party.strip() in ("党员", "共产党员", "中国共产党党员")
