"""A new campaign, then its setup, one page per step: basics (name, kind, period, voting window), subjects
(by subject category, unit or team, filtered in SQL), evaluator categories (name, weight,
template, the subject categories each rates) and the scoring rule with distribution policies
(those the locality enabled, each with a form generated from its options schema). Each step
saves through ``core.services.campaigns.update_campaign`` (subjects through
``core.services.campaign_subjects``); a form keeps what was typed and shows each message
beside its field; once the campaign is open its setup is shown read-only.

This module holds the steps' frame (``STEPS``, ``_render``), a new campaign, basics and
subjects; the two scoring steps (evaluator categories, rule and policies) are in
``core.web.admin.campaign_scoring``."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from anyio.to_thread import run_sync
from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect
from pydantic import ValidationError

from core.schemas.campaigns import CampaignIn, CampaignPatch
from core.services import campaign_subjects
from core.services import campaigns as campaign_service
from core.services.errors import ServiceError
from core.web.admin.campaigns import KINDS, base_url, crumbs, labels, load
from core.web.admin.forms import keep, model_errors, to_int
from core.web.admin.menu import OFFICE
from core.web.admin.shell import Shell, field_errors, open_shell, paging

STEPS = ("basics", "subjects", "categories", "rules")
STEP_LABELS = {
    "basics": "Basics",
    "subjects": "Subjects",
    "categories": "Evaluator categories",
    "rules": "Scoring and distribution",
}
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def _render(shell: Shell, step: str, campaign, tabs, *, status_code: int = 200, **context: Any) -> Response:
    url = base_url(shell.code, campaign.id)
    steps = [(shell._(STEP_LABELS[s]), f"{url}/setup/{s}", s) for s in STEPS]
    following = STEPS.index(step) + 1
    next_step = steps[following] if following < len(steps) else (shell._("Overview"), url, "overview")
    return shell.render(
        f"admin/campaigns/setup_{step}.html",
        title=shell._(STEP_LABELS[step]),
        crumbs=crumbs(shell, campaign),
        campaign=campaign,
        tabs=tabs,
        current_tab="setup",
        steps=steps,
        step=step,
        next_step=next_step,
        frozen=campaign.status != "draft",
        writable=shell.locality["writable"],
        status_code=status_code,
        **labels(shell),
        **context,
    )


def _saved(shell: Shell, saved: str) -> str:
    return shell._("Saved.") if saved else ""


def _general(shell: Shell, exc: ServiceError, known: set[str], errors: dict[str, str]) -> str:
    return "" if errors and set(errors) <= known else field_errors(shell.tr, exc)[1]


# --- basics -------------------------------------------------------------------------------------


def _local(shell: Shell, value: datetime | None) -> str:
    return value.astimezone(ZoneInfo(shell.ctx.settings.timezone)).strftime(LOCAL_FORMAT) if value else ""


def read_basics(shell: Shell, data: dict[str, str]) -> tuple[dict[str, str], dict[str, Any], dict[str, str]]:
    """(the values as typed, the body for CampaignIn/CampaignPatch, errors of the times): the
    window's times are read in the locality's time zone."""
    values = {k: data.get(k, "").strip() for k in ("name", "kind", "period", "opens_at", "closes_at")}
    body: dict[str, Any] = {"name": values["name"], "kind": values["kind"], "period": values["period"] or None}
    values["subject_panels"] = body["subject_panels"] = data.get("subject_panels") == "on"
    errors: dict[str, str] = {}
    for key in ("opens_at", "closes_at"):
        if not values[key]:
            body[key] = None
            continue
        try:
            body[key] = datetime.strptime(values[key], LOCAL_FORMAT).replace(
                tzinfo=ZoneInfo(shell.ctx.settings.timezone)
            )
        except ValueError:
            errors[key] = shell._("Give a date and time, e.g. 2026-12-01T09:00.")
    if body.get("opens_at") and body.get("closes_at") and body["closes_at"] <= body["opens_at"]:
        errors["closes_at"] = shell._("closes_at must be after opens_at")
    return values, body, errors


def basics_form(
    shell: Shell,
    campaign,
    values: dict[str, str],
    errors: dict[str, str],
    *,
    tabs=None,
    message_text: str = "",
    status_code: int = 200,
) -> Response:
    """The basics form: of a new campaign (``campaign`` None) or of the setup's first step."""
    kinds = [(k, labels(shell)["kind_label"][k]) for k in KINDS]
    if campaign is None:
        return shell.render(
            "admin/campaigns/new.html",
            title=shell._("New campaign"),
            crumbs=[(shell.locality["name"], None), (shell._("Campaigns"), base_url(shell.code))],
            values=values,
            errors=errors,
            kinds=kinds,
            status_code=status_code,
        )
    return _render(
        shell,
        "basics",
        campaign,
        tabs,
        values=values,
        errors=errors,
        kinds=kinds,
        message=message_text,
        status_code=status_code,
    )


