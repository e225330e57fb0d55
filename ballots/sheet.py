"""The ballot sheet: what a category of an open campaign votes on (cached per process), the
checks of a ballot's items and its campaign's distribution policies, and the parts both
submission paths share (receipts, replays, lost claims). The evaluator's view and drafts are
in ``ballots.evaluator``.
"""

from __future__ import annotations

import hmac
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Annotated, Any

import msgspec
from pydantic import ValidationError
from sqlalchemy import JSON, DateTime, Integer, LargeBinary, String, column, text
from sqlmodel import Session, col, select

from ballots.login import BallotSession, _check_account, _check_open
from core.context import AppContext
from core.models import (
    AccountStatus,
    CampaignCategory,
    CampaignStatus,
    CampaignSubject,
    IndicatorTemplate,
    Subject,
)
from core.scoring import BallotCheck, IndicatorData, SubjectData, TemplateData
from core.services.campaigns import as_utc
from core.services.errors import Conflict, Forbidden, Invalid, Unauthorized
from core.services.plugins import policies_for
from core.services.templates import graded_leaves, load_indicators

MAX_COMMENT = 2000


# The ballot body is a msgspec Struct, not a pydantic model: it is what a whole meeting posts
# at once (100+ items each), and Litestar decodes and checks a Struct in one pass of C code.
# Unknown fields are refused, as with the pydantic ``In`` models.


class ItemIn(msgspec.Struct, forbid_unknown_fields=True):
    subject_id: int
    indicator: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    grade: Annotated[str, msgspec.Meta(min_length=1, max_length=20)]


class BallotIn(msgspec.Struct, forbid_unknown_fields=True):
    items: Annotated[list[ItemIn], msgspec.Meta(max_length=20000)] = msgspec.field(default_factory=list)
    comment: Annotated[str, msgspec.Meta(max_length=MAX_COMMENT)] = ""


class SubmitOut(msgspec.Struct):
    status: str
    valid: bool
    reason: str | None = None


@dataclass(frozen=True)
class BallotSheet:
    """What a category of an open campaign votes on. It cannot change while the campaign is
    open (subjects, categories and templates are frozen), so each process keeps it in a small
    cache; account and campaign status are read fresh on every request."""

    category_name: str
    template_id: int
    subjects: tuple[dict[str, Any], ...]  # id, name, kind, category
    leaves: dict[str, int]  # graded leaf code -> indicator id, in tree order
    grades: tuple[str, ...]
    template: TemplateData | None = None  # for distribution policies (hidden scores: never shown)
    subject_data: tuple[SubjectData, ...] = ()

    # What every submission checks against, computed once per cached sheet (not per request).
    @cached_property
    def subject_ids(self) -> frozenset[int]:
        return frozenset(s["id"] for s in self.subjects)

    @cached_property
    def grade_index(self) -> dict[str, int]:
        """Grade label -> its index in the scale (what a sealed ballot stores)."""
        return {label: i for i, label in enumerate(self.grades)}

    @cached_property
    def item_count(self) -> int:
        """Items of a complete ballot: every subject on every graded leaf."""
        return len(self.subjects) * len(self.leaves)


@dataclass(frozen=True)
class AccountRow:
    id: int
    status: str
    category_id: int
    receipt: bytes | None = None


@dataclass(frozen=True)
class CampaignRow:
    id: int
    locality_id: int
    name: str
    kind: str
    status: str
    opens_at: datetime | None
    closes_at: datetime | None
    created_at: datetime
    distribution: list = field(default_factory=list)  # [{policy, options}]


@dataclass
class BallotContext:
    account: AccountRow
    campaign: CampaignRow
    sheet: BallotSheet

    @property
    def subject_ids(self) -> list[int]:
        return [s["id"] for s in self.sheet.subjects]


_SHEETS: OrderedDict[tuple, BallotSheet] = OrderedDict()
_SHEETS_LOCK = threading.Lock()
_SHEETS_MAX = 256


_URL_TEXT: dict[int, tuple[Any, str]] = {}  # id(engine URL) -> (the URL, its text)


def _url_text(url: Any) -> str:
    """``str(url)`` of an engine's URL, rendered once per URL object (rendering costs more than a
    lookup, on every submission)."""
    hit = _URL_TEXT.get(id(url))
    if hit is None or hit[0] is not url:
        if len(_URL_TEXT) > _SHEETS_MAX:
            _URL_TEXT.clear()
        hit = _URL_TEXT[id(url)] = (url, str(url))
    return hit[1]


