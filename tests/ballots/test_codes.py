"""One-time account codes: their shape, their randomness and the forgiving way they are typed
(in every form a phone or an input method produces: property tests over the forms of valid codes)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ballots import codes

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def test_alphabet_is_crockford_base32():
    assert codes.ALPHABET == CROCKFORD
    assert len(set(codes.ALPHABET)) == 32
    assert not set("ILOU") & set(codes.ALPHABET)


def test_new_code_has_twelve_alphabet_characters_and_sixty_bits():
    samples = [codes.new_code() for _ in range(2000)]
    for code in samples:
        assert len(code) == 12
        assert set(code) <= set(CROCKFORD), code
    assert codes.CODE_LENGTH * math.log2(len(codes.ALPHABET)) == 60
    assert len(set(samples)) == len(samples)  # 2000 draws from 2**60: a repeat means the randomness is broken
    # every position uses the whole alphabet (a fixed or narrowed position would lower the 60 bits)
    for position in range(12):
        assert len({code[position] for code in samples}) == 32, position


def test_a_new_code_is_its_own_normal_form():
    for _ in range(200):
        code = codes.new_code()
        assert codes.normalize(code) == code
        assert codes.normalize(codes.display(code)) == code


def test_display_groups_by_four():
    assert codes.display("ABCDEFGHJKMN") == "ABCD-EFGH-JKMN"
    shown = codes.display(codes.new_code())
    assert len(shown) == 14 and shown[4] == shown[9] == "-"


@pytest.mark.parametrize(
    "typed",
    [
        "ABCD-EFGH-JKMN",
        "abcd-efgh-jkmn",
        "AbCd EfGh JkMn",
        "  abcd efgh jkmn  ",
        "ABCDEFGHJKMN",
        "ab-cd-ef-gh-jk-mn",
        "https://kaoping.example.gov.cn/b/#ABCD-EFGH-JKMN",
        "https://kaoping.example.gov.cn/b/#abcd-efgh-jkmn",
        # a deployment under a long host name and a path prefix: the URL is longer than any code field
        "https://kaohe.guangxi-lingchuan-county.gov.cn/kaoping/b/#ABCD-EFGH-JKMN",
    ],
)
def test_normalize_ignores_case_dashes_spaces_and_a_pasted_url(typed):
    assert codes.normalize(typed) == "ABCDEFGHJKMN"


def test_normalize_maps_look_alikes():
    assert codes.normalize("oo11-2345-6789") == "001123456789"
    assert codes.normalize("O0I1-L1o0-iLlO") == "001111001110"


def test_the_qr_link_printed_on_a_slip_gives_back_its_code():
    code = codes.new_code()
    assert codes.normalize(f"http://127.0.0.1:8000/b/#{codes.display(code)}") == code


@pytest.mark.parametrize(
    "typed",
    [
        "",
        " ",
        "ABCD-EFGH-JKM",  # 11
        "ABCD-EFGH-JKMNP",  # 13
        "ABCD",
        "ABCD-EFGH-JKMU",  # U is not in the alphabet (and is not a look-alike)
        "uuuu-uuuu-uuuu",
        "ABCD-EFGH-JK*N",
        "ABCD_EFGH_JKMN",
        "ABCD.EFGH.JKMN",
        "ABCD-EFGH-JKM測",
        "https://kaoping.example.gov.cn/b/#",
        "A" * 65,
        "ABCD-EFGH-JKMN" + " " * 5000,  # no unbounded work on a huge paste
    ],
)
def test_normalize_refuses_what_cannot_be_a_code(typed):
    assert codes.normalize(typed) is None


# --- every form a phone or an input method produces ------------------------------------------

FULL_WIDTH = {ch: chr(ord(ch) + 0xFEE0) for ch in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-#"}
DASHES = [
    "-",
    "\u2010",
    "\u2011",
    "\u2012",
    "\u2013",
    "\u2014",
    "\u2015",
    "\u2212",
    "\ufe63",
    "\uff0d",
    "\u2e3a",
    "\u30fc",
]
SPACES = [
    " ",
    "\t",
    "\u00a0",
    "\u3000",
    "\u2002",
    "\u2009",
    "\u202f",
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\ufeff",
    "\u00ad",
]
# What a typist may enter for each character of the alphabet (Crockford's look-alikes included).
SPELLINGS = {ch: {ch, ch.lower()} for ch in CROCKFORD}
SPELLINGS["0"] |= {"O", "o"}
SPELLINGS["1"] |= {"I", "i", "L", "l"}


@pytest.mark.parametrize(
    "typed",
    [
        "ＲＧ７８－ＲＳＶＸ－ＷＺＢＴ",  # a Chinese IME in 全角 mode
        "ｒｇ７８ｒｓｖｘｗｚｂｔ",
        "RG78\u2010RSVX\u2011WZBT",
        "RG78\u2012RSVX\u2013WZBT",
        "RG78\u2014RSVX\u2015WZBT",
        "RG78\u2212RSVX\ufe63WZBT",
        "RG78——RSVX——WZBT",  # the Chinese IME's dash is two em dashes
        "RG78\u00a0RSVX\u3000WZBT",
        "RG78\u200bRSVX\u200dWZBT",
        "\ufeffRG78 RSVX WZBT\u200b",
        "\u3000ＲＧ７８　ＲＳＶＸ　ＷＺＢＴ\u3000",
        "https://kaoping.example.gov.cn/b/＃ＲＧ７８－ＲＳＶＸ－ＷＺＢＴ",
    ],
)
def test_full_width_letters_digits_dashes_and_unicode_spaces_are_the_same_code(typed):
    assert codes.normalize(typed) == "RG78RSVXWZBT"


@st.composite
def typed_forms(draw) -> tuple[str, str]:
    """A valid code and one way of typing it: each character in any case, full or half width,
    or as a look-alike; any separators between characters; a pasted slip URL or not."""
    code = draw(st.text(alphabet=CROCKFORD, min_size=12, max_size=12))
    parts = []
    for ch in code:
        parts.append(draw(st.lists(st.sampled_from(DASHES + SPACES), max_size=2)))
        spelled = draw(st.sampled_from(sorted(SPELLINGS[ch])))
        parts.append([FULL_WIDTH.get(spelled, spelled) if draw(st.booleans()) else spelled])
    parts.append(draw(st.lists(st.sampled_from(DASHES + SPACES), max_size=2)))
    typed = "".join("".join(p) for p in parts)
    if draw(st.booleans()):
        typed = draw(st.sampled_from(["http://127.0.0.1:8000/b/#", "https://kaoping.example.gov.cn/b/＃"])) + typed
    return code, typed


@settings(max_examples=500, deadline=None)
@given(typed_forms())
def test_every_form_of_a_valid_code_is_that_code(case):
    code, typed = case
    assert codes.normalize(typed) == code
    assert codes.parse(typed) == code


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=40))
def test_anything_is_either_a_code_or_refused_with_a_reason(typed):
    try:
        code = codes.parse(typed)
    except codes.CodeFormError as exc:
        assert codes.normalize(typed) is None
        assert exc.message in (codes.EMPTY, codes.TOO_LONG, codes.BAD_CHARACTERS, codes.WRONG_LENGTH)
        assert str(exc) == exc.message.format(**exc.params)
    else:
        assert len(code) == 12 and set(code) <= set(CROCKFORD)
        assert codes.normalize(code) == code  # canonical forms are fixed points


@pytest.mark.parametrize(
    ("typed", "message", "params"),
    [
        ("", codes.EMPTY, {}),
        (" -\u3000\u200b", codes.EMPTY, {}),
        ("ABCD-EFGH-JKM", codes.WRONG_LENGTH, {"example": "ABCD-EFGH-JKMN", "count": 11}),
        ("ＡＢＣＤ－ＥＦＧＨ－ＪＫＭＮＰ", codes.WRONG_LENGTH, {"example": "ABCD-EFGH-JKMN", "count": 13}),
        ("ABCD-EFGH-JKMU", codes.BAD_CHARACTERS, {"example": "ABCD-EFGH-JKMN", "characters": "U"}),
        ("ABCD_EFGH.JKMN", codes.BAD_CHARACTERS, {"example": "ABCD-EFGH-JKMN", "characters": "_ ."}),
        ("ABCD-EFGH-JKMN" + " " * 5000, codes.TOO_LONG, {"example": "ABCD-EFGH-JKMN"}),
    ],
)
def test_what_cannot_be_a_code_says_why(typed, message, params):
    with pytest.raises(codes.CodeFormError) as refused:
        codes.parse(typed)
    assert (refused.value.message, refused.value.params) == (message, params)
