"""The indicator templates and data sources lists page 50 at a time (they were capped at 500 and
1,000 rows, so a locality with more could not reach the rest), and a page number past the end
shows the last page."""

from __future__ import annotations

import re

import pytest

from core.context import Actor
from core.schemas.indicators import TemplateIn
from core.services import templates
from tests.adapter_setup import make_county
from tests.campaign_setup import TEMPLATE
from tests.core.web.test_console_permissions import _session

pytestmark = pytest.mark.usefixtures("cheap_password_hashes")
SYSTEM = Actor.system("test")


def _names(html: str, pattern: str) -> list[str]:
    return re.findall(pattern, html)


def test_templates_page_by_page(world):
    world.locality("county-t", "示范县")
    world.user("office-t", "office", "county-t")
    for n in range(53):
        templates.create(world.ctx, SYSTEM, "county-t", TemplateIn.model_validate({**TEMPLATE, "name": f"表{n:02d}"}))
    rows = r'templates/\d+">(表\d\d)</a>'
    with _session(world, "office-t") as client:
        first = client.get("/admin/localities/county-t/templates")
        assert first.status_code == 200
        assert _names(first.text, rows) == [f"表{n:02d}" for n in range(50)]
        assert "1 / 2" in first.text and 'href="/admin/localities/county-t/templates?page=2"' in first.text
        second = client.get("/admin/localities/county-t/templates", params={"page": 2})
        assert _names(second.text, rows) == ["表50", "表51", "表52"]
        beyond = client.get("/admin/localities/county-t/templates", params={"page": 10**30})
        assert beyond.status_code == 200 and _names(beyond.text, rows) == ["表50", "表51", "表52"]


def test_data_sources_page_by_page(world):
    county = make_county(world.ctx, "county-s", adapters_enabled=("tabular_file",))
    world.user("office-s", "office", "county-s")
    for n in range(51):
        county.file_source(f"源{n:02d}")
    rows = r'sources/\d+">(源\d\d)</a>'
    with _session(world, "office-s") as client:
        first = client.get("/admin/localities/county-s/sources")
        assert first.status_code == 200 and len(_names(first.text, rows)) == 50
        assert 'href="/admin/localities/county-s/sources?page=2"' in first.text
        second = client.get("/admin/localities/county-s/sources", params={"page": 2})
        assert _names(second.text, rows) == ["源50"]
        beyond = client.get("/admin/localities/county-s/sources", params={"page": 10**30})
        assert beyond.status_code == 200 and _names(beyond.text, rows) == ["源50"]
