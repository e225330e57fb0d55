"""The two scoring steps of a campaign's setup (the frame, basics and subjects are in
``core.web.admin.campaign_steps``): evaluator categories (name, weight, template, the subject
categories each rates) and the scoring rule with distribution policies (those the locality
enabled, each with a form generated from its options schema, in the words of the plugin that
defines it). Each saves through ``core.services.campaigns.update_campaign``; a form keeps what
was typed and shows each message beside its field; once the campaign is open the steps are
shown read-only."""

from __future__ import annotations

from typing import Any

from anyio.to_thread import run_sync
from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect
from pydantic import ValidationError

from core.schemas.campaigns import CampaignPatch
from core.services import campaign_overview, campaign_subjects, templates
from core.services import campaigns as campaign_service
from core.services.errors import ServiceError
from core.services.plugins import DEFAULT_RULE
from core.web.admin import schema_form
from core.web.admin.campaign_steps import _render, _saved
from core.web.admin.campaigns import base_url, load
from core.web.admin.forms import message, to_int
from core.web.admin.menu import OFFICE
from core.web.admin.shell import Shell, open_shell
from core.web.i18n import module_plugin

BLANK_CATEGORY_ROWS = 3  # a county usually has three evaluator categories (leaders, cadres, the public)


# --- evaluator categories -----------------------------------------------------------------------


def _category_rows(campaign, count: int) -> list[dict[str, Any]]:
    rows = [
        {
            "name": c.name,
            "weight": f"{c.weight:g}",
            "template": str(c.template_id or ""),
            "subject_categories": list(c.subject_categories),
        }
        for c in campaign.categories
    ]
    return rows + [
        {"name": "", "weight": "1", "template": "", "subject_categories": []}
        for _ in range(max(count - len(rows), BLANK_CATEGORY_ROWS))
    ]


async def _categories(
    shell: Shell,
    campaign,
    tabs,
    rows: list[dict[str, Any]],
    errors: dict[str, str],
    *,
    message_text: str = "",
    error: str = "",
    status_code: int = 200,
) -> Response:
    page = await run_sync(lambda: templates.list_templates(shell.ctx, shell.actor, shell.code, limit=500))
    choices = await run_sync(campaign_subjects.choices, shell.ctx, shell.actor, campaign.id)
    subject_categories = [c for c, _n in choices["categories"]]
    for row in rows:
        subject_categories += [c for c in row["subject_categories"] if c not in subject_categories]
    return _render(
        shell,
        "categories",
        campaign,
        tabs,
        rows=rows,
        errors=errors,
        template_options=[(str(t.id), t.name) for t in page.items],
        subject_categories=subject_categories,
        message=message_text,
        error=error,
        status_code=status_code,
    )


@get("/localities/{code:str}/campaigns/{campaign_id:int}/setup/categories", include_in_schema=False)
async def categories_page(
    request: Request, code: FromPath[str], campaign_id: FromPath[int], saved: FromQuery[str] = ""
) -> Response:
    shell = await open_shell(request, code, roles=OFFICE)
    campaign, tabs = await load(shell, campaign_id)
    return await _categories(shell, campaign, tabs, _category_rows(campaign, 0), {}, message_text=_saved(shell, saved))


