"""The cadre cloud's nested options (relationship check and team structure rules) have titles of
their own, in English, each translated to Chinese (and every description), and the locality's
plugins page shows them as labels in either language. On both databases."""

from __future__ import annotations

from pathlib import Path

from core.i18n import LOCALES_DIR, _merged
from core.web.admin import schema_form
from plugins.cadres import CadresOptions
from plugins.cadres.options import RelationOptions, StructureOptions

PLUGIN = Path(__file__).resolve().parents[3] / "plugins" / "cadres"
PAGE = "/admin/localities/ca/plugins/cadres"


def _generated(name: str) -> str:
    """pydantic's title of a field without one: "hometown_city" -> "Hometown City"."""
    return name.replace("_", " ").title()


def test_every_nested_option_has_its_own_title_translated():
    catalog = _merged("zh_CN", (PLUGIN / "locales", LOCALES_DIR))
    for model in (RelationOptions, StructureOptions):
        for name, info in model.model_fields.items():
            assert info.title and info.title != _generated(name), (model.__name__, name)
            assert info.title in catalog, info.title
            assert not info.description or info.description in catalog, info.description
    groups = {f.name: f for f in schema_form.fields_of(CadresOptions.model_json_schema())}
    labels = {f.key: f.label for f in groups["relations"].fields + groups["structure"].fields}
    assert labels["hometown_city"] == "Same hometown: same city, another county"
    assert labels["min_women"] == "Women at least"
    assert catalog["Same hometown: same city, another county"] == "同乡：籍贯同市（不同县）"


def test_the_plugins_page_labels_the_nested_options_in_both_languages(site):
    _world, session, _api = site
    with session("office") as office:
        chinese = office.get(PAGE)
        assert chinese.status_code == 200
        assert "同乡：籍贯同市（不同县）" in chinese.text and "女干部至少人数" in chinese.text
        assert "Hometown City" not in chinese.text and "Min Women" not in chinese.text
        english = office.get(PAGE, params={"lang": "en"})
        assert english.status_code == 200
        for label in (
            "Same hometown: same city, another county",
            "Classmates: same school and class",
            "Women at least",
            "Gradual rise of the retirement age",
        ):
            assert label in english.text, label
        assert "Hometown City" not in english.text and "Classmate Same Class" not in english.text
