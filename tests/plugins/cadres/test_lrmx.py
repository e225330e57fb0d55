"""Appointment forms (.lrmx): a real form read field by field and its résumé into spans, GBK
files, bad values reported per field, hostile XML and zips refused, and the round trip."""

from __future__ import annotations

import base64
import struct
from datetime import date

import pytest

from core.services.errors import Invalid, TooLarge
from plugins.cadres import dates, lrmx, lrmx_zip, resume
from plugins.cadres.dates import ParsedDate, id_check_character
from plugins.cadres.facts import Education, MilitarySpan, PostSpan
from plugins.cadres.lrmx import LrmxLimits, read_file, read_upload, to_lrmx
from tests.plugins.cadres.conftest import FIELDS, ID_NUMBER, PHOTO, PREFIX, RESUME, form, zipped


def problems_of(result):
    return [(p.field, p.line, p.message.msgid) for p in result.problems]


# --- a good form ----------------------------------------------------------------------------------


def test_a_form_is_read_field_by_field():
    result = read_file("张三.lrmx", form())
    assert result.problems == ()
    profile = result.profile
    assert (profile.name, profile.gender, profile.id_number) == ("张三", "男", ID_NUMBER)
    assert profile.birth == ParsedDate(date(1976, 3, 1), "month")
    assert profile.party_joined == ParsedDate(date(1998, 6, 1), "month")
    assert profile.work_started == ParsedDate(date(1998, 7, 1), "month")
    assert profile.fields["NianDuKaoHeJieGuo"] == FIELDS["NianDuKaoHeJieGuo"]
    assert profile.fields["JianLi"] == RESUME  # the free text is kept as it is
    assert profile.photo == PHOTO
    assert [(m.relation, m.name, m.birth.value if m.birth else None, m.politics) for m in profile.family] == [
        ("妻子", "王芳", date(1978, 5, 1), "中共党员"),
        ("父亲", "张大山", date(1950, 1, 1), "群众"),
    ]


def test_the_resume_s_dated_lines_become_education_post_and_military_spans():
    profile = read_file("a.lrmx", form()).profile
    assert profile.education == (
        Education(
            "贵州大学", "经济学院", "经济学", "", "大学本科", "经济学学士", True, date(1994, 9, 1), date(1998, 7, 1)
        ),
        Education(
            "中央党校", "函授学院", "经济管理", "", "中央党校研究生", "", False, date(2003, 9, 1), date(2006, 7, 1)
        ),
    )
    posts = [(p.unit_name, p.post, p.start, p.end, p.principal) for p in profile.resume.posts]
    assert posts == [
        ("大方县羊场镇", "党委副书记", date(1998, 7, 1), date(2001, 12, 1), False),
        ("大方县羊场镇人民政府", "镇长", date(2001, 12, 1), date(2005, 3, 1), True),
        ("大方县发展和改革局", "局长、党组书记", date(2008, 12, 1), date(2015, 3, 1), True),
        ("大方县人民政府", "副县长", date(2015, 3, 1), None, False),
    ]
    assert profile.resume.military == (MilitarySpan("中国人民解放军78091部队", date(2005, 3, 1), date(2008, 12, 1)),)
    facts = profile.facts(7, native_place="520521")
    assert (facts.id, facts.native_place, facts.party, facts.ethnicity) == (7, "520521", "中共党员", "彝族")
    assert facts.expertise == ("经济管理", "乡村振兴")
    assert facts.relations[0].name == "王芳" and facts.relations[0].birth_date == date(1978, 5, 1)


def test_resume_lines_that_do_not_parse_are_reported_by_line_and_kept_as_text():
    text = "在家务农\n1994.09--1998.13  贵州大学学习\n1998.07--1996.01  某单位\n2001.12—至今 大方县委办公室主任"
    found = resume.parse_resume(text)
    assert [(p.line, p.message.msgid) for p in found.problems] == [
        (1, resume.NOT_DATED),
        (2, dates.BAD_MONTH),
        (3, resume.END_BEFORE_START),
    ]
    assert found.posts == (PostSpan("大方县委办公室", "主任", start=date(2001, 12, 1), principal=True),)


def test_a_gbk_form_without_utf8_is_read():
    result = read_file("gbk.lrmx", form(encoding="GB2312"))
    assert result.problems == ()
    assert result.profile.name == "张三"
    assert result.profile.family[0].unit_and_post == "大方县第一中学教师"


def test_a_utf8_form_declared_gb2312_and_a_utf16_form_are_read():
    mislabelled = form().replace(b'encoding="UTF-8"', b'encoding="GB2312"')
    assert read_file("a.lrmx", mislabelled).profile.name == "张三"
    utf16 = form().decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    assert read_file("b.lrmx", utf16).profile.family[0].name == "王芳"


