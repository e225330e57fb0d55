"""The cadre appointment and removal form (干部任免审批表, ``.lrmx``): read one file or a zip of
many into ``LrmxProfile``s, and write a profile back.

An ``.lrmx`` file is XML: a ``Person`` root whose children are the form's fields (``XingMing``
name, ``XingBie`` gender, ``ChuShengNianYue`` birth month as ``199001``, ``MinZu``, ``JiGuan``,
``ChuShengDi``, ``RuDangShiJian``, ``CanJiaGongZuoShiJian``, ``JianKangZhuangKuang``,
``ZhuanYeJiShuZhiWu``, ``ShuXiZhuanYeYouHeZhuanChang``, ``QuanRiZhiJiaoYu_XueLi`` / ``_XueWei``
/ ``_XueLi_BiYeYuanXiaoXi`` / ``_XueWei_BiYeYuanXiaoXi`` and the same for ``ZaiZhiJiaoYu``,
``XianRenZhiWu``, ``NiRenZhiWu``, ``NiMianZhiWu``, ``JianLi`` the résumé, ``JiangChengQingKuang``,
``NianDuKaoHeJieGuo``, ``RenMianLiYou``, ``JiaTingChengYuan`` with one ``Item`` (``ChengWei``,
``XingMing``, ``ChuShengRiQi``, ``ZhengZhiMianMao``, ``GongZuoDanWeiJiZhiWu``) per family member,
``ChengBaoDanWei``, ``JiSuanNianLingShiJian``, ``TianBiaoShiJian``, ``TianBiaoRen``,
``ShenFenZheng``, ``ZhaoPian`` the photo in base64, ``Version``), in UTF-8 or GB2312/GBK.

``read_upload(filename, data)`` -> ``[LrmxFile]``: one per form, each with its profile (None
when the file could not be read at all) and its problems (file, field, line, message). Refused
outright, as ``core.services.errors`` ``Invalid``/``TooLarge`` naming the limit: a zip with
more than ``limits.zip_entries`` files, entries that inflate beyond ``limits.zip_bytes`` or
more than ``limits.zip_ratio`` times, names that climb out of the zip (``../``, ``/etc``,
``C:``), encrypted or damaged zips. Within a file: a DTD or entities (never used by the form;
entity expansion and external entities are refused by defusedxml), more than
``limits.elements`` elements or ``limits.depth`` levels, or over ``limits.file_bytes``.

``to_lrmx(profile)`` -> bytes writes the form back (UTF-8); reading it again gives the same
profile (``tests/plugins/cadres/test_lrmx.py``).

This module is what callers import; the work is split by what it holds: ``lrmx_form`` the form's
fields, limits and data classes, ``lrmx_read`` the reading and its messages, ``lrmx_write`` the
writing (``lrmx_zip``: the zip's checks).
"""

from __future__ import annotations

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
from plugins.cadres.lrmx_read import (
    BAD_GENDER,
    DTD_REFUSED,
    FAMILY_WITHOUT_NAME,
    FIELD_TOO_LONG,
    FILE_TOO_LARGE,
    NOT_A_FORM_UPLOAD,
    NOT_PERSON,
    NOT_TEXT,
    NOT_XML,
    PHOTO_NOT_BASE64,
    PHOTO_NOT_IMAGE,
    PHOTO_TOO_LARGE,
    REPEATED_FIELD,
    TOO_DEEP,
    TOO_MANY_ELEMENTS,
    TOO_MANY_FAMILY,
    UNKNOWN_FIELD,
    ZIP_EMPTY,
    ZIP_SKIPPED,
    read_file,
    read_upload,
    read_zip,
)
from plugins.cadres.lrmx_write import to_lrmx

__all__ = [
    "MB",
    "PHOTO_SIGNATURES",
    "LrmxLimits",
    "LIMITS",
    "TEXT_FIELDS",
    "FAMILY",
    "FAMILY_FIELDS",
    "TAIL_FIELDS",
    "ALL_FIELDS",
    "MONTH_FIELDS",
    "FamilyMember",
    "LrmxProfile",
    "LrmxFile",
    "NOT_A_FORM_UPLOAD",
    "FILE_TOO_LARGE",
    "NOT_XML",
    "NOT_TEXT",
    "DTD_REFUSED",
    "TOO_MANY_ELEMENTS",
    "TOO_DEEP",
    "NOT_PERSON",
    "UNKNOWN_FIELD",
    "REPEATED_FIELD",
    "FIELD_TOO_LONG",
    "BAD_GENDER",
    "PHOTO_NOT_BASE64",
    "PHOTO_NOT_IMAGE",
    "PHOTO_TOO_LARGE",
    "TOO_MANY_FAMILY",
    "FAMILY_WITHOUT_NAME",
    "ZIP_EMPTY",
    "ZIP_SKIPPED",
    "read_upload",
    "read_zip",
    "read_file",
    "to_lrmx",
]
