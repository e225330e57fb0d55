"""Plugins of a locality: each installed plugin with its label and description, enabled or
not, and its options in a form generated from the plugin's options schema
(``core.web.admin.schema_form``); the schema's messages are shown beside the fields. A
plugin's texts (description, option labels and choices, their messages) read its own catalogue
and the core's, never another plugin's (``Translator.of``). The
service refuses to disable a plugin an open campaign or an enabled data source uses, and the
page says why."""

from __future__ import annotations

from typing import Any

from anyio.to_thread import run_sync
from litestar import Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody

from core.plugins import get_plugin_manager
from core.services import plugins as plugin_service
from core.services.errors import NotFound, ServiceError
from core.web.admin import schema_form
from core.web.admin.forms import message
from core.web.admin.menu import OFFICE
from core.web.admin.shell import Shell, open_shell


def _plugins(shell: Shell) -> list[dict[str, Any]]:
    """The locality's settings joined with what each installed plugin says about itself."""
    installed = {p["name"]: p for p in plugin_service.installed(get_plugin_manager())}
    rows = plugin_service.locality_plugins(shell.ctx, shell.actor, shell.code)
    out = []
    for row in rows:
        info = installed.get(row["name"], {})
        out.append(
            {
                **row,
                "label": row["label_zh"] if shell.tr.locale == "zh_CN" else row["label_en"],
                "description": shell.tr.of(row["name"]).translate(info.get("description") or ""),
                "schema": info.get("options_schema"),
                "fields": schema_form.fields_of(info.get("options_schema")),
            }
        )
    return out


def _one(shell: Shell, plugins: list[dict[str, Any]], name: str) -> dict[str, Any]:
    plugin = next((p for p in plugins if p["name"] == name), None)
    if plugin is None:
        raise NotFound("no plugin named {name!r} is installed", params={"name": name})
    return plugin


def _list(
    shell: Shell, plugins: list[dict[str, Any]], *, message_text: str = "", error: str = "", status_code: int = 200
) -> Response:
    return shell.render(
        "admin/plugins/list.html",
        title=shell._("Plugins"),
        crumbs=[(shell.locality["name"], None)],
        plugins=plugins,
        message=message_text,
        error=error,
        status_code=status_code,
    )


def _form(
    shell: Shell,
    plugin: dict[str, Any],
    *,
    values: dict[str, Any] | None = None,
    enabled: bool | None = None,
    errors: dict[str, str] | None = None,
    message_text: str = "",
    error: str = "",
    status_code: int = 200,
) -> Response:
    values = values if values is not None else schema_form.form_values(plugin["fields"], plugin["options"])
    own = shell.tr.of(plugin["name"])  # the options' labels and choices: the plugin's catalogue, then the core's
    return shell.render(
        "admin/plugins/plugin.html",
        title=plugin["label"],
        crumbs=[(shell.locality["name"], None), (shell._("Plugins"), f"/admin/localities/{shell.code}/plugins")],
        plugin=plugin,
        fields=plugin["fields"],
        values=values,
        enabled=plugin["enabled"] if enabled is None else enabled,
        # the form names its inputs opt_<field>; a general error keeps the key ""
        errors={f"opt_{k}" if k else k: v for k, v in (errors or {}).items()},
        message=message_text,
        error=error,
        status_code=status_code,
        _=own.gettext,
        translate=own.translate,
    )


def _option_errors(shell: Shell, exc: ServiceError, plugin: dict[str, Any]) -> dict[str, str]:
    """The messages by the field they are about (a nested model's fields by dotted names), in
    the plugin's words."""
    own, fields = shell.tr.of(plugin["name"]), plugin["fields"]
    found: dict[str, str] = {}
    for item in exc.errors:
        name = str(item.get("field") or "").removeprefix("options.").removeprefix("options")
        found.setdefault(schema_form.input_for(fields, name), message(own, item.get("message", "")))
    return found


@get("/localities/{code:str}/plugins", include_in_schema=False)
async def plugins_page(request: Request, code: FromPath[str]) -> Response:
    shell = await open_shell(request, code, roles=OFFICE)
    return _list(shell, await run_sync(_plugins, shell))


@post("/localities/{code:str}/plugins", include_in_schema=False)
async def plugin_switch(request: Request, code: FromPath[str], data: URLEncodedBody[dict[str, str]]) -> Response:
    """The list's buttons: ``name`` and ``action`` ``enable`` or ``disable``, the options kept."""
    shell = await open_shell(request, code, roles=OFFICE)
    shell.check_csrf(data)
    plugins = await run_sync(_plugins, shell)
    plugin = _one(shell, plugins, data.get("name", ""))
    enabled = data.get("action") == "enable"
    setting = plugin_service.PluginSettingIn(enabled=enabled, options=plugin["options"])
    try:
        await run_sync(plugin_service.set_plugin, shell.ctx, shell.actor, shell.code, plugin["name"], setting)
    except ServiceError as exc:
        errors = _option_errors(shell, exc, plugin)
        if errors and exc.status_code == 422:  # options to fill in first: on the plugin's own form
            return _form(
                shell,
                plugin,
                enabled=enabled,
                errors=errors,
                error=shell._("Fill in the options first."),
                status_code=422,
            )
        return _list(shell, plugins, error=shell.tr.error(exc), status_code=exc.status_code)
    shell = await open_shell(request, code, roles=OFFICE)  # the menu as the change left it
    done = (
        shell._("{name} is enabled.", name=plugin["label"])
        if enabled
        else shell._("{name} is disabled.", name=plugin["label"])
    )
    return _list(shell, await run_sync(_plugins, shell), message_text=done)


@get("/localities/{code:str}/plugins/{name:str}", include_in_schema=False)
async def plugin_page(request: Request, code: FromPath[str], name: FromPath[str]) -> Response:
    shell = await open_shell(request, code, roles=OFFICE)
    plugins = await run_sync(_plugins, shell)
    return _form(shell, _one(shell, plugins, name))


@post("/localities/{code:str}/plugins/{name:str}", include_in_schema=False)
async def plugin_save(
    request: Request, code: FromPath[str], name: FromPath[str], data: URLEncodedBody[dict[str, str]]
) -> Response:
    shell = await open_shell(request, code, roles=OFFICE)
    shell.check_csrf(data)
    plugin = _one(shell, await run_sync(_plugins, shell), name)
    enabled = plugin["essential"] or "enabled" in data
    options, typed, errors = schema_form.read_form(plugin["fields"], data)
    errors = {k: shell.tr.of(name).translate(v) for k, v in errors.items()}
    if errors:
        return _form(
            shell,
            plugin,
            values=typed,
            enabled=enabled,
            errors=errors,
            error=shell._("Please check the options."),
            status_code=422,
        )
    setting = plugin_service.PluginSettingIn(enabled=enabled, options=options)
    try:
        await run_sync(plugin_service.set_plugin, shell.ctx, shell.actor, shell.code, name, setting)
    except ServiceError as exc:
        errors = _option_errors(shell, exc, plugin)
        general = (
            shell._("Please check the options.") if errors and exc.status_code == 422 else shell.tr.of(name).error(exc)
        )
        return _form(
            shell, plugin, values=typed, enabled=enabled, errors=errors, error=general, status_code=exc.status_code
        )
    shell = await open_shell(request, code, roles=OFFICE)  # the menu as the change left it
    fresh = _one(shell, await run_sync(_plugins, shell), name)
    return _form(shell, fresh, message_text=shell._("Saved."))


ROUTES = [plugins_page, plugin_switch, plugin_page, plugin_save]