@get("/localities/{code:str}/campaigns/{campaign_id:int}/setup", include_in_schema=False)
async def setup_page(request: Request, code: FromPath[str], campaign_id: FromPath[int]) -> Response:
    shell = await open_shell(request, code, roles=OFFICE)
    await load(shell, campaign_id)
    return Redirect(f"{base_url(shell.code, campaign_id)}/setup/basics")


@get("/localities/{code:str}/campaigns/{campaign_id:int}/setup/basics", include_in_schema=False)
async def basics_page(
    request: Request, code: FromPath[str], campaign_id: FromPath[int], saved: FromQuery[str] = ""
) -> Response:
    shell = await open_shell(request, code, roles=OFFICE)
    campaign, tabs = await load(shell, campaign_id)
    values = {
        "name": campaign.name,
        "kind": campaign.kind,
        "period": campaign.period,
        "opens_at": _local(shell, campaign.opens_at),
        "closes_at": _local(shell, campaign.closes_at),
        "subject_panels": campaign.subject_panels,
    }
    return basics_form(shell, campaign, values, {}, tabs=tabs, message_text=_saved(shell, saved))


@post("/localities/{code:str}/campaigns/{campaign_id:int}/setup/basics", include_in_schema=False)
async def basics_save(
    request: Request, code: FromPath[str], campaign_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
) -> Response:
    shell = await open_shell(request, code, roles=OFFICE)
    shell.check_csrf(data)
    campaign, tabs = await load(shell, campaign_id)
    values, body, errors = read_basics(shell, data)
    status = 422
    try:
        patch = CampaignPatch.model_validate(body)
    except ValidationError as exc:
        errors = {**model_errors(shell.tr, exc), **errors}
    if not errors:
        try:
            await run_sync(campaign_service.update_campaign, shell.ctx, shell.actor, campaign_id, patch)
            return Redirect(f"{base_url(shell.code, campaign_id)}/setup/basics?saved=1")
        except ServiceError as exc:
            errors, general = field_errors(shell.tr, exc)
            errors, status = errors or {"": general}, exc.status_code
    return basics_form(shell, campaign, values, errors, tabs=tabs, status_code=status)


# --- a new campaign ---------------------------------------------------------------------------


@get("/localities/{code:str}/campaigns/new", include_in_schema=False)
async def campaign_new_page(request: Request, code: FromPath[str]) -> Response:
    shell = await open_shell(request, code, roles=OFFICE)
    return basics_form(shell, None, {"kind": "democratic"}, {})


@post("/localities/{code:str}/campaigns/new", include_in_schema=False)
async def campaign_create(request: Request, code: FromPath[str], data: URLEncodedBody[dict[str, str]]) -> Response:
    shell = await open_shell(request, code, roles=OFFICE)
    shell.check_csrf(data)
    values, body, errors = read_basics(shell, data)
    status = 422
    try:
        checked = CampaignIn.model_validate(body)
    except ValidationError as exc:
        errors = {**model_errors(shell.tr, exc), **errors}
    if not errors:
        try:
            created = await run_sync(campaign_service.create, shell.ctx, shell.actor, shell.code, checked)
            return Redirect(f"{base_url(shell.code, created.id)}/setup/subjects?created=1")
        except ServiceError as exc:
            errors, general = field_errors(shell.tr, exc)
            errors, status = errors or {"": general}, exc.status_code
    return basics_form(shell, None, values, errors, status_code=status)