def _sheet_key(url: Any, campaign: CampaignRow, category_id: int) -> tuple:
    # Keyed by database, campaign (with its creation time: ids restart in a new database) and category.
    return (_url_text(url), campaign.id, as_utc(campaign.created_at), category_id)


def _cached_sheet(key: tuple) -> BallotSheet | None:
    with _SHEETS_LOCK:
        sheet = _SHEETS.get(key)
        if sheet is not None:
            _SHEETS.move_to_end(key)
        return sheet


def _sheet(session: Session, campaign: CampaignRow, category_id: int) -> BallotSheet:
    key = _sheet_key(session.get_bind().engine.url, campaign, category_id)
    sheet = _cached_sheet(key)
    if sheet is not None:
        return sheet
    category = session.get(CampaignCategory, category_id)
    template = session.get(IndicatorTemplate, category.template_id)
    query = (
        select(Subject)
        .join(CampaignSubject, CampaignSubject.subject_id == Subject.id)
        .where(CampaignSubject.campaign_id == campaign.id)
        .order_by(col(Subject.id))
    )
    if category.subject_categories:
        query = query.where(col(Subject.category).in_(category.subject_categories))
    subjects = list(session.exec(query))
    indicators = load_indicators(session, template.id)
    sheet = BallotSheet(
        category_name=category.name,
        template_id=template.id,
        subjects=tuple({"id": s.id, "name": s.name, "kind": s.kind, "category": s.category} for s in subjects),
        leaves={i.code: i.id for i in graded_leaves(indicators)},
        grades=tuple(g["label"] for g in template.grade_scale),
        template=TemplateData(
            id=template.id,
            grades=tuple((g["label"], float(g["score"])) for g in template.grade_scale),
            indicators=tuple(
                IndicatorData(
                    id=i.id,
                    code=i.code,
                    name=i.name,
                    parent_id=i.parent_id,
                    kind=i.kind,
                    weight=i.weight,
                    max_score=i.max_score,
                    overall=i.overall,
                )
                for i in indicators
            ),
        ),
        subject_data=tuple(
            SubjectData(id=s.id, name=s.name, kind=s.kind, ref_id=s.ref_id, category=s.category) for s in subjects
        ),
    )
    if campaign.status == CampaignStatus.open:
        with _SHEETS_LOCK:
            _SHEETS[key] = sheet
            while len(_SHEETS) > _SHEETS_MAX:
                _SHEETS.popitem(last=False)
    return sheet


# The statements of the hot path (a meeting submitting at once), written once as SQL: building
# and caching ORM statements per request cost more than the work they do.
_LOAD_SQL = text(
    "SELECT a.id, a.status, a.category_id, c.id, c.locality_id, c.name, c.kind, c.status, c.opens_at, c.closes_at,"
    " c.created_at, c.distribution, a.receipt"
    " FROM ballot_accounts a JOIN campaigns c ON c.id = a.campaign_id WHERE a.id = :account_id"
).columns(
    column("a_id", Integer),
    column("a_status", String),
    column("category_id", Integer),
    column("c_id", Integer),
    column("locality_id", Integer),
    column("name", String),
    column("kind", String),
    column("c_status", String),
    column("opens_at", DateTime(timezone=True)),
    column("closes_at", DateTime(timezone=True)),
    column("created_at", DateTime(timezone=True)),
    column("distribution", JSON),
    column("receipt", LargeBinary),
)


def _rows(ballot: BallotSession, row: Any, *, replayable: bool = False) -> tuple[AccountRow, CampaignRow]:
    """The account and campaign of a ``_LOAD_SQL`` row, checked: 401, 403 or 409 if it may not vote.
    With ``replayable`` (submission) a used account passes unchecked: the caller compares receipts."""
    if row is None or row[3] != ballot.campaign_id:
        raise Unauthorized("sign in with the code on your slip first")
    account = AccountRow(id=row[0], status=row[1], category_id=row[2], receipt=row[12])
    campaign = CampaignRow(
        id=row[3],
        locality_id=row[4],
        name=row[5],
        kind=row[6],
        status=row[7],
        opens_at=row[8],
        closes_at=row[9],
        created_at=row[10],
        distribution=row[11] or [],
    )
    if replayable and account.status == AccountStatus.submitted:
        return account, campaign
    _check_account(account)
    _check_open(campaign)
    return account, campaign


