"""One-time account codes: their shape, their randomness and the forgiving way they are typed."""

from __future__ import annotations

import math

import pytest

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


@pytest.mark.parametrize("typed", [
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
])
def test_normalize_ignores_case_dashes_spaces_and_a_pasted_url(typed):
    assert codes.normalize(typed) == "ABCDEFGHJKMN"


def test_normalize_maps_look_alikes():
    assert codes.normalize("oo11-2345-6789") == "001123456789"
    assert codes.normalize("O0I1-L1o0-iLlO") == "001111001110"


def test_the_qr_link_printed_on_a_slip_gives_back_its_code():
    code = codes.new_code()
    assert codes.normalize(f"http://127.0.0.1:8000/b/#{codes.display(code)}") == code


@pytest.mark.parametrize("typed", [
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
])
def test_normalize_refuses_what_cannot_be_a_code(typed):
    assert codes.normalize(typed) is None
