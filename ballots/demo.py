"""The demo campaign: an open democratic evaluation of the demo team, with printed slips."""

from __future__ import annotations

import json

from sqlmodel import select

from ballots import service
from ballots.codes import display
from ballots.slips import write_slips
from core.context import Actor, AppContext
from core.demo import DATA_DIR
from core.models import Locality, Subject
from core.schemas.campaigns import CampaignIn, CategoryIn
from core.schemas.indicators import TemplateIn
from core.services import campaigns, templates

TEMPLATE_FILE = DATA_DIR / "template-annual-civil-servant.json"
CATEGORIES = [("县领导", 30, 5), ("部门负责人", 30, 10), ("基层代表", 40, 15)]  # name, weight, accounts


LAST_YEAR_COMMENTS = ["工作扎实，群众认可。", "希望加强调查研究。", "敢于担当，作风务实。", ""]


def _vote_last_year(ctx: AppContext, accounts: list, seed: int) -> None:
    """Each account votes once through the evaluator's own path (login, sheet, submit), grades
    drawn from a fixed seed leaning to the better ones, so the demo's results are the same each time."""
    import asyncio
    import random
    from concurrent.futures import ThreadPoolExecutor

    from ballots.evaluator import view
    from ballots.login import login, read_token
    from ballots.sheet import BallotIn, ItemIn
    from ballots.submit import submit

    draw = random.Random(seed)
    for account in accounts:
        ballot = read_token(ctx, login(ctx, account.code, "127.0.0.1").token)
        sheet = view(ctx, ballot)
        grades = sheet["grades"]
        items = [
            ItemIn(
                subject_id=subject["id"],
                indicator=leaf,
                grade=draw.choices(grades, weights=[5, 8, 2, 1][: len(grades)])[0],
            )
            for subject in sheet["subjects"]
            for leaf in sheet["leaves"]
        ]
        data = BallotIn(items=items, comment=draw.choice(LAST_YEAR_COMMENTS))
        # the submit path is async; the demo may be loaded from a command or inside a running loop
        with ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(asyncio.run, submit(ctx, ballot, data)).result()


def load_last_years_campaign(
    ctx: AppContext, actor: Actor, locality_code: str, template_id: int, subject_ids: list[int]
) -> int:
    """Last year's evaluation of the same people, voted, closed and tallied (not published): the
    results pages, charts and reports have numbers to show, and this year's can be compared."""
    from core.services import tally

    campaign = campaigns.create(
        ctx,
        actor,
        locality_code,
        CampaignIn(
            name="2025年度领导班子成员民主测评",
            kind="democratic",
            subject_ids=subject_ids,
            categories=[
                CategoryIn(name=name, weight=weight, template_id=template_id) for name, weight, _ in CATEGORIES
            ],
        ),
    )
    issued = []
    for name, _weight, count in CATEGORIES:
        issued += service.issue_accounts(
            ctx, actor, campaign.id, service.AccountsIn(category=name, count=count)
        ).accounts
    campaigns.open_campaign(ctx, actor, campaign.id)
    _vote_last_year(ctx, issued[: len(issued) - 3], seed=2025)  # three evaluators did not vote
    campaigns.close_campaign(ctx, actor, campaign.id)
    tally.tally(ctx, actor, campaign.id)
    return campaign.id


def load_demo_campaign(ctx: AppContext, actor: Actor, locality_code: str) -> list[str]:
    template = templates.create(
        ctx, actor, locality_code, TemplateIn.model_validate(json.loads(TEMPLATE_FILE.read_text(encoding="utf-8")))
    )
    with ctx.db.read() as session:
        locality = session.exec(select(Locality).where(Locality.code == locality_code)).one()
        subject_ids = list(
            session.exec(
                select(Subject.id)
                .where(Subject.locality_id == locality.id, Subject.kind == "person")
                .order_by(Subject.id)
            )
        )
    last_year = load_last_years_campaign(ctx, actor, locality_code, template.id, subject_ids)
    campaign = campaigns.create(
        ctx,
        actor,
        locality_code,
        CampaignIn(
            name="2026年度领导班子成员民主测评",
            kind="democratic",
            subject_ids=subject_ids,
            categories=[
                CategoryIn(name=name, weight=weight, template_id=template.id) for name, weight, _ in CATEGORIES
            ],
        ),
    )
    for name, _weight, count in CATEGORIES:
        service.issue_accounts(ctx, actor, campaign.id, service.AccountsIn(category=name, count=count))
    campaigns.open_campaign(ctx, actor, campaign.id)
    job = service.slips_to_print(ctx, actor, campaign.id)
    path = ctx.settings.var_dir / "demo-slips.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_slips(handle, job.campaign_name, job.slips, base_url=ctx.settings.resolved_base_url)
    first = job.slips[0]
    url = f"{ctx.settings.resolved_base_url}/b/#{display(first.code)}"
    return [
        "",
        f"Last year's campaign (2025) is tallied: its results, charts and reports are at "
        f"{ctx.settings.resolved_base_url}/admin/localities/{locality_code}/campaigns/{last_year}/results",
        f"An open demo campaign has {len(job.slips)} one-time accounts; their slips are in {path}.",
        f"Vote with one of them now: {url}",
    ]