def _load(session: Session, ballot: BallotSession) -> BallotContext:
    account, campaign = _rows(ballot, session.execute(_LOAD_SQL, {"account_id": ballot.account_id}).first())
    return BallotContext(account=account, campaign=campaign, sheet=_sheet(session, campaign, account.category_id))


def _policies(session: Session, bc: BallotContext) -> list[tuple[Any, Any]]:
    """The campaign's distribution policies with their options, loaded only when it names some.
    A policy the locality no longer provides is skipped (disabling one used by an open
    campaign is refused, see core.services.plugins.set_plugin)."""
    if not bc.campaign.distribution:
        return []
    available = policies_for(session, bc.campaign.locality_id)
    chosen = []
    for entry in bc.campaign.distribution:
        policy = available.get(entry.get("policy"))
        if policy is not None:
            try:
                chosen.append((policy, policy.options_model.model_validate(entry.get("options") or {})))
            except ValidationError:  # checked when the campaign is saved: a stored error is the office's to fix
                raise Conflict(
                    f"the options of policy {policy.name} of this campaign are not valid; ask the organisers"
                ) from None
    return chosen


def _verdict(
    bc: BallotContext, policies: list[tuple[Any, Any]], triples: list[tuple[int, int, int]]
) -> tuple[bool, str | None]:
    """Run the per-ballot policies: 422 for a refusing one, else (valid, reason)."""
    if not policies:
        return True, None
    check = BallotCheck(
        campaign_id=bc.campaign.id,
        category=bc.sheet.category_name,
        template=bc.sheet.template,
        subjects=list(bc.sheet.subject_data),
        grades={(s, i): g for s, i, g in triples},
    )
    reasons = []
    for policy, options in policies:
        verdict = policy.check_ballot(check, options)
        if verdict is None or verdict.valid:
            continue
        reason = verdict.reason or f"the ballot breaks {policy.name}"
        if verdict.reject:
            raise Invalid(reason, errors=[{"field": "items", "message": reason}])
        reasons.append(reason)
    return (False, "; ".join(reasons)) if reasons else (True, None)


def _complete_triples(sheet: BallotSheet, items: list[ItemIn]) -> list[tuple[int, int, int]] | None:
    """The triples of a complete and valid ballot in one pass over its items, or None when
    anything is off (then ``_check_items`` goes through it again and says what)."""
    if len(items) != sheet.item_count:
        return None
    subjects, leaves, grades = sheet.subject_ids, sheet.leaves, sheet.grade_index
    try:
        triples = [(i.subject_id, leaves[i.indicator], grades[i.grade]) for i in items if i.subject_id in subjects]
    except KeyError:
        return None
    if len(triples) != len(items) or len({(s, leaf) for s, leaf, _ in triples}) != len(items):
        return None  # a subject not on the ballot, or an item twice (so another one is missing)
    return triples


def _check_items(bc: BallotContext, data: BallotIn, *, complete: bool) -> list[tuple[int, int, int]]:
    """Validate items against the ballot; return (subject_id, indicator_id, grade index) triples
    in the order of the items. ``Invalid`` (422) lists every faulty or missing item."""
    sheet = bc.sheet
    if complete and (triples := _complete_triples(sheet, data.items)) is not None:
        return triples  # the common case: a whole meeting's ballots, each complete
    subject_ids = sheet.subject_ids
    grade_index = sheet.grade_index
    errors: list[dict[str, str]] = []
    seen: set[tuple[int, str]] = set()
    triples: list[tuple[int, int, int]] = []
    for index, item in enumerate(data.items):
        where = f"items[{index}]"
        if item.subject_id not in subject_ids:
            errors.append(
                {"field": f"{where}.subject_id", "message": f"subject {item.subject_id} is not on this ballot"}
            )
            continue
        if item.indicator not in sheet.leaves:
            errors.append(
                {"field": f"{where}.indicator", "message": f"indicator {item.indicator} is not on this ballot"}
            )
            continue
        if item.grade not in grade_index:
            errors.append({"field": f"{where}.grade", "message": f"grade must be one of {', '.join(sheet.grades)}"})
            continue
        key = (item.subject_id, item.indicator)
        if key in seen:
            errors.append({"field": where, "message": f"subject {item.subject_id}, indicator {item.indicator} twice"})
            continue
        seen.add(key)
        triples.append((item.subject_id, sheet.leaves[item.indicator], grade_index[item.grade]))
    if errors:
        raise Invalid(f"{len(errors)} item(s) are not valid", errors=errors)
    if complete:
        missing = [
            {"subject_id": s["id"], "subject": s["name"], "indicator": code}
            for s in sheet.subjects
            for code in sheet.leaves
            if (s["id"], code) not in seen
        ]
        if missing:
            raise Invalid(
                f"{len(missing)} item(s) are missing; rate every subject on every indicator",
                errors=[
                    {
                        "field": f"subject {m['subject_id']} ({m['subject']}), indicator {m['indicator']}",
                        "message": "missing",
                    }
                    for m in missing
                ],
            )
    return triples


