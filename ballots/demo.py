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
        f"An open demo campaign has {len(job.slips)} one-time accounts; their slips are in {path}.",
        f"Vote with one of them now: {url}",
    ]
