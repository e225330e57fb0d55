"""Whether a name contains a word, answered along ``person_name_grams`` (``core.models.name_grams``)
instead of a LIKE '%word%' read from every person of the locality."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import col, select

from core.models import Person, PersonNameGram


def _like_anywhere(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def name_contains(locality_id: int, word: str):
    """A condition on ``Person``: its name contains ``word`` (any case). One or two characters
    are a gram of their own; a longer word is looked up by its first two characters and then
    checked against the few names that have them."""
    word = word.lower()
    people = select(PersonNameGram.person_id).where(
        PersonNameGram.locality_id == locality_id, PersonNameGram.gram == word[:2]
    )
    found = col(Person.id).in_(people)
    if len(word) > 2:
        return found & func.lower(Person.name).like(_like_anywhere(word), escape="\\")
    return found
