"""Native places and birthplaces as GB/T 2260 division codes, worked out from the place names
written on appointment forms (籍贯 JiGuan, 出生地 ChuShengDi: ``贵州毕节``, ``贵州省毕节市``,
``贵州大方``, ``毕节市大方县``).

``code_of(name)`` answers ``Coded(code, matched, rest)``: the code of the narrowest division
the name's leading parts match (a province ``520000``, a city ``520500``, a county ``520521``)
and what is left unmatched (``rest``), or None when not even the province is known. Nothing is
guessed: a part the table does not hold is left in ``rest`` for the import to report.

The table holds every province-level division and Guizhou's cities and counties (the seed
locality's province; ``synth_data.DIVISIONS`` and the three autonomous prefectures). Names are
compared without their suffix (省, 市, 自治州, 县, 区 ...), so ``毕节`` is ``毕节市``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from plugins.cadres.synth_data import DIVISIONS

PROVINCES = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省", "31": "上海市", "32": "江苏省",
    "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省", "37": "山东省",
    "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区",
    "46": "海南省", "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省",
    "54": "西藏自治区", "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区", "71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区",
}  # fmt: skip
# cities (4 digits) -> (name, {county code: name}): Guizhou
CITIES: dict[str, tuple[str, dict[str, str]]] = {
    **DIVISIONS,
    "5223": ("黔西南布依族苗族自治州", {"522301": "兴义市", "522302": "兴仁市", "522323": "普安县"}),
    "5226": ("黔东南苗族侗族自治州", {"522601": "凯里市", "522622": "黄平县", "522623": "施秉县"}),
    "5227": ("黔南布依族苗族自治州", {"522701": "都匀市", "522702": "福泉市", "522722": "荔波县"}),
}
CITIES["5201"] = (CITIES["5201"][0], {**CITIES["5201"][1], "520115": "观山湖区"})
_SUFFIX = re.compile(
    r"(特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|"
    r"(布依族|苗族|侗族|彝族|回族|土家族|仡佬族)*自治州|(布依族|苗族|侗族|彝族|回族|土家族|仡佬族)*自治县|"
    r"省|市|地区|盟|州|特区|县|区|旗)$"
)


def _short(name: str) -> str:
    """``毕节市`` -> ``毕节``; ``威宁彝族回族苗族自治县`` -> ``威宁``; a one-character rest keeps its suffix."""
    short = _SUFFIX.sub("", name)
    return short if len(short) >= 2 else name


@dataclass(frozen=True)
class Coded:
    code: str  # 6 digits: XX0000 a province, XXXX00 a city, else a county
    matched: str  # the leading part of the name that gave the code
    rest: str  # what follows, not in the table ("" when all of it matched)


def _take(text: str, names: dict[str, str]) -> tuple[str, str] | None:
    """(code, rest) of the longest name (full or short) that ``text`` starts with."""
    best: tuple[int, str] | None = None
    for code, name in names.items():
        for form in {name, _short(name)}:
            if text.startswith(form) and (best is None or len(form) > best[0]):
                best = (len(form), code)
    return None if best is None else (best[1], text[best[0] :])


@lru_cache(maxsize=4096)
def code_of(name: str) -> Coded | None:
    """See the module."""
    text = "".join((name or "").split())
    if not text:
        return None
    all_cities = {code: city for code, (city, _c) in CITIES.items()}
    all_counties = {code: county for _city, counties in CITIES.values() for code, county in counties.items()}
    province = _take(text, PROVINCES)
    if province is None:  # no province written: a city or county of the table, by itself
        city = _take(text, all_cities)
        if city is not None:
            code, rest = city
            county = _take(rest, CITIES[code][1]) if rest else None
            if county is not None:
                return Coded(county[0], text[: len(text) - len(county[1])], county[1])
            return Coded(code + "00", text[: len(text) - len(rest)], rest)
        county = _take(text, all_counties)
        if county is not None:
            return Coded(county[0], text[: len(text) - len(county[1])], county[1])
        return None
    code, rest = province
    cities = {c: n for c, n in all_cities.items() if c[:2] == code}
    counties = {c: n for c, n in all_counties.items() if c[:2] == code}
    city = _take(rest, cities) if rest else None
    if city is not None:
        city_code, after = city
        county = _take(after, CITIES[city_code][1]) if after else None
        if county is not None:
            return Coded(county[0], text[: len(text) - len(county[1])], county[1])
        return Coded(city_code + "00", text[: len(text) - len(after)], after)
    county = _take(rest, counties) if rest else None  # 贵州大方: the county named without its city
    if county is not None:
        return Coded(county[0], text[: len(text) - len(county[1])], county[1])
    return Coded(code + "0000", text[: len(text) - len(rest)], rest)


def name_of(code: str) -> str:
    """The full name of a code of the table (``520521``: ``贵州省毕节市大方县``), ``""`` if unknown."""
    province = PROVINCES.get(code[:2], "")
    city = CITIES.get(code[:4])
    if not province:
        return ""
    if code[2:] == "0000" or city is None:
        return province
    if code[4:] == "00":
        return province + city[0]
    county = city[1].get(code)
    return province + city[0] + county if county else ""
