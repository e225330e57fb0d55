"""Writing a profile back as an appointment form (``.lrmx``): UTF-8, the systems' field order,
dates as the forms write them, the photo in base64. Reading what is written gives the same
profile (``tests/plugins/cadres/test_lrmx.py``)."""

from __future__ import annotations

import base64
from xml.etree import ElementTree as ET

from plugins.cadres.dates import ParsedDate, try_parse_date
from plugins.cadres.lrmx_form import FAMILY, FAMILY_FIELDS, TAIL_FIELDS, TEXT_FIELDS, LrmxProfile


def _month(value: ParsedDate | None, written: str) -> str:
    """A date as written when that still reads as ``value``, else as the form writes it
    (``199001``; ``19900103`` with the day)."""
    if value is None or try_parse_date(written)[0] == value:
        return written
    return value.value.strftime("%Y%m") if value.precision == "month" else value.value.strftime("%Y%m%d")


def to_lrmx(profile: LrmxProfile) -> bytes:
    """The profile as an ``.lrmx`` file (UTF-8, the systems' field order; dates as ``199001``;
    the photo in base64)."""
    root = ET.Element("Person")
    fields = dict(profile.fields)
    fields["ChuShengNianYue"] = _month(profile.birth, fields.get("ChuShengNianYue", ""))
    if profile.party_joined:
        fields["RuDangShiJian"] = _month(profile.party_joined, fields.get("RuDangShiJian", ""))
    if profile.work_started:
        fields["CanJiaGongZuoShiJian"] = _month(profile.work_started, fields.get("CanJiaGongZuoShiJian", ""))
    fields["ZhaoPian"] = base64.b64encode(profile.photo).decode("ascii") if profile.photo else ""
    for tag in TEXT_FIELDS:
        ET.SubElement(root, tag).text = fields.get(tag, "")
    family = ET.SubElement(root, FAMILY)
    for member in profile.family:
        item = ET.SubElement(family, "Item")
        values = (
            member.relation,
            member.name,
            _month(member.birth, member.birth_text),
            member.politics,
            member.unit_and_post,
        )
        for tag, value in zip(FAMILY_FIELDS, values, strict=True):
            ET.SubElement(item, tag).text = value
    for tag in TAIL_FIELDS:
        ET.SubElement(root, tag).text = fields.get(tag, "")
    ET.indent(root, space="  ")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8", xml_declaration=False)
