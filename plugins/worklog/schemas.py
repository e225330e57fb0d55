"""The worklog's input and output shapes (the API answers these; pages render them)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from core.schemas.base import In
from plugins.worklog.models import EntryKind, EntryStatus

MAX_BODY = 20_000  # characters of one entry


class EntryIn(In):
    """The text of an entry (plain text; line breaks are kept), at most 20,000 characters;
    ``submit``: submit it now (a draft becomes visible to its readers)."""

    body: str = Field(max_length=MAX_BODY)
    submit: bool = False


class VersionOut(BaseModel):
    number: int
    body: str
    written_by: str
    written_at: datetime


class ViewOut(BaseModel):
    viewer: str
    first_viewed_at: datetime
    last_viewed_at: datetime


class EntryOut(BaseModel):
    """An entry. ``status``: ``draft`` or ``submitted``; ``versions``: how many submitted
    versions are kept; ``mine``: whether the reader is its author (and may change it)."""

    id: int
    person_id: int
    person_name: str
    kind: EntryKind
    period: str
    status: EntryStatus
    body: str
    versions: int
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    mine: bool = False
    comments: int = 0  # on a board and in a history: how many comments and likes it has
    likes: int = 0


class EntryDetail(EntryOut):
    """An entry with its submitted versions (oldest first) and who viewed it (for its author
    and the office)."""

    history: list[VersionOut] = []
    views: list[ViewOut] = []


class Slot(BaseModel):
    """One entry a person is expected to write for a period: ``entry`` is null while none;
    ``closed``: the office locked the quarter the period counts in, so it no longer changes."""

    kind: EntryKind
    period: str
    entry: EntryOut | None = None
    closed: bool = False


class Overview(BaseModel):
    """A person's week at a glance: the entries of the week, month and quarter of ``day``;
    ``days``: the optional daily records (日记实) of the week's days that have begun, where the
    locality keeps them (empty otherwise; never counted as due)."""

    person_id: int
    person_name: str
    day: date
    slots: list[Slot]
    days: list[Slot] = []


class HistoryPage(BaseModel):
    items: list[EntryOut]
    total: int
    limit: int
    offset: int


class BoardRow(BaseModel):
    """One supervised person: per kind of the period, the submitted entry or null (missing;
    a draft counts as missing)."""

    person_id: int
    person_name: str
    unit_id: int | None
    entries: dict[str, EntryOut | None]


class Board(BaseModel):
    period: str
    kinds: list[EntryKind]
    unit_id: int | None
    rows: list[BoardRow]  # one page of the people, in id order
    submitted: int  # of all the board's people (every page), as is missing
    missing: int
    total: int = 0  # the people on the board, every page
    limit: int = 50
    offset: int = 0