def test_bad_values_are_reported_per_field_and_the_rest_is_read():
    fields = {
        **FIELDS,
        "XingBie": "M",
        "ChuShengNianYue": "1976.13",
        "CanJiaGongZuoShiJian": "1998.00",
        "ShenFenZheng": PREFIX + ("0" if id_check_character(PREFIX) != "0" else "1"),
        "ZhaoPian": "not base64!",
    }
    family = [("儿子", "张小", "2005.02.30", "群众", "学生"), ("女儿", "", "2008.01", "", "")]
    result = read_file("bad.lrmx", form(fields, family, extra="<Hobby>钓鱼</Hobby>"))
    assert problems_of(result) == [
        ("Hobby", None, lrmx.UNKNOWN_FIELD),
        ("XingBie", None, lrmx.BAD_GENDER),
        ("ChuShengNianYue", None, dates.BAD_MONTH),
        ("CanJiaGongZuoShiJian", None, dates.BAD_MONTH),
        ("ShenFenZheng", None, dates.ID_CHECK),
        ("ZhaoPian", None, lrmx.PHOTO_NOT_BASE64),
        ("JiaTingChengYuan/ChuShengRiQi", 1, dates.BAD_DAY),
        ("JiaTingChengYuan", 2, lrmx.FAMILY_WITHOUT_NAME),
    ]
    assert {p.file for p in result.problems} == {"bad.lrmx"}
    assert result.problems[2].text == "bad.lrmx / ChuShengNianYue: 1976.13: there is no month 13 (months are 1 to 12)"
    assert result.profile.name == "张三" and result.profile.birth is None


def test_an_id_number_disagreeing_with_the_form_is_flagged():
    woman_prefix = "52052119760415002"
    fields = {**FIELDS, "ShenFenZheng": woman_prefix + id_check_character(woman_prefix)}
    assert [msgid for _f, _l, msgid in problems_of(read_file("a.lrmx", form(fields)))] == [
        dates.ID_BIRTH_DIFFERS,
        dates.ID_SAYS_WOMAN,
    ]


def test_a_photo_that_is_no_image_is_dropped():
    fields = {**FIELDS, "ZhaoPian": base64.b64encode(b"MZ\x90\x00 an executable").decode()}
    result = read_file("a.lrmx", form(fields))
    assert problems_of(result) == [("ZhaoPian", None, lrmx.PHOTO_NOT_IMAGE)]
    assert result.profile.photo is None


# --- the round trip -------------------------------------------------------------------------------


def test_a_profile_written_back_reads_the_same():
    first = read_file("a.lrmx", form()).profile
    written = to_lrmx(first)
    assert written.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    again = read_file("b.lrmx", written)
    assert again.problems == ()
    assert again.profile == first


def test_an_edited_profile_writes_its_dates_as_the_systems_do():
    from dataclasses import replace

    profile = read_file("a.lrmx", form()).profile
    edited = replace(profile, birth=ParsedDate(date(1977, 4, 1), "month"), photo=None)
    again = read_file("b.lrmx", to_lrmx(edited)).profile
    assert again.fields["ChuShengNianYue"] == "197704"
    assert again.photo is None
    # characters XML reserves survive
    tricky = replace(profile, fields={**profile.fields, "RenMianLiYou": "<工作需要> & 'A' \"B\""})
    assert read_file("c.lrmx", to_lrmx(tricky)).profile.fields["RenMianLiYou"] == "<工作需要> & 'A' \"B\""


# --- hostile files --------------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE Person [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Person><XingMing>&lol3;</XingMing></Person>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE Person [<!ENTITY x SYSTEM "file:///etc/passwd">]><Person><XingMing>&x;</XingMing></Person>"""


@pytest.mark.parametrize(
    ("data", "msgid"),
    [
        (BILLION_LAUGHS, lrmx.DTD_REFUSED),
        (EXTERNAL, lrmx.DTD_REFUSED),
        (b'<!DOCTYPE Person SYSTEM "http://example.invalid/x.dtd"><Person/>', lrmx.DTD_REFUSED),
        (b"<Person><XingMing>&undefined;</XingMing></Person>", lrmx.NOT_XML),
        (b"<Person><XingMing>", lrmx.NOT_XML),
        (b"", lrmx.NOT_XML),
        (b"PK\x03\x04 this is no form", lrmx.NOT_XML),
        (b"<Person>" + b"<a>" * 20 + b"</a>" * 20 + b"</Person>", lrmx.TOO_DEEP),
        (b"<Person>" + b"<Version/>" * 6000 + b"</Person>", lrmx.TOO_MANY_ELEMENTS),
        (b"<Root><XingMing>x</XingMing></Root>", lrmx.NOT_PERSON),
        (b"\xff\xfe\xfd not text \x81", lrmx.NOT_XML),
    ],
)
def test_hostile_or_broken_files_are_refused_with_the_reason(data, msgid):
    result = read_file("evil.lrmx", data)
    assert result.profile is None
    assert [(p.file, p.message.msgid) for p in result.problems] == [("evil.lrmx", msgid)]


