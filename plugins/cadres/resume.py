"""The dated lines of a free-text résumé (简历, the ``JianLi`` field of an appointment form),
read into education, post and military spans where they parse.

    1998.09--2002.07  贵州大学经济学院经济学专业学习
    2002.07--2005.03  大方县羊场镇党委副书记
              （其间：2003.09--2006.07在中央党校函授学院经济管理专业学习）
    2015.03--         大方县人民政府副县长

A line that starts with a span (``1998.09--2002.07``, ``1998.09-2002.07``, ``1998.09—2002.07``,
``1998.09～2002.07``, ``1998年9月至2002年7月``; an open or ``至今`` end means until now) starts
an entry; a line without one continues the entry above (forms wrap long lines). A ``其间``
(meanwhile) note in brackets is read as an entry of its own. Study (学习, 就读, 进修 at a
school) becomes ``Education``; service in the forces (部队, 服役, 入伍) ``MilitarySpan``;
anything else a ``PostSpan`` split into unit and post where a post title is recognised.
A span whose dates do not parse is a ``Problem`` naming its line; its text stays in the résumé.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from plugins.cadres.dates import try_parse_date
from plugins.cadres.facts import Education, Message, MilitarySpan, PostSpan, Problem

FIELD = "JianLi"

# --- messages (ids of plugins/cadres/locales; keep the placeholders) ----------------------------
END_BEFORE_START = "the span ends ({end}) before it starts ({start})"
TOO_MANY_LINES = "the résumé has more than {limit} lines; the rest is not read"
NOT_DATED = "a line before the first dated one, kept as text only: {text}"

_DATE = r"\d{4}(?:[.\-/．]\d{1,2}(?:[.\-/．]\d{1,2})?|年\d{1,2}月(?:\d{1,2}日)?|\d{2}(?:\d{2})?)?"
_DASH = r"(?:-{1,2}|—{1,2}|－{1,2}|–|~|～|至|到)"
_OPEN_END = r"(?:至今|今|现在)"
_SPAN = re.compile(rf"^\s*({_DATE})\s*{_DASH}\s*({_DATE}|{_OPEN_END})?\s*[：:，,]?\s*(.*)$")
_MEANWHILE = re.compile(r"[（(]\s*其间\s*[：:]?\s*(.+?)[）)]")
_MEANWHILE_ITEM = re.compile(rf"({_DATE})\s*{_DASH}\s*({_DATE}|{_OPEN_END})?\s*在?(.+?)(?=[；;，,]\s*\d{{4}}|$)")
_SCHOOL = re.compile(r"^(.*?(?:大学|学院|党校|学校|中学|中专|研究院|研究生院))")
_DEPARTMENT = re.compile(r"^(.*?(?:学院|系|学部))")
_MAJOR = re.compile(r"^(.*?)专业")
_CLASS = re.compile(r"([^\s，,、]*?班)")
_STUDY = ("学习", "就读", "进修", "读书", "攻读", "研究生", "本科", "专科", "毕业")
_IN_SERVICE = ("在职", "函授", "党校", "业余", "自学", "夜大", "远程", "网络教育", "进修")
_MILITARY = ("部队", "服役", "入伍", "战士", "武警", "军区", "解放军")
_MILITARY_UNIT = re.compile(r"((?:中国人民解放军|武警)?[^\s，,、；;]*?(?:\d{5}部队|部队|支队|总队|中队|大队|团|旅|师))")
# where a post title starts: an optional body (党委...) then a title; the unit is what comes before
_POST = re.compile(
    r"(?:党委|党组|党工委|纪委|纪工委|人大主席团)?"
    r"(?:常务|专职|挂职|主任)?(?:副)?"
    r"(?:书记|县长|乡长|镇长|区长|市长|局长|主任|主席|部长|科长|股长|所长|站长|队长|院长|校长|"
    r"委员(?!会)|常委(?!会)|干事|科员|办事员|秘书|调研员|主任科员|经理|会长|组长|馆长|行长|庭长|检察长|审判员|检察员|"
    r"教师|医生|工作人员|职员|一级|二级|三级|四级)"
)


@dataclass(frozen=True)
class ResumeEntry:
    """One dated entry: its first line (1-based), its text (continuation lines joined), its
    span, and what it was read as (``education``, ``post``, ``military``)."""

    line: int
    text: str
    start: date | None
    end: date | None
    kind: str


@dataclass(frozen=True)
class Resume:
    entries: tuple[ResumeEntry, ...]
    education: tuple[Education, ...]
    posts: tuple[PostSpan, ...]
    military: tuple[MilitarySpan, ...]
    problems: tuple[Problem, ...]


def _span(line: int, start_text: str, end_text: str | None, problems: list[Problem]):
    start, why = try_parse_date(start_text)
    if why:
        problems.append(Problem(FIELD, why, line=line))
        return None
    end = None
    if end_text and not re.fullmatch(_OPEN_END, end_text):
        parsed, why = try_parse_date(end_text)
        if why:
            problems.append(Problem(FIELD, why, line=line))
            return None
        end = parsed.value if parsed else None
    if end is not None and end < start.value:
        problems.append(Problem(FIELD, Message(END_BEFORE_START, {"start": start_text, "end": end_text}), line=line))
        return None
    return start.value, end


def classify(text: str) -> str:
    """``education``, ``military`` or ``post`` for the text of an entry."""
    if any(word in text for word in _MILITARY):
        return "military"
    if _SCHOOL.search(text) and any(word in text for word in _STUDY):
        return "education"
    return "post"


def education_of(text: str, start: date | None, end: date | None) -> Education:
    """A study entry's school, department, major and class as far as they can be told."""
    text = re.sub(r"^在", "", text.strip())
    school_match = _SCHOOL.match(text)
    school = school_match.group(1) if school_match else text
    rest = text[len(school) :]
    department = ""
    dept_match = _DEPARTMENT.match(rest)
    if dept_match and "专业" not in dept_match.group(1):
        department = dept_match.group(1)
        rest = rest[len(department) :]
    major_match = _MAJOR.match(rest)
    major = major_match.group(1) if major_match else ""
    class_match = _CLASS.search(rest)
    class_name = class_match.group(1) if class_match else ""
    full_time = not any(word in text for word in _IN_SERVICE)
    level = next((word for word in ("博士研究生", "硕士研究生", "研究生", "本科", "专科", "大专") if word in text), "")
    return Education(
        school=school,
        department=department,
        major=major,
        class_name=class_name,
        level=level,
        full_time=full_time,
        start=start,
        end=end,
    )


