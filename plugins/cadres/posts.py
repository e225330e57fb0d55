"""Post kinds (职务类别): a small dictionary that names what a post is, whatever the unit, so
the condition search finds "a former township party secretary" by an index lookup instead of a
LIKE over every post record.

``post_kind(unit_name, post)`` is worked out when a post is written (``cadre_posts.post_kind``,
by the mapper events below for every ORM write, and by hand where rows are inserted in bulk):
``羊场镇`` + ``党委书记``, ``羊场镇党委书记`` and ``乡镇党委书记`` are all
``township_party_secretary``. A search text that is itself a kind's name (``乡镇党委书记``,
``镇长``, ``局长``) is matched by kind (``kind_of_text``); any other text by ``contains``.

Rules are tried in order (deputies before the posts their names contain); a post no rule
names has the empty kind."""

from __future__ import annotations

import re
from functools import lru_cache

from sqlalchemy import event

_TOWNSHIP = r"(乡|镇|街道|苏木)"
# (kind, Chinese name, pattern over the unit's name followed by the post, spaces removed)
KINDS: tuple[tuple[str, str, str], ...] = (
    ("township_deputy_party_secretary", "乡镇党委副书记", _TOWNSHIP + r".*党(工)?委副书记"),
    ("township_discipline_secretary", "乡镇纪委书记", _TOWNSHIP + r".*纪(工)?委书记"),
    ("township_party_secretary", "乡镇党委书记", _TOWNSHIP + r".*党(工)?委书记"),
    ("township_congress_chair", "乡镇人大主席", r"(乡|镇).*人大主席"),
    ("township_deputy_head", "副乡镇长", r"副(乡|镇)长|街道办事处副主任"),
    ("township_head", "乡镇长", r"(乡|镇)长|街道办事处主任"),
    ("township_organisation_member", "乡镇组织委员", _TOWNSHIP + r".*组织委员"),
    ("county_deputy_party_secretary", "县委副书记", r"县委副书记"),
    ("county_party_secretary", "县委书记", r"县委书记"),
    ("county_deputy_head", "副县长", r"副县长"),
    ("county_head", "县长", r"县长"),
    ("party_group_deputy_secretary", "党组副书记", r"党组副书记"),
    ("party_group_secretary", "党组书记", r"党组书记"),
    ("deputy_bureau_chief", "副局长", r"副局长"),
    ("bureau_chief", "局长", r"局长"),
    ("deputy_director", "副主任", r"副主任"),
    ("director", "主任", r"主任"),
    ("deputy_section_chief", "副科长", r"副科长"),
    ("section_chief", "科长", r"科长"),
)
_RULES = tuple((kind, re.compile(pattern)) for kind, _name, pattern in KINDS)
# names a search may use for a kind, besides its Chinese name
SYNONYMS = {
    "乡党委书记": "township_party_secretary",
    "镇党委书记": "township_party_secretary",
    "街道党工委书记": "township_party_secretary",
    "乡镇党委书记": "township_party_secretary",
    "镇长": "township_head",
    "乡长": "township_head",
    "副镇长": "township_deputy_head",
    "副乡长": "township_deputy_head",
}
_NAMES = {**{name: kind for kind, name, _p in KINDS}, **SYNONYMS}
MAX_KIND = 40


def _squeeze(text: str) -> str:
    return "".join((text or "").split())


@lru_cache(maxsize=4096)
def post_kind(unit_name: str, post: str) -> str:
    """The kind of ``post`` held in ``unit_name`` (``""`` when no rule names it)."""
    text = _squeeze(unit_name) + _squeeze(post)
    for kind, pattern in _RULES:
        if pattern.search(text):
            return kind
    return ""


def kind_of_text(text: str) -> str | None:
    """The kind a search text names (``乡镇党委书记``, ``镇长``, ``局长``), or None for any other
    text (searched as written, by ``contains``)."""
    return _NAMES.get(_squeeze(text))


def _fill(_mapper, _connection, target) -> None:
    target.post_kind = post_kind(target.unit_name or "", target.post or "")


def listen(post_record: type) -> None:
    """Keep ``post_kind`` of ``post_record`` rows written through the ORM in step with their
    unit name and post."""
    event.listen(post_record, "before_insert", _fill)
    event.listen(post_record, "before_update", _fill)
