"""Reading appointment forms (``.lrmx``): one file or a zip of many, each into an ``LrmxFile``
with its profile and its problems (see ``lrmx`` for the limits and what is refused). Every
message a reader sees is here, an id of ``plugins/cadres/locales`` (keep the placeholders)."""

from __future__ import annotations

import base64
import binascii
import io
import re
from dataclasses import replace
from xml.etree import ElementTree as ET

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from core.services.errors import Invalid
from plugins.cadres.dates import ParsedDate, check_id_number, try_parse_date
from plugins.cadres.facts import FEMALE, MALE, Education, Message, Problem
from plugins.cadres.lrmx_form import (
    ALL_FIELDS,
    FAMILY,
    FAMILY_FIELDS,
    LIMITS,
    MB,
    MONTH_FIELDS,
    PHOTO_SIGNATURES,
    TAIL_FIELDS,
    TEXT_FIELDS,
    FamilyMember,
    LrmxFile,
    LrmxLimits,
    LrmxProfile,
)
from plugins.cadres.lrmx_zip import zip_entries
from plugins.cadres.resume import Resume, parse_resume

# --- messages (ids of plugins/cadres/locales; keep the placeholders) ----------------------------
NOT_A_FORM_UPLOAD = "{name}: upload an appointment form (.lrmx) or a zip of them"
FILE_TOO_LARGE = "the file is larger than {limit} MB; an appointment form is far smaller"
NOT_XML = "not an appointment form (.lrmx): the XML does not parse ({reason})"
NOT_TEXT = "not an appointment form (.lrmx): the file is neither UTF-8 nor GBK text"
DTD_REFUSED = "the file declares a document type or entities (DTD), which appointment forms never do; refused"
TOO_MANY_ELEMENTS = "the file has more than {limit} XML elements (damaged or not an appointment form)"
TOO_DEEP = "the file nests its XML more than {limit} levels deep (damaged or not an appointment form)"
NOT_PERSON = "the root element is {tag}, not Person: not an appointment form (.lrmx)"
UNKNOWN_FIELD = "a field the form does not have; not imported"
REPEATED_FIELD = "the field appears more than once; the first is imported"
FIELD_TOO_LONG = "more than {limit} characters; not imported"
BAD_GENDER = "{value} is not 男 or 女"
PHOTO_NOT_BASE64 = "the photo is not base64 text; not imported"
PHOTO_NOT_IMAGE = "the photo is not a JPEG or PNG image; not imported"
PHOTO_TOO_LARGE = "the photo is larger than {limit} MB; not imported"
TOO_MANY_FAMILY = "more than {limit} family members; the rest are not imported"
FAMILY_WITHOUT_NAME = "a family member without a name; not imported"
ZIP_EMPTY = "{name}: the zip file holds no appointment forms (.lrmx)"
ZIP_SKIPPED = "not an appointment form (.lrmx); skipped"


class _Refused(Exception):
    def __init__(self, message: Message):
        self.message = message


# --- reading an upload ----------------------------------------------------------------------------


def read_upload(filename: str, data: bytes, limits: LrmxLimits = LIMITS) -> list[LrmxFile]:
    """One ``.lrmx``/``.xml`` file or a ``.zip`` of them (see the module). Raises ``Invalid``
    or ``TooLarge`` when the upload as a whole is refused."""
    lower = filename.lower()
    if lower.endswith(".zip") or data[:4] == b"PK\x03\x04":
        return read_zip(filename, data, limits)
    if lower.endswith((".lrmx", ".xml")):
        return [read_file(filename, data, limits)]
    raise Invalid(NOT_A_FORM_UPLOAD, params={"name": filename})


