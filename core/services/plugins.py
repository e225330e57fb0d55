"""Which plugins a locality uses, with which options, and the hooks it may call.

Every plugin is installed for the whole platform; each locality enables the ones it wants
(essential plugins are always on). Hooks are called for a locality through
``pm.subset_hook_caller`` without the plugins it has not enabled, cached per locality by its
``plugin_config_version``, which every change bumps, so every app instance sees a change at
its next request.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import pluggy
from pydantic import BaseModel, ValidationError
from sqlalchemy import update
from sqlmodel import Session, col, select

from core.context import Actor, AppContext
from core.models import AdapterSource, Campaign, CampaignStatus, Locality, LocalityPlugin
from core.models.base import utcnow
from core.plugins import get_plugin_manager, plugin_info, plugins_by_name
from core.services import audit
from core.services.access import (
    ADMIN_READ_ROLES,
    OFFICE_ROLES,
    can_see_locality,
    locality_for,
    require_role,
)
from core.services.errors import Conflict, Invalid, NotFound

_HOOK_NAMES = ("kaoping_scoring_rules", "kaoping_distribution_policies", "kaoping_adapters")


def validation_errors(exc: ValidationError, prefix: str = "options") -> list[dict[str, str]]:
    return [{"field": ".".join([prefix, *(str(p) for p in e["loc"])]), "message": e["msg"]} for e in exc.errors()]


def validate_options(model: type[BaseModel] | None, options: dict[str, Any], what: str) -> dict[str, Any]:
    """Options checked against a model; 422 naming each bad field. Returns them with defaults filled in."""
    if model is None:
        if options:
            raise Invalid(f"{what} takes no options", errors=[{"field": "options", "message": "no options expected"}])
        return {}
    try:
        return model.model_validate(options).model_dump(mode="json")
    except ValidationError as exc:
        errors = validation_errors(exc)
        raise Invalid(f"{what}: " + "; ".join(f"{e['field']}: {e['message']}" for e in errors), errors=errors) from None


def _contributions(pm: pluggy.PluginManager, plugin: object) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for hook_name in _HOOK_NAMES:
        impl = getattr(plugin, hook_name, None)
        if impl is not None:
            out[hook_name.removeprefix("kaoping_")] = [item.name for item in impl()]
    hooks = [h.name for h in pm.get_hookcallers(plugin) or []]
    out["hooks"] = sorted(hooks)
    return out


def installed(pm: pluggy.PluginManager | None = None) -> list[dict[str, Any]]:
    """Every installed plugin: name, labels, what it contributes, options schema, essential."""
    pm = pm or get_plugin_manager()
    rows = []
    for name, plugin in sorted(plugins_by_name(pm).items()):
        info = plugin_info(pm, plugin)
        rows.append(
            {
                "name": name,
                "label_zh": info.label_zh,
                "label_en": info.label_en,
                "essential": info.essential,
                "description": info.description,
                "contributes": _contributions(pm, plugin),
                "options_schema": info.options_model.model_json_schema() if info.options_model else None,
            }
        )
    return rows


def _settings(session: Session, locality_id: int) -> dict[str, LocalityPlugin]:
    return {
        row.plugin: row for row in session.exec(select(LocalityPlugin).where(LocalityPlugin.locality_id == locality_id))
    }


def enabled_names(session: Session, locality_id: int, pm: pluggy.PluginManager | None = None) -> set[str]:
    pm = pm or get_plugin_manager()
    rows = _settings(session, locality_id)
    names = set()
    for name, plugin in plugins_by_name(pm).items():
        if plugin_info(pm, plugin).essential or (name in rows and rows[name].enabled):
            names.add(name)
    return names


def check_route_access(
    ctx: AppContext, name: str, *, essential: bool, actor: Actor | None, params: dict[str, Any], read_only: bool = True
) -> None:
    """Whether plugin ``name`` may serve this request; NotFound (404, never 403) otherwise.

    The locality the path names (``code``, or ``campaign_id``: the campaign's locality) must
    exist and have enabled the plugin (an essential plugin is enabled everywhere). ``actor`` is
    who calls, None for a route the plugin marked public: then that is all. Otherwise the named
    locality must be one the actor may see (its own; with ``read_only``, the child localities
    it was granted to read; any, for a platform admin), and a route that names no locality
    serves users of a locality that enabled the plugin (and platform admins).

    The locality and whether it enabled the plugin are read in one statement (this runs before
    every plugin request)."""
    enabled_here = select(LocalityPlugin.enabled).where(
        LocalityPlugin.locality_id == Locality.id, LocalityPlugin.plugin == name
    )
    with ctx.db.read(autocommit=True) as session:  # before every plugin request: no BEGIN/ROLLBACK
        found: Any = None
        if "code" in params:
            code = str(params["code"])
            missing = NotFound(f"no locality with code {code!r}")
            found = session.exec(
                select(Locality.id, enabled_here.scalar_subquery()).where(Locality.code == code)
            ).first()
        elif "campaign_id" in params:
            try:
                campaign_id = int(params["campaign_id"])
            except (TypeError, ValueError):
                campaign_id = 0
            missing = NotFound(f"no campaign with id {params['campaign_id']}")
            found = (
                session.exec(
                    select(Locality.id, enabled_here.scalar_subquery())
                    .join(Campaign, col(Campaign.locality_id) == Locality.id)
                    .where(Campaign.id == campaign_id)
                ).first()
                if 0 < campaign_id < 2**31
                else None
            )
        else:
            if actor is None or actor.is_platform_admin or essential:
                return
            if actor.locality_id is None or name not in enabled_names(session, actor.locality_id):
                raise NotFound(f"plugin {name} is not enabled for your locality")
            return
        if found is None:
            raise missing
        locality_id, enabled = found
        if actor is not None and not can_see_locality(actor, locality_id, read_only=read_only):
            raise missing
        if not essential and not enabled:
            raise NotFound(f"plugin {name} is not enabled for this locality")


def locality_plugins(ctx: AppContext, actor: Actor, code: str) -> list[dict[str, Any]]:
    require_role(actor, ADMIN_READ_ROLES, "read plugin settings")
    pm = get_plugin_manager()
    with ctx.db.read() as session:
        locality = locality_for(session, actor, code, read_only=True)
        rows = _settings(session, locality.id)
        enabled = enabled_names(session, locality.id, pm)
    return [
        {
            "name": item["name"],
            "label_zh": item["label_zh"],
            "label_en": item["label_en"],
            "essential": item["essential"],
            "enabled": item["name"] in enabled,
            "options": rows[item["name"]].options if item["name"] in rows else {},
        }
        for item in installed(pm)
    ]


class PluginSettingIn(BaseModel):
    model_config = {"extra": "forbid"}

    enabled: bool
    options: dict[str, Any] = {}


def _campaign_uses(campaign: Campaign, names: set[str]) -> bool:
    used = {campaign.scoring.get("rule")} | {p.get("policy") for p in campaign.distribution}
    return bool(used & names)


def set_plugin(ctx: AppContext, actor: Actor, code: str, name: str, data: PluginSettingIn) -> dict[str, Any]:
    require_role(actor, OFFICE_ROLES, "change plugin settings")
    pm = get_plugin_manager()
    plugin = plugins_by_name(pm).get(name)
    if plugin is None:
        raise NotFound(f"no plugin named {name!r} is installed")
    info = plugin_info(pm, plugin)
    options = (
        validate_options(info.options_model, data.options, f"plugin {name}")
        if (info.options_model or data.options)
        else {}
    )
    with ctx.db.write() as session:
        locality = locality_for(session, actor, code)
        if info.essential and not data.enabled:
            raise Conflict(f"plugin {name} is essential and cannot be disabled")
        if not data.enabled:
            provided = set(_contributions(pm, plugin).get("scoring_rules", [])) | set(
                _contributions(pm, plugin).get("distribution_policies", [])
            )
            open_campaigns = session.exec(
                select(Campaign).where(Campaign.locality_id == locality.id, Campaign.status == CampaignStatus.open)
            ).all()
            users = [c for c in open_campaigns if _campaign_uses(c, provided)]
            if users:
                raise Conflict(
                    f"plugin {name} is used by open campaign(s) {', '.join(str(c.id) for c in users)}; close them first"
                )
            adapter_names = _contributions(pm, plugin).get("adapters", [])
            sources = (
                session.exec(
                    select(AdapterSource.id).where(
                        AdapterSource.locality_id == locality.id,
                        AdapterSource.enabled == True,  # noqa: E712
                        col(AdapterSource.adapter).in_(adapter_names),
                    )
                ).all()
                if adapter_names
                else []
            )
            if sources:
                raise Conflict(
                    f"plugin {name} is used by enabled adapter source(s) "
                    f"{', '.join(str(i) for i in sources)}; disable them first"
                )
        row = session.get(LocalityPlugin, (locality.id, name))
        before = {"enabled": row.enabled, "options": row.options} if row else {"enabled": info.essential}
        if row is None:
            row = LocalityPlugin(locality_id=locality.id, plugin=name)
        row.enabled, row.options, row.updated_at = data.enabled, options, utcnow()
        session.add(row)
        session.execute(
            update(Locality)
            .where(Locality.id == locality.id)
            .values(plugin_config_version=Locality.plugin_config_version + 1)
        )
        audit.record(
            session,
            actor,
            locality_id=locality.id,
            action="plugin.set",
            target_type="plugin",
            target_id=name,
            before=before,
            after={"enabled": data.enabled, "options": options},
        )
    return {"name": name, "enabled": data.enabled or info.essential, "options": options, "essential": info.essential}


@dataclass(frozen=True)
class LocalityHooks:
    """The hooks of one locality: ``hooks.kaoping_scoring_rules()`` calls only its enabled plugins."""

    version: int
    callers: dict[str, Any]

    def __getattr__(self, name: str):
        try:
            return self.callers[name]
        except KeyError:
            raise AttributeError(name) from None


_CACHE: dict[tuple[str, int, str], LocalityHooks] = {}
_CACHE_LOCK = threading.Lock()


def hooks_for(session: Session, locality_id: int, pm: pluggy.PluginManager | None = None) -> LocalityHooks:
    pm = pm or get_plugin_manager()
    version, created_at = session.exec(
        select(Locality.plugin_config_version, Locality.created_at).where(Locality.id == locality_id)
    ).one()
    key = (str(session.get_bind().url), locality_id, str(created_at))
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
    if cached is not None and cached.version == version:
        return cached
    enabled = enabled_names(session, locality_id, pm)
    removed = [plugin for name, plugin in plugins_by_name(pm).items() if name not in enabled]
    callers = {
        name: pm.subset_hook_caller(name, remove_plugins=removed)
        for name in dir(pm.hook)
        if name.startswith("kaoping_")
    }
    hooks = LocalityHooks(version=version, callers=callers)
    with _CACHE_LOCK:
        _CACHE[key] = hooks
    return hooks


def rules_for(session: Session, locality_id: int) -> dict[str, Any]:
    """The scoring rules the locality may use, by name."""
    return {rule.name: rule for rules in hooks_for(session, locality_id).kaoping_scoring_rules() for rule in rules}


def policies_for(session: Session, locality_id: int) -> dict[str, Any]:
    """The distribution policies the locality may use, by name."""
    return {p.name: p for policies in hooks_for(session, locality_id).kaoping_distribution_policies() for p in policies}


DEFAULT_RULE = "weighted_mean"


def check_campaign_plugins(
    session: Session, locality_id: int, scoring: dict[str, Any], distribution: list[dict[str, Any]]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A campaign may only name rules and policies its locality has enabled (422 otherwise);
    their options are validated and completed with defaults."""
    rules = rules_for(session, locality_id)
    scoring = dict(scoring or {})
    unknown_keys = set(scoring) - {"rule", "options"}
    if unknown_keys:
        raise Invalid(
            f"scoring: unknown field(s) {', '.join(sorted(unknown_keys))}",
            errors=[{"field": "scoring", "message": "expected {rule, options}"}],
        )
    rule_name = scoring.get("rule") or DEFAULT_RULE
    if rule_name not in rules:
        raise Invalid(
            f"scoring.rule: {rule_name!r} is not a scoring rule enabled for this locality "
            f"(enabled: {', '.join(sorted(rules)) or 'none'})",
            errors=[{"field": "scoring.rule", "message": "not enabled for this locality"}],
        )
    rule = rules[rule_name]
    checked_scoring = {
        "rule": rule_name,
        "options": _checked(rule.options_model, scoring.get("options") or {}, "scoring.options"),
    }
    policies = policies_for(session, locality_id)
    checked_distribution = []
    for index, entry in enumerate(distribution or []):
        name = entry.get("policy")
        field = f"distribution[{index}]"
        if set(entry) - {"policy", "options"}:
            raise Invalid(
                f"{field}: expected {{policy, options}}",
                errors=[{"field": field, "message": "expected {policy, options}"}],
            )
        if name not in policies:
            raise Invalid(
                f"{field}.policy: {name!r} is not a distribution policy enabled for this locality "
                f"(enabled: {', '.join(sorted(policies)) or 'none'})",
                errors=[{"field": f"{field}.policy", "message": "not enabled for this locality"}],
            )
        checked_distribution.append(
            {
                "policy": name,
                "options": _checked(policies[name].options_model, entry.get("options") or {}, f"{field}.options"),
            }
        )
    return checked_scoring, checked_distribution


def _checked(model: type[BaseModel], options: dict[str, Any], prefix: str) -> dict[str, Any]:
    try:
        return model.model_validate(options).model_dump(mode="json")
    except ValidationError as exc:
        errors = validation_errors(exc, prefix)
        raise Invalid("; ".join(f"{e['field']}: {e['message']}" for e in errors), errors=errors) from None
