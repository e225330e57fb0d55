"""The evaluator's side of a ballot before it is cast: the ballot as shown (labels only, never
the hidden scores, with what the distribution policies count as the picks are made) and its
drafts (sealed, opened again when the page is shown). Built on ``ballots.sheet``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlmodel import col

from ballots.login import BallotSession
from ballots.sheet import BallotContext, BallotIn, _check_items, _load, _policies
from core.context import AppContext
from core.models import (
    AccountStatus,
    BallotAccount,
    BallotDraft,
)
from core.models.base import utcnow
from core.services import ballot_box
from core.services.campaigns import as_utc
from core.services.templates import indicator_tree, load_indicators


def _caps(bc: BallotContext, policies: list[tuple[Any, Any]]) -> list[dict[str, Any]]:
    """What the ballot page counts as the evaluator picks (e.g. 优秀 2/3)."""
    caps = []
    for policy, options in policies:
        caps_of = getattr(policy, "caps", None)
        if caps_of is None or bc.sheet.template is None:
            continue
        for cap in caps_of(bc.sheet.template, list(bc.sheet.subject_data), options):
            caps.append(
                {
                    key: cap.get(key)
                    for key in (
                        "grade",
                        "indicator",
                        "indicator_name",
                        "scope",
                        "category",
                        "subject_ids",
                        "total",
                        "allowed",
                        "action",
                    )
                }
            )
    return caps


def view(ctx: AppContext, ballot: BallotSession) -> dict[str, Any]:
    """The ballot as the evaluator sees it: labels only, never the hidden scores."""
    with ctx.db.read() as session:
        bc = _load(session, ballot)
        caps = _caps(bc, _policies(session, bc))
        draft = _read_draft(ctx, session.get(BallotDraft, bc.account.id))
        tree = indicator_tree(load_indicators(session, bc.sheet.template_id))

    def strip(node) -> dict[str, Any]:
        return {
            "code": node.code,
            "name": node.name,
            "kind": node.kind,
            "standard": node.standard,
            "overall": node.overall,
            "children": [strip(c) for c in node.children if c.kind == "graded"],
        }

    return {
        "campaign": {
            "id": bc.campaign.id,
            "name": bc.campaign.name,
            "kind": bc.campaign.kind,
            "closes_at": as_utc(bc.campaign.closes_at),
        },
        "category": bc.sheet.category_name,
        "status": bc.account.status,
        "subjects": [dict(s) for s in bc.sheet.subjects],
        "indicators": [strip(n) for n in tree if n.kind == "graded"],
        "leaves": list(bc.sheet.leaves),
        "grades": list(bc.sheet.grades),
        "draft": {"items": draft[0], "comment": draft[1]} if draft else None,
        "caps": caps,
    }


def save_draft(ctx: AppContext, ballot: BallotSession, data: BallotIn) -> dict[str, Any]:
    with ctx.db.write() as session:
        bc = _load(session, ballot)
        _check_items(bc, data, complete=False)
        items = [{"subject_id": i.subject_id, "indicator": i.indicator, "grade": i.grade} for i in data.items]
        draft = session.get(BallotDraft, bc.account.id)
        if draft is None:
            draft = BallotDraft(
                account_id=bc.account.id, locality_id=bc.campaign.locality_id, campaign_id=bc.campaign.id
            )
        draft.sealed = ballot_box.seal_draft(ctx.keys, bc.campaign.id, bc.account.id, items, data.comment)
        draft.items, draft.comment, draft.updated_at = [], "", utcnow()
        session.add(draft)
        session.execute(
            update(BallotAccount)
            .where(
                BallotAccount.id == bc.account.id,
                col(BallotAccount.status).in_([AccountStatus.issued, AccountStatus.logged_in]),
            )
            .values(status=AccountStatus.draft)
        )
        return {"status": "draft", "items": len(items)}


def _read_draft(ctx: AppContext, draft: BallotDraft | None) -> tuple[list[dict[str, Any]], str] | None:
    """A draft's (items, comment): sealed ones opened; one saved before sealing existed as stored."""
    if draft is None:
        return None
    if draft.sealed is None:
        return list(draft.items), draft.comment
    try:
        return ballot_box.open_draft(ctx.keys, draft.campaign_id, draft.account_id, draft.sealed)
    except ballot_box.SealError:  # sealed under another secret key: the evaluator starts again
        return None