@post("/localities/{code:str}/campaigns/{campaign_id:int}/setup/categories", include_in_schema=False)
async def categories_save(request: Request, code: FromPath[str], campaign_id: FromPath[int]) -> Response:
    """Rows ``c{i}_name``, ``c{i}_weight``, ``c{i}_template``, ``c{i}_subject_categories`` (any
    number); a row whose name is empty is left out (that removes the category)."""
    shell = await open_shell(request, code, roles=OFFICE)
    form = await request.form()
    shell.check_csrf({"_csrf": form.get("_csrf", "")})
    campaign, tabs = await load(shell, campaign_id)
    count = min(to_int(form.get("rows")) or 0, 60)
    rows = [
        {
            "name": str(form.get(f"c{i}_name", "")).strip(),
            "weight": str(form.get(f"c{i}_weight", "")).strip(),
            "template": str(form.get(f"c{i}_template", "")),
            "subject_categories": [str(v) for v in form.getall(f"c{i}_subject_categories")]
            if f"c{i}_subject_categories" in form
            else [],
        }
        for i in range(count)
    ]
    used = [i for i, row in enumerate(rows) if row["name"]]
    body = [
        {
            "name": rows[i]["name"],
            "weight": rows[i]["weight"] or "1",
            "template_id": to_int(rows[i]["template"]),
            "subject_categories": rows[i]["subject_categories"],
        }
        for i in used
    ]
    errors: dict[str, str] = {}
    error, status = "", 422
    try:
        patch = CampaignPatch.model_validate({"categories": body})
        await run_sync(campaign_service.update_campaign, shell.ctx, shell.actor, campaign_id, patch)
        return Redirect(f"{base_url(shell.code, campaign_id)}/setup/categories?saved=1")
    except ValidationError as exc:
        for fault in exc.errors():
            loc = list(fault.get("loc", ()))
            if len(loc) >= 3 and loc[0] == "categories" and isinstance(loc[1], int):
                errors.setdefault(f"c{used[loc[1]]}_{_column(str(loc[2]))}", message(shell.tr, fault["msg"]))
            else:
                error = error or message(shell.tr, fault["msg"])
    except ServiceError as exc:
        status = exc.status_code
        for fault in exc.errors:
            name = str(fault.get("field") or "")
            if name.startswith("categories[") and "]." in name:
                index, _, column = name.removeprefix("categories[").partition("].")
                if index.isdigit() and int(index) < len(used):
                    errors.setdefault(
                        f"c{used[int(index)]}_{_column(column)}", message(shell.tr, fault.get("message", ""))
                    )
                    continue
            error = error or message(shell.tr, fault.get("message", ""))
        error = error if errors else (error or shell.tr.error(exc))
    return await _categories(shell, campaign, tabs, rows, errors, error=error, status_code=status)


def _column(name: str) -> str:
    return {"template_id": "template"}.get(name, name)


# --- scoring rule and distribution policies -----------------------------------------------------