# --- subjects -----------------------------------------------------------------------------------


def _filter(category: str, unit: str, team: str) -> campaign_subjects.SubjectFilter:
    return campaign_subjects.SubjectFilter(category=category.strip(), unit_id=to_int(unit), team_id=to_int(team))


async def _subjects(
    shell: Shell,
    campaign_id: int,
    chosen: campaign_subjects.SubjectFilter,
    page: int,
    *,
    message_text: str = "",
    error: str = "",
    status_code: int = 200,
) -> Response:
    campaign, tabs = await load(shell, campaign_id)
    first = await run_sync(lambda: campaign_subjects.summary(shell.ctx, shell.actor, campaign_id, chosen, limit=0))
    p = paging(first["matching_in"], page)
    found = await run_sync(
        lambda: campaign_subjects.summary(
            shell.ctx, shell.actor, campaign_id, chosen, limit=p["size"], offset=p["offset"]
        )
    )
    choices = await run_sync(campaign_subjects.choices, shell.ctx, shell.actor, campaign_id)
    kept = {"category": chosen.category, "unit": chosen.unit_id or "", "team": chosen.team_id or ""}
    return _render(
        shell,
        "subjects",
        campaign,
        tabs,
        found=found,
        choices=choices,
        chosen=kept,
        p=p,
        base=keep(kept),
        message=message_text,
        error=error,
        status_code=status_code,
    )


@get("/localities/{code:str}/campaigns/{campaign_id:int}/setup/subjects", include_in_schema=False)
async def subjects_page(
    request: Request,
    code: FromPath[str],
    campaign_id: FromPath[int],
    category: FromQuery[str] = "",
    unit: FromQuery[str] = "",
    team: FromQuery[str] = "",
    page: FromQuery[int] = 1,
    created: FromQuery[str] = "",
) -> Response:
    shell = await open_shell(request, code, roles=OFFICE)
    text = shell._("The campaign is created. Now choose its subjects.") if created else ""
    return await _subjects(shell, campaign_id, _filter(category, unit, team), page, message_text=text)


@post("/localities/{code:str}/campaigns/{campaign_id:int}/setup/subjects", include_in_schema=False)
async def subjects_save(
    request: Request, code: FromPath[str], campaign_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
) -> Response:
    """``action``: ``add`` or ``remove`` the subjects the filter picks, or ``remove_one``
    (``subject_id``)."""
    shell = await open_shell(request, code, roles=OFFICE)
    shell.check_csrf(data)
    await load(shell, campaign_id)
    chosen = _filter(data.get("category", ""), data.get("unit", ""), data.get("team", ""))
    action = data.get("action", "")
    try:
        if action == "remove_one":
            subject_id = to_int(data.get("subject_id"))
            n = await run_sync(
                lambda: campaign_subjects.change(
                    shell.ctx,
                    shell.actor,
                    campaign_id,
                    campaign_subjects.SubjectFilter(),
                    add=False,
                    subject_ids=[subject_id] if subject_id else [],
                )
            )
        else:
            n = await run_sync(
                lambda: campaign_subjects.change(shell.ctx, shell.actor, campaign_id, chosen, add=action == "add")
            )
    except ServiceError as exc:
        return await _subjects(shell, campaign_id, chosen, 1, error=shell.tr.error(exc), status_code=exc.status_code)
    done = shell._("{n} subjects added.", n=n) if action == "add" else shell._("{n} subjects removed.", n=n)
    return await _subjects(shell, campaign_id, chosen, 1, message_text=done)


ROUTES = [
    campaign_new_page,
    campaign_create,
    setup_page,
    basics_page,
    basics_save,
    subjects_page,
    subjects_save,
]