def read_zip(filename: str, data: bytes, limits: LrmxLimits = LIMITS) -> list[LrmxFile]:
    """Every form of a zip, in the zip's order; other files are listed as skipped. Raises as
    ``plugins.cadres.lrmx_zip.zip_entries`` does."""
    files: list[LrmxFile] = []
    entries = zip_entries(
        filename,
        data,
        max_entries=limits.zip_entries,
        max_total_bytes=limits.zip_bytes,
        max_ratio=limits.zip_ratio,
        max_entry_bytes=limits.file_bytes,
        wanted=lambda name: name.lower().endswith((".lrmx", ".xml")),
    )
    for entry in entries:
        if not entry.wanted:
            files.append(LrmxFile(entry.name, None, (Problem("", Message(ZIP_SKIPPED), file=entry.name),)))
        elif entry.content is None:
            problem = Problem("", Message(FILE_TOO_LARGE, {"limit": limits.file_bytes // MB}), file=entry.name)
            files.append(LrmxFile(entry.name, None, (problem,)))
        else:
            files.append(read_file(entry.name, entry.content, limits))
    if not any(entry.wanted for entry in entries):
        raise Invalid(ZIP_EMPTY, params={"name": filename})
    return files


# --- reading one form -----------------------------------------------------------------------------


def _as_utf8(data: bytes) -> bytes:
    """The XML as UTF-8 with its declaration saying so (expat reads no GBK): UTF-16 by its
    byte order mark, else UTF-8 when it decodes as such, else GB18030 (which GBK and GB2312
    are part of)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        # UTF-8 first, whatever the declaration says: systems write UTF-8 under a GB2312
        # declaration, and GBK Chinese is practically never valid UTF-8
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("gb18030")
    text = re.sub(r"""^\s*<\?xml[^>]*\?>""", '<?xml version="1.0" encoding="UTF-8"?>', text, count=1)
    return text.encode("utf-8")


def _parse(data: bytes, limits: LrmxLimits) -> ET.Element:
    try:
        source = _as_utf8(data)
    except UnicodeDecodeError as error:
        raise _Refused(Message(NOT_TEXT)) from error
    depth, count, root = 0, 0, None
    try:
        for event, element in SafeET.iterparse(io.BytesIO(source), events=("start", "end"), forbid_dtd=True):
            if event == "start":
                depth, count = depth + 1, count + 1
                root = element if root is None else root
                if count > limits.elements:
                    raise _Refused(Message(TOO_MANY_ELEMENTS, {"limit": limits.elements}))
                if depth > limits.depth:
                    raise _Refused(Message(TOO_DEEP, {"limit": limits.depth}))
            else:
                depth -= 1
    except DefusedXmlException as error:
        raise _Refused(Message(DTD_REFUSED)) from error
    except ET.ParseError as error:
        raise _Refused(Message(NOT_XML, {"reason": str(error)})) from error
    if root is None:
        raise _Refused(Message(NOT_XML, {"reason": "empty"}))
    return root


def _tag(element: ET.Element) -> str:
    return element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""


def _text(element: ET.Element) -> str:
    return "".join(element.itertext()).strip("\ufeff")


def read_file(name: str, data: bytes, limits: LrmxLimits = LIMITS) -> LrmxFile:
    """One form; never raises for its content: what could not be read is in ``problems``."""
    if len(data) > limits.file_bytes:
        return LrmxFile(
            name, None, (Problem("", Message(FILE_TOO_LARGE, {"limit": limits.file_bytes // MB}), file=name),)
        )
    try:
        root = _parse(data, limits)
    except _Refused as refused:
        return LrmxFile(name, None, (Problem("", refused.message, file=name),))
    if _tag(root) != "Person":
        return LrmxFile(name, None, (Problem("", Message(NOT_PERSON, {"tag": _tag(root)}), file=name),))
    problems: list[Problem] = []
    fields: dict[str, str] = {}
    family_element = None
    for child in root:
        tag = _tag(child)
        if tag not in ALL_FIELDS:
            problems.append(Problem(tag, Message(UNKNOWN_FIELD)))
            continue
        if tag in fields or (tag == FAMILY and family_element is not None):
            problems.append(Problem(tag, Message(REPEATED_FIELD)))
            continue
        if tag == FAMILY:
            family_element = child
            continue
        text = _text(child)
        # the photo's base64 is as long as the photo allows (with line breaks), the rest as a text
        most = limits.photo_bytes * 2 if tag == "ZhaoPian" else limits.field_chars
        if len(text) > most:
            problems.append(Problem(tag, Message(FIELD_TOO_LONG, {"limit": most})))
            continue
        fields[tag] = text.strip() if tag not in ("JianLi", "ZhaoPian") else text
    profile = _profile(
        {tag: fields.get(tag, "") for tag in (*TEXT_FIELDS, *TAIL_FIELDS)}, family_element, problems, limits
    )
    return LrmxFile(name, profile, tuple(replace(p, file=name) for p in problems))


def _date(fields: dict[str, str], tag: str, problems: list[Problem]) -> ParsedDate | None:
    value, why = try_parse_date(fields.get(tag, ""))
    if why:
        problems.append(Problem(tag, why))
    return value


def _profile(fields: dict[str, str], family_element, problems: list[Problem], limits: LrmxLimits) -> LrmxProfile:
    gender = fields.get("XingBie", "")
    if gender and gender not in (MALE, FEMALE):
        problems.append(Problem("XingBie", Message(BAD_GENDER, {"value": gender})))
    birth = _date(fields, "ChuShengNianYue", problems)
    for tag in MONTH_FIELDS[1:]:
        _date(fields, tag, problems)
    party_joined = None
    party_text = fields.get("RuDangShiJian", "")
    if party_text:  # a date for the Communist Party; a democratic party is written as text with it
        match = re.match(r"^\s*([\d.\-/年月日]+)", party_text)
        if match and match.group(1).strip() == party_text.strip():
            party_joined = _date(fields, "RuDangShiJian", problems)
    id_number = fields.get("ShenFenZheng", "")
    if id_number:
        for message in check_id_number(
            id_number, birth_date=birth, gender=gender if gender in (MALE, FEMALE) else None
        ):
            problems.append(Problem("ShenFenZheng", message))
    photo = None
    photo_text = re.sub(r"\s+", "", fields.get("ZhaoPian", ""))
    if photo_text:
        try:
            photo = base64.b64decode(photo_text, validate=True)
        except (binascii.Error, ValueError):
            problems.append(Problem("ZhaoPian", Message(PHOTO_NOT_BASE64)))
        if photo is not None and len(photo) > limits.photo_bytes:
            problems.append(Problem("ZhaoPian", Message(PHOTO_TOO_LARGE, {"limit": limits.photo_bytes // MB})))
            photo = None
        if photo is not None and not photo.startswith(PHOTO_SIGNATURES):
            problems.append(Problem("ZhaoPian", Message(PHOTO_NOT_IMAGE)))
            photo = None
    del fields["ZhaoPian"]  # kept decoded, as ``photo``
    family = _family(family_element, problems, limits)
    resume = parse_resume(fields.get("JianLi", ""), max_lines=limits.resume_lines)
    problems.extend(resume.problems)
    return LrmxProfile(
        fields=fields,
        birth=birth,
        party_joined=party_joined,
        work_started=try_parse_date(fields.get("CanJiaGongZuoShiJian", ""))[0],
        family=family,
        resume=resume,
        education=_education(fields, resume),
        photo=photo,
    )


def _family(element, problems: list[Problem], limits: LrmxLimits) -> tuple[FamilyMember, ...]:
    if element is None:
        return ()
    members = []
    for number, item in enumerate((c for c in element if _tag(c) == "Item"), start=1):
        if number > limits.family_items:
            problems.append(Problem(FAMILY, Message(TOO_MANY_FAMILY, {"limit": limits.family_items}), line=number))
            break
        values = {_tag(c): _text(c).strip() for c in item if _tag(c) in FAMILY_FIELDS}
        if not any(values.values()):
            continue  # the forms carry empty rows
        if not values.get("XingMing"):
            problems.append(Problem(FAMILY, Message(FAMILY_WITHOUT_NAME), line=number))
            continue
        birth_text = values.get("ChuShengRiQi", "")
        birth, why = try_parse_date(birth_text)
        if why:
            problems.append(Problem(f"{FAMILY}/ChuShengRiQi", why, line=number))
        members.append(
            FamilyMember(
                relation=values.get("ChengWei", ""),
                name=values["XingMing"],
                birth_text=birth_text,
                birth=birth,
                politics=values.get("ZhengZhiMianMao", ""),
                unit_and_post=values.get("GongZuoDanWeiJiZhiWu", ""),
            )
        )
    return tuple(members)


def _education(fields: dict[str, str], resume: Resume) -> tuple[Education, ...]:
    """The form's full-time and in-service education, with the dates (and department, major)
    of the résumé's study line at the same school; résumé study lines at other schools too."""
    from plugins.cadres.resume import education_of

    found: list[Education] = []
    used = set()
    for prefix, full_time in (("QuanRiZhiJiaoYu", True), ("ZaiZhiJiaoYu", False)):
        level = fields.get(f"{prefix}_XueLi", "")
        degree = fields.get(f"{prefix}_XueWei", "")
        where = fields.get(f"{prefix}_XueLi_BiYeYuanXiaoXi", "") or fields.get(f"{prefix}_XueWei_BiYeYuanXiaoXi", "")
        if not (level or degree or where):
            continue
        entry = education_of(where.split("\n")[0], None, None) if where else Education(school="")
        match = next(
            (
                (index, e)
                for index, e in enumerate(resume.education)
                if entry.school and e.school == entry.school and index not in used
            ),
            None,
        )
        if match:
            used.add(match[0])
            entry = replace(
                match[1],
                department=match[1].department or entry.department,
                major=match[1].major or entry.major,
            )
        found.append(replace(entry, level=level or entry.level, degree=degree, full_time=full_time))
    found.extend(e for index, e in enumerate(resume.education) if index not in used)
    return tuple(e for e in found if e.school or e.level)