def _rule_blocks(shell: Shell, choices: dict[str, Any], campaign) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(rules, policy blocks): each with its form fields and values, from the stored setup, and
    ``tr``, the translator of its texts (its plugin's catalogue and the core's, never another's)."""
    locale = shell.tr.locale
    rules = []
    for rule in choices["rules"]:
        fields = schema_form.fields_of(rule["schema"])
        stored = campaign.scoring.get("options", {}) if campaign.scoring.get("rule") == rule["name"] else {}
        rules.append(
            {
                **rule,
                "tr": shell.tr.of(module_plugin(rule.get("module"))),
                "label": rule["label_zh"] if locale == "zh_CN" else rule["label_en"],
                "fields": fields,
                "values": schema_form.form_values(fields, stored),
            }
        )
    by_name = {p["name"]: p for p in choices["policies"]}
    blocks = []
    for entry in campaign.distribution:
        policy = by_name.get(
            entry.get("policy"),
            {
                "name": entry.get("policy"),
                "label_zh": entry.get("policy"),
                "label_en": entry.get("policy"),
                "schema": None,
            },
        )
        blocks.append((policy, entry.get("options") or {}, True))
    blocks += [(p, {}, False) for p in choices["policies"]]
    out = []
    for index, (policy, options, used) in enumerate(blocks):
        fields = schema_form.fields_of(policy["schema"])
        out.append(
            {
                **policy,
                "index": index,
                "used": used,
                "tr": shell.tr.of(module_plugin(policy.get("module"))),
                "fields": fields,
                "label": policy["label_zh"] if locale == "zh_CN" else policy["label_en"],
                "values": schema_form.form_values(fields, options),
            }
        )
    return rules, out


async def _rules(
    shell: Shell,
    campaign,
    tabs,
    *,
    rules=None,
    blocks=None,
    chosen_rule: str | None = None,
    errors: dict[str, str] | None = None,
    message_text: str = "",
    error: str = "",
    status_code: int = 200,
) -> Response:
    if rules is None:
        choices = await run_sync(campaign_overview.plugin_choices, shell.ctx, shell.actor, shell.code, campaign.id)
        rules, blocks = _rule_blocks(shell, choices, campaign)
    full = await run_sync(campaign_service.get, shell.ctx, shell.actor, campaign.id)  # with its warnings
    warnings = [shell.tr.translate(w.message) for w in full.warnings]
    return _render(
        shell,
        "rules",
        campaign,
        tabs,
        rules=rules,
        blocks=blocks,
        chosen_rule=chosen_rule or campaign.scoring.get("rule") or DEFAULT_RULE,
        errors=errors or {},
        warnings=warnings,
        message=message_text,
        error=error,
        status_code=status_code,
    )


@get("/localities/{code:str}/campaigns/{campaign_id:int}/setup/rules", include_in_schema=False)
async def rules_page(
    request: Request, code: FromPath[str], campaign_id: FromPath[int], saved: FromQuery[str] = ""
) -> Response:
    shell = await open_shell(request, code, roles=OFFICE)
    campaign, tabs = await load(shell, campaign_id)
    return await _rules(shell, campaign, tabs, message_text=_saved(shell, saved))


@post("/localities/{code:str}/campaigns/{campaign_id:int}/setup/rules", include_in_schema=False)
async def rules_save(
    request: Request, code: FromPath[str], campaign_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
) -> Response:
    """``rule`` and its options ``r_{rule}_opt_{field}``; policy blocks ``d{i}_policy``,
    ``d{i}_use`` and ``d{i}_opt_{field}``."""
    shell = await open_shell(request, code, roles=OFFICE)
    shell.check_csrf(data)
    campaign, tabs = await load(shell, campaign_id)
    choices = await run_sync(campaign_overview.plugin_choices, shell.ctx, shell.actor, shell.code, campaign_id)
    rules, blocks = _rule_blocks(shell, choices, campaign)
    chosen = data.get("rule", "")
    errors: dict[str, str] = {}

    def read(item: dict[str, Any], prefix: str) -> tuple[dict[str, Any], dict[str, Any]]:
        options, typed, found = schema_form.read_form(
            item["fields"], {"opt_" + k.removeprefix(prefix): v for k, v in data.items() if k.startswith(prefix)}
        )
        errors.update({f"{prefix}{k}": item["tr"].translate(v) for k, v in found.items()})
        return options, typed

    scoring: dict[str, Any] = {"rule": chosen, "options": {}}
    rule_tr = shell.tr
    for rule in rules:
        if rule["name"] == chosen:
            scoring["options"], rule["values"] = read(rule, f"r_{rule['name']}_opt_")
            rule_tr = rule["tr"]
    distribution, used = [], []
    for block in blocks:
        posted = data.get(f"d{block['index']}_policy", "")
        block["used"] = f"d{block['index']}_use" in data and posted == block["name"]
        if block["used"]:
            options, block["values"] = read(block, f"d{block['index']}_opt_")
            distribution.append({"policy": block["name"], "options": options})
            used.append(block["index"])
    error, status = "", 422
    if not errors:
        try:
            patch = CampaignPatch.model_validate({"scoring": scoring, "distribution": distribution})
            await run_sync(campaign_service.update_campaign, shell.ctx, shell.actor, campaign_id, patch)
            return Redirect(f"{base_url(shell.code, campaign_id)}/setup/rules?saved=1")
        except ServiceError as exc:
            status = exc.status_code
            for fault in exc.errors:
                name = str(fault.get("field") or "")
                text = message(shell.tr, fault.get("message", ""))
                if name.startswith("scoring.options."):
                    text = message(rule_tr, fault.get("message", ""))  # the rule's own words
                    errors.setdefault(f"r_{chosen}_opt_{name.split('.')[2]}", text)
                elif name.startswith("distribution[") and ".options." in name:
                    index = name.removeprefix("distribution[").partition("]")[0]
                    if index.isdigit() and int(index) < len(used):
                        text = message(blocks[used[int(index)]]["tr"], fault.get("message", ""))
                        errors.setdefault(
                            f"d{used[int(index)]}_opt_{name.partition('.options.')[2].split('.')[0]}", text
                        )
                        continue
                    error = error or text
                else:
                    error = error or text
            error = error or ("" if errors else shell.tr.error(exc))
    return await _rules(
        shell,
        campaign,
        tabs,
        rules=rules,
        blocks=blocks,
        chosen_rule=chosen,
        errors=errors,
        error=error or shell._("Please check the options."),
        status_code=status,
    )


ROUTES = [categories_page, categories_save, rules_page, rules_save]