def test_a_file_over_the_size_limit_is_refused_unread():
    result = read_file("big.lrmx", form(), LrmxLimits(file_bytes=1000))
    assert [p.message.msgid for p in result.problems] == [lrmx.FILE_TOO_LARGE]


def test_an_overlong_field_is_not_imported():
    fields = {**FIELDS, "JianLi": "x" * 60_000}
    result = read_file("a.lrmx", form(fields))
    assert problems_of(result) == [("JianLi", None, lrmx.FIELD_TOO_LONG)]
    assert result.profile.fields["JianLi"] == ""


# --- zips -----------------------------------------------------------------------------------------


def test_a_zip_of_forms_is_read_file_by_file_and_other_files_are_listed_as_skipped():
    bad = form({**FIELDS, "ChuShengNianYue": "1976.13"})
    data = zipped([("干部/张三.lrmx", form()), ("干部/李四.lrmx", bad), ("说明.txt", b"hi"), ("干部/", b"")])
    files = read_upload("batch.zip", data)
    assert [(f.name, f.readable) for f in files] == [
        ("干部/张三.lrmx", True),
        ("干部/李四.lrmx", True),
        ("说明.txt", False),
    ]
    assert problems_of(files[1]) == [("ChuShengNianYue", None, dates.BAD_MONTH)]
    assert files[1].problems[0].file == "干部/李四.lrmx"
    assert files[2].problems[0].message.msgid == lrmx.ZIP_SKIPPED


def test_gbk_names_of_a_chinese_windows_zip_are_read():
    # written as Chinese Windows does: GBK bytes and no UTF-8 flag (a placeholder of their length)
    data = zipped([("abcd.lrmx", form())]).replace(b"abcd.lrmx", "张三.lrmx".encode("gbk"))
    files = read_upload("batch.zip", data)
    assert [f.name for f in files] == ["张三.lrmx"]


@pytest.mark.parametrize("name", ["../evil.lrmx", "/etc/cron.d/x.lrmx", "C:\\Windows\\x.lrmx", "a/../../b.lrmx"])
def test_a_zip_with_a_path_trick_is_refused_whole(name):
    with pytest.raises(Invalid) as refused:
        read_upload("batch.zip", zipped([("good.lrmx", form()), (name, form())]))
    assert (refused.value.msgid, refused.value.params["entry"]) == (lrmx_zip.ZIP_PATH, name)


def test_a_zip_with_thousands_of_files_is_refused():
    data = zipped([(f"{n}.lrmx", b"") for n in range(2001)])
    with pytest.raises(TooLarge) as refused:
        read_upload("batch.zip", data)
    assert refused.value.msgid == lrmx_zip.ZIP_TOO_MANY
    assert refused.value.params["limit"] == 2000


def test_a_zip_bomb_is_refused_before_inflating():
    data = zipped([("bomb.lrmx", b"\0" * (8 * 1024 * 1024))])
    assert len(data) < 100_000
    with pytest.raises(TooLarge) as refused:
        read_upload("batch.zip", data)
    assert (refused.value.msgid, refused.value.params["entry"]) == (lrmx_zip.ZIP_BOMB, "bomb.lrmx")


def test_a_zip_whose_header_lies_about_sizes_is_refused_without_inflating_it_all():
    data = bytearray(zipped([("liar.lrmx", b"<Person>" + b" " * (8 * 1024 * 1024) + b"</Person>")]))
    # the central directory says the entry inflates to 1,000 bytes
    central = data.rfind(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 1000)
    local = data.find(b"PK\x03\x04")
    struct.pack_into("<I", data, local + 22, 1000)
    with pytest.raises(Invalid) as refused:
        read_upload("batch.zip", bytes(data))
    assert refused.value.msgid == lrmx_zip.ZIP_DAMAGED


def test_damaged_empty_or_encrypted_zips_and_other_uploads_are_refused():
    with pytest.raises(Invalid) as refused:
        read_upload("batch.zip", b"PK\x03\x04 truncated")
    assert refused.value.msgid == lrmx_zip.ZIP_DAMAGED
    with pytest.raises(Invalid) as refused:
        read_upload("batch.zip", zipped([("readme.txt", b"x")]))
    assert refused.value.msgid == lrmx.ZIP_EMPTY
    data = bytearray(zipped([("a.lrmx", form())]))
    central = data.rfind(b"PK\x01\x02")
    struct.pack_into("<H", data, central + 8, 0x1)  # the encrypted flag
    with pytest.raises(Invalid) as refused:
        read_upload("batch.zip", bytes(data))
    assert refused.value.msgid == lrmx_zip.ZIP_ENCRYPTED
    with pytest.raises(Invalid) as refused:
        read_upload("photo.jpg", PHOTO)
    assert refused.value.msgid == lrmx.NOT_A_FORM_UPLOAD
