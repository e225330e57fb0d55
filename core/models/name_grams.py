"""The characters and pairs of adjacent characters of each person's name, A-Z lower-cased
(``person_name_grams``), so "the name contains ..." finds people along an index instead of
reading every name of the locality (a LIKE '%...%' over 100,000 people).

Chinese names are two to four characters and a search is often two (a given name), which a
trigram index cannot serve; every one- or two-character word is a gram here, a longer word is
looked up by its first pair and checked against the name. The rows are kept by database
triggers on ``people`` (migration 0024), so every way people are written (the services, the
imports' COPY, plain SQL) keeps them; nothing in Python writes them."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class PersonNameGram(SQLModel, table=True):
    __tablename__ = "person_name_grams"
    # one B-tree, the key (SQLite: WITHOUT ROWID); a person's rows are deleted by their keys
    __table_args__ = {"sqlite_with_rowid": False}

    locality_id: int = Field(primary_key=True)
    gram: str = Field(primary_key=True, max_length=2)
    person_id: int = Field(primary_key=True)