def post_of(text: str, start: date | None, end: date | None) -> PostSpan:
    """A post entry split into unit and post where a title is recognised (else all unit)."""
    text = text.strip()
    for match in _POST.finditer(text):
        if match.start() > 0:
            unit, post = text[: match.start()], text[match.start() :]
            principal = not post.startswith("副") and not re.search(r"副(?:书记|县长|乡长|镇长|局长|主任)", post)
            return PostSpan(unit_name=unit, post=post, start=start, end=end, principal=principal and _chief(post))
    return PostSpan(unit_name=text, start=start, end=end)


def _chief(post: str) -> bool:
    return bool(re.match(r"(?:党委|党组|党工委)?(?:书记|县长|乡长|镇长|区长|局长|主任(?!科员)|院长|校长|所长)", post))


def military_of(text: str, start: date | None, end: date | None) -> MilitarySpan:
    match = _MILITARY_UNIT.search(text)
    return MilitarySpan(unit=match.group(1) if match else text.strip(), start=start, end=end)


def parse_resume(text: str, *, max_lines: int = 500) -> Resume:
    """Read the dated entries of a résumé (see the module). Lines beyond ``max_lines`` are not
    read (a ``Problem``)."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    problems: list[Problem] = []
    if len(lines) > max_lines:
        problems.append(Problem(FIELD, Message(TOO_MANY_LINES, {"limit": max_lines}), line=max_lines + 1))
        lines = lines[:max_lines]
    raw: list[list] = []  # [line, start text, end text, text]
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        match = _SPAN.match(line.replace("\u3000", " "))
        if match and match.group(1):
            raw.append([number, match.group(1), match.group(2), match.group(3).strip()])
        elif raw:
            raw[-1][3] += line.strip()
        else:
            problems.append(Problem(FIELD, Message(NOT_DATED, {"text": line.strip()[:40]}), line=number))
    entries: list[ResumeEntry] = []
    for number, start_text, end_text, body in raw:
        meanwhile = [m.group(1) for m in _MEANWHILE.finditer(body)]
        body = _MEANWHILE.sub("", body).strip()
        span = _span(number, start_text, end_text, problems)
        if span:
            entries.append(ResumeEntry(number, body, span[0], span[1], classify(body)))
        for note in meanwhile:
            for item in _MEANWHILE_ITEM.finditer(note):
                inner = _span(number, item.group(1), item.group(2), problems)
                if inner:
                    inner_text = item.group(3).strip()
                    entries.append(ResumeEntry(number, inner_text, inner[0], inner[1], classify(inner_text)))
    education = tuple(education_of(e.text, e.start, e.end) for e in entries if e.kind == "education")
    posts = tuple(post_of(e.text, e.start, e.end) for e in entries if e.kind == "post")
    military = tuple(military_of(e.text, e.start, e.end) for e in entries if e.kind == "military")
    return Resume(tuple(entries), education, posts, military, tuple(problems))
