"""Message catalogues do not leak between plugins: a page, a service error and an API answer
read the core's catalogue and their own plugin's only, a core page the core's alone, and a
plugin's texts shown elsewhere (its options form, its notifications) their own plugin's.

"Note" is the probe: the goals plugin translates it (说明), neither the core nor any other
plugin does, so wherever it is not goals' it must stay "Note" (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from sqlmodel import select

from core.context import Actor
from core.i18n import LOCALES_DIR, _catalog, catalogues, translator
from core.models import Locality
from core.plugins import plugin_locales_dirs
from core.services import auth
from core.services import notifications as notes
from core.services.errors import Invalid
from core.web.errors import api_translator
from core.web.i18n import module_plugin
from core.web.pages import translator_for
from tests.conftest import TEST_PASSWORD
from tests.core.web.test_console_permissions import _session

SYSTEM = Actor.system("test")
NOTE = "Note"


def test_the_probe_is_goals_alone():
    dirs = plugin_locales_dirs()
    assert _catalog("zh_CN", dirs["goals"]).get(NOTE) == "说明"
    assert {"goals", "worklog", "cadres", "ballots"} <= set(dirs)
    others = [LOCALES_DIR, *(d for name, d in dirs.items() if name != "goals")]
    assert all(NOTE not in _catalog("zh_CN", d) for d in others)


def test_a_plugin_reads_its_catalogue_then_the_cores_and_nobody_elses():
    assert catalogues(None) == (LOCALES_DIR,)
    assert catalogues("goals") == (plugin_locales_dirs()["goals"], LOCALES_DIR)
    assert catalogues("example") == (LOCALES_DIR,)  # a plugin without a catalogue: the core's
    assert catalogues("no-such-plugin") == (LOCALES_DIR,)
    assert translator("zh_CN", catalogues("goals")).gettext(NOTE) == "说明"
    for scope in (None, "worklog", "cadres", "ballots", "example"):
        tr = translator("zh_CN", catalogues(scope))
        assert tr.gettext(NOTE) == NOTE and tr.translate(NOTE) == NOTE
        assert tr.of("goals").gettext(NOTE) == "说明"  # a goals text shown there, as goals'
    core = translator("zh_CN")
    assert core.gettext("Sign in") == "登录" and core is translator("zh_CN")  # cached, shared
    assert translator("zh_CN", catalogues("goals")).gettext("Sign in") == "登录"  # the core's too


def _request(handler, lang: str = "zh_CN") -> SimpleNamespace:
    """What the translators read of a request: its route handler, ``?lang=`` and the headers."""
    return SimpleNamespace(
        scope={"route_handler": handler},
        query_params={"lang": lang},
        cookies={},
        headers={"accept-language": "zh-CN,zh;q=0.9" if lang == "zh_CN" else "en"},
        app=SimpleNamespace(state=SimpleNamespace()),
    )


def _handlers(app) -> dict[tuple[str | None, str], object]:
    found: dict[tuple[str | None, str], object] = {}
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            fn = getattr(handler, "fn", None)
            module = getattr(getattr(fn, "value", fn), "__module__", "") or ""
            plugin = module.split(".")[1] if module.startswith("plugins.") else None
            if plugin is None and not module.startswith("core."):
                continue
            kind = "page" if route.path.startswith("/admin") else "api" if route.path.startswith("/api") else None
            if kind:
                found.setdefault((plugin, kind), handler)
    return found


def test_pages_and_api_answers_read_their_own_plugins_catalogue_only(ctx):
    from core.web.app import create_app

    found = _handlers(create_app(ctx, check_migrations=False, audit_monitor=False))
    for key in [("goals", "page"), ("worklog", "page"), ("cadres", "page"), (None, "page")]:
        assert key in found, key
    assert module_plugin("plugins.goals.comment_pages") == "goals"
    assert module_plugin("core.web.admin.plugins") is None

    # console pages: the goals plugin's own pages say 说明; no other plugin's page, nor the core's
    assert translator_for(_request(found["goals", "page"])).gettext(NOTE) == "说明"
    for other in [("worklog", "page"), ("cadres", "page"), (None, "page")]:
        tr = translator_for(_request(found[other]))
        assert tr.gettext(NOTE) == NOTE, other
        assert tr.gettext("Sign in") == "登录"  # the core's catalogue is read everywhere
    assert translator_for(_request(found["worklog", "page"])).gettext("Person") == "姓名"  # its own first

    # API answers (Accept-Language) and service errors: the same
    error = Invalid(NOTE)
    assert api_translator(_request(found["goals", "api"])).error(error) == "说明"
    for other in [("worklog", "api"), ("cadres", "api"), (None, "api")]:
        tr = api_translator(_request(found[other]))
        assert tr.locale == "zh_CN" and tr.error(error) == NOTE and tr.translate(NOTE) == NOTE, other

    # the look-up is cached: the same translator object for the same route, language and zone
    assert translator_for(_request(found["goals", "page"])) is translator_for(_request(found["goals", "page"]))


def test_a_core_page_shows_a_plugins_options_in_that_plugins_words_only(world, cheap_password_hashes):
    world.locality("county-n", "示范县")
    world.user("office-n", "office", "county-n")
    with _session(world, "office-n") as client:
        page = client.get("/admin/localities/county-n/plugins/example", params={"lang": "zh_CN"})
        assert page.status_code == 200
        label = re.search(r'<label for="f-opt_note">([^<]*)</label>', page.text)
        assert label is not None and label.group(1).strip() == NOTE  # the example plugin has no 说明
        assert "说明" not in page.text
        assert "为本地区启用" in page.text  # the core's words on the core's page
        listing = client.get("/admin/localities/county-n/plugins")
        assert "以考核对象得分最高的测评人类别计分。" in listing.text  # its description, from the core's


def test_a_notification_reads_its_own_plugins_catalogue(ctx):
    from core.schemas.localities import LocalityIn
    from core.services import localities

    localities.create(ctx, SYSTEM, LocalityIn(code="cat-n", name="Catalogue county"))
    user = auth.create_user(
        ctx, SYSTEM, username="reader-n", password=TEST_PASSWORD, role="cadre", locality_code="cat-n"
    )
    actor = auth.actor_of(user)
    with ctx.db.write() as session:
        locality_id = session.exec(select(Locality.id).where(Locality.code == "cat-n")).one()
        notes.notify(session, locality_id, user.id, "people.activated", NOTE)  # a core kind
        notes.notify(session, locality_id, user.id, "worklog.viewed", NOTE)  # another plugin's
        notes.notify(session, locality_id, user.id, "goals.comment", NOTE)  # goals' own
        notes.notify(session, locality_id, user.id, "cadres.warning", NOTE, {"x": 1}, catalogue="goals")  # relayed
    for reader in (translator("zh_CN"), translator("zh_CN", catalogues("worklog"))):  # whichever page lists them
        items = notes.list_notifications(ctx, actor, reader).items
        assert [i.text for i in reversed(items)] == [NOTE, NOTE, "说明", "说明"]
        assert items[0].params == {"x": 1}  # the catalogue is kept, not answered
    with pytest.raises(Invalid):
        with ctx.db.write() as session:
            notes.notify(session, locality_id, user.id, "cadres.warning", NOTE, catalogue="x" * 51)


def test_a_scoring_rules_options_read_its_own_plugins_catalogue():
    """The campaign's rules step (a core page) shows each rule's and policy's option form in the
    words of the plugin that defines it: a rule of the goals package would say 说明, one of a
    plugin without a catalogue (plugins.distribution) "Note", and the page around them the core's."""
    import plugins.distribution
    import plugins.goals.scoring  # noqa: F401  (a module of the goals package)
    from core.web.admin.campaign_scoring import _rule_blocks

    schema = {"type": "object", "properties": {"note": {"type": "string", "title": NOTE}}}

    def choice(name: str, module: str) -> dict:
        return {"name": name, "label_zh": name, "label_en": name, "schema": schema, "module": module}

    shell = SimpleNamespace(tr=translator("zh_CN"))
    campaign = SimpleNamespace(scoring={}, distribution=[{"policy": "p", "options": {}}])
    choices = {
        "rules": [choice("goals_rule", "plugins.goals.scoring"), choice("plain", plugins.distribution.__name__)],
        "policies": [choice("p", "plugins.goals.scoring")],
    }
    rules, blocks = _rule_blocks(shell, choices, campaign)
    assert [r["tr"].translate(r["fields"][0].label) for r in rules] == ["说明", NOTE]
    assert {b["tr"].gettext(NOTE) for b in blocks} == {"说明"}
    assert shell.tr.gettext(NOTE) == NOTE