def _receipt(ctx: AppContext, ballot: BallotSession, triples: list[tuple[int, int, int]], comment: str) -> bytes:
    return ctx.keys.receipt(ballot.nonce, msgspec.msgpack.encode([sorted(triples), comment]))


def _replay(
    ctx: AppContext,
    ballot: BallotSession,
    bc: BallotContext,
    policies: list[tuple[Any, Any]],
    data: BallotIn,
    stored: bytes | None,
) -> SubmitOut:
    """A submission from a used account: the same ballot again from the session that cast it (a
    double click, a reload, a retried request) gets the answer it got then; anything else 409."""
    try:
        triples = _check_items(bc, data, complete=True)
        valid, reason = _verdict(bc, policies, triples)
    except Invalid:
        triples = None
    if (
        triples is None
        or stored is None
        or not hmac.compare_digest(bytes(stored), _receipt(ctx, ballot, triples, data.comment))
    ):
        raise Conflict("this code has already been used to submit a ballot")
    return SubmitOut(status="submitted", valid=valid, reason=reason)


def _refuse_claim(status: str) -> None:
    if status == AccountStatus.revoked:
        raise Forbidden("this code has been revoked")
    raise Conflict("this code has already been used to submit a ballot")


def _claim_lost(status: str, stored: bytes | None, receipt: bytes, valid: bool, reason: str | None) -> SubmitOut:
    """The claim found the account used: a racing copy of this very ballot (a double click) won,
    and this one gets the same answer; else 403/409."""
    if status == AccountStatus.submitted and stored is not None and hmac.compare_digest(bytes(stored), receipt):
        return SubmitOut(status="submitted", valid=valid, reason=reason)
    _refuse_claim(status)


@dataclass(frozen=True)
class _Prepared:
    sheet: BallotSheet
    policies: list[tuple[Any, Any]]


# The distribution policies of an open campaign's categories, keyed as _SHEETS (only for
# campaigns that name some): with them cached, a forced-distribution ballot takes the same
# path as any other (no read of the plugins per submission).
_POLICIES: OrderedDict[tuple, list[tuple[Any, Any]]] = OrderedDict()


def _cached_prepared(url: Any, campaign: CampaignRow, category_id: int) -> _Prepared | None:
    """The cached sheet and policies of a category of an open campaign, or None (``_prepare`` them)."""
    key = _sheet_key(url, campaign, category_id)
    sheet = _cached_sheet(key)
    if sheet is None:
        return None
    if not campaign.distribution:
        return _Prepared(sheet, [])
    with _SHEETS_LOCK:
        policies = _POLICIES.get(key)
    return None if policies is None else _Prepared(sheet, policies)


def _prepare(ctx: AppContext, account: AccountRow, campaign: CampaignRow) -> _Prepared:
    # Both cannot change while the campaign is open: its distribution is frozen, and a policy
    # an open campaign uses cannot be disabled (core.services.plugins.set_plugin).
    with ctx.db.read() as session:
        sheet = _sheet(session, campaign, account.category_id)
        policies = _policies(session, BallotContext(account=account, campaign=campaign, sheet=sheet))
        if campaign.distribution and campaign.status == CampaignStatus.open:
            key = _sheet_key(session.get_bind().engine.url, campaign, account.category_id)
            with _SHEETS_LOCK:
                _POLICIES[key] = policies
                while len(_POLICIES) > _SHEETS_MAX:
                    _POLICIES.popitem(last=False)
        return _Prepared(sheet, policies)
