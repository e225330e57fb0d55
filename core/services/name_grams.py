"""Whether a name contains a word, answered along ``person_name_grams`` (``core.models.name_grams``)
instead of a LIKE '%word%' read from every person of the locality."""

from __future__ import annotations

import string

from sqlalchemy import func
from sqlmodel import col, select

from core.models import Person, PersonNameGram

_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def _like_anywhere(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def name_contains(locality_id: int, word: str, *, sqlite: bool):
    """A condition on ``Person``: its name contains ``word`` (A-Z in any case, as the grams are
    kept). One or two characters are a gram of their own; a longer word is looked up by its
    first two characters and then checked against the few names that have them."""
    word = word.translate(_LOWER)
    people = select(PersonNameGram.person_id).where(
        PersonNameGram.locality_id == locality_id, PersonNameGram.gram == word[:2]
    )
    found = col(Person.id).in_(people)
    if len(word) <= 2:
        return found
    # SQLite's LIKE ignores the case of A-Z itself; PostgreSQL's is told to, A-Z only, as the grams
    name = col(Person.name) if sqlite else func.translate(Person.name, string.ascii_uppercase, string.ascii_lowercase)
    return found & name.like(_like_anywhere(word), escape="\\")
