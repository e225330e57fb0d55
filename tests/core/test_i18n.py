"""Every string the admin pages show has a Chinese translation: users read Chinese first."""

from __future__ import annotations

import re
from pathlib import Path

from core.i18n import _catalog

TEMPLATES = Path(__file__).resolve().parents[2] / "core" / "web" / "templates"
PAGES = Path(__file__).resolve().parents[2] / "core" / "web" / "pages.py"
MESSAGE = re.compile(r"""(?:\b_|tr\.gettext)\(\s*"((?:[^"\\]|\\.)+)"\s*[,)]""")


def test_every_admin_page_string_is_translated_to_chinese():
    catalog = _catalog("zh_CN")
    texts = [path.read_text(encoding="utf-8") for path in sorted(TEMPLATES.rglob("*.html"))]
    texts.append(PAGES.read_text(encoding="utf-8"))
    messages = {m for text in texts for m in MESSAGE.findall(text)}
    assert len(messages) > 20  # the pattern finds the page strings at all
    missing = sorted(m for m in messages if m not in catalog)
    assert missing == []


def test_run_statuses_shown_on_pages_are_translated():
    catalog = _catalog("zh_CN")
    assert [catalog.get(s) for s in ("running", "succeeded", "failed")] == ["运行中", "成功", "失败"]


# --- values in messages: times in the locality's zone, per language -----------------------------

BALLOTS = Path(__file__).resolve().parents[2] / "ballots" / "locales"


def test_times_are_shown_in_the_time_zone_and_the_language_of_the_reader():
    from datetime import UTC, datetime

    from core.i18n import Translator

    instant = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    assert Translator("zh_CN").datetime(instant) == "2026年12月1日 09:00"  # Asia/Shanghai by default
    assert Translator("en").datetime(instant) == "December 1, 2026, 09:00"
    assert Translator("zh_CN", timezone="Asia/Urumqi").datetime(instant) == "2026年12月1日 07:00"
    assert (
        Translator("en", timezone="UTC").datetime(instant.replace(tzinfo=None)) == "December 1, 2026, 01:00"
    )  # naive: UTC
    assert Translator("zh_CN").datetime(datetime(2026, 12, 31, 16, 30, tzinfo=UTC)) == "2027年1月1日 00:30"


def test_service_errors_carry_their_values_and_are_translated_with_them():
    from datetime import UTC, datetime

    from core.i18n import Translator
    from core.services.errors import Conflict

    error = Conflict(
        "this evaluation opens at {opens_at}", params={"opens_at": datetime(2026, 12, 1, 1, 0, tzinfo=UTC)}
    )
    assert error.message == str(error) == "this evaluation opens at 2026-12-01T01:00+00:00"  # untranslated: ISO, UTC
    assert error.msgid == "this evaluation opens at {opens_at}"
    assert Translator("zh_CN", (BALLOTS,)).error(error) == "本次测评将于2026年12月1日 09:00开始，请届时再进入。"
    assert Translator("en", (BALLOTS,)).error(error) == "this evaluation opens at December 1, 2026, 09:00"
    # without values: the message id, translated
    assert Translator("zh_CN", (BALLOTS,)).error(Conflict("this evaluation is closed")) == "本次测评已结束。"
    # a message nobody translated stays English, with its values
    assert Translator("zh_CN").error(Conflict("no such thing as {x}", params={"x": 3})) == "no such thing as 3"


def test_choices_in_an_error_are_translated_each_and_joined_for_the_reader():
    from core.i18n import LOCALES_DIR, Translator
    from core.services.errors import Choices, Invalid

    error = Invalid("must be one of {choices}", params={"choices": Choices(["Draft", "Submitted", "Closed"])})
    assert error.message == "must be one of Draft, Submitted, Closed"  # untranslated: the ids
    english = Translator("en", (LOCALES_DIR,)).error(error)
    assert english == "must be one of Draft, Submitted, or Closed"
    chinese = Translator("zh_CN", (LOCALES_DIR,)).error(error)
    assert chinese == "must be one of 草稿、已提交或已结束"  # the ids translated (the message itself is not)


def test_several_catalogues_the_first_wins():
    from core.i18n import LOCALES_DIR, Translator

    both = Translator("zh_CN", (BALLOTS, LOCALES_DIR))
    assert both.gettext("Sign in") == "进入测评"  # the ballot pages' word, not the admin pages' 登录
    assert Translator("zh_CN", (LOCALES_DIR, BALLOTS)).gettext("Sign in") == "登录"
    assert both.gettext("Localities") == _catalog("zh_CN")["Localities"]  # the core's, where the first has none


def test_accept_language():
    from core.i18n import locale_from_accept_language

    assert locale_from_accept_language("zh-CN,zh;q=0.9,en;q=0.8") == "zh_CN"
    assert locale_from_accept_language("en-US,en;q=0.9,zh-CN;q=0.8") == "en"
    assert locale_from_accept_language("fr-FR, en;q=0.3, zh-TW;q=0.5") == "zh_CN"
    assert locale_from_accept_language("zh;q=0, en") == "en"
    assert locale_from_accept_language("fr, de") is None
    assert locale_from_accept_language("") is None and locale_from_accept_language(None) is None


def test_a_locale_reads_every_catalogue_of_its_directory_messages_po_first(tmp_path):
    from core.i18n import Translator

    folder = tmp_path / "zh_CN" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    entry = 'msgid "{0}"\nmsgstr "{1}"\n\n'
    (folder / "messages.po").write_text(
        entry.format("Close", "关闭") + entry.format("Only here", "只在这里"), encoding="utf-8"
    )
    (folder / "campaigns.po").write_text(
        entry.format("Close", "结束测评") + entry.format("Tally", "计票"), encoding="utf-8"
    )
    tr = Translator("zh_CN", tmp_path)
    assert [tr.gettext(m) for m in ("Close", "Only here", "Tally")] == ["关闭", "只在这里", "计票"]


def test_a_short_message_with_values_never_reads_other_text():
    from core.i18n import Translator

    tr = Translator("zh_CN")
    assert tr.gettext("{rank} of {n}", rank=2, n=5) == "第 2 名（共 5 名）"  # asked for by its id: translated
    # a service's message that merely contains " of " is not taken for "{rank} of {n}"
    assert tr.translate("the codes of batch 3 are no longer held") == "the codes of batch 3 are no longer held"
    assert tr.translate("no unit with code U9 in this locality") == "本地区没有编码为 U9 的单位"  # long ones still are


def test_pydantic_s_own_messages_read_in_chinese():
    """A form validated by a pydantic model (an adapter's options, a plugin's) shows pydantic's
    message translated, values and all, not its English."""
    from typing import Literal

    from pydantic import BaseModel, Field, HttpUrl, ValidationError

    from core.i18n import Translator

    class Options(BaseModel):
        patterns: list[str] = Field(min_length=1, max_length=2)
        url: HttpUrl
        method: Literal["GET", "POST"] = "GET"

    tr = Translator("zh_CN")
    for given in ({"patterns": [], "url": "ftp://x"}, {"patterns": ["a", "b", "c"], "url": "no url"}):
        try:
            Options(**given)
        except ValidationError as exc:
            shown = [tr.translate(error["msg"]) for error in exc.errors()]
        assert shown and not any(re.search(r"[A-Za-z]{4,}", text.replace("http", "")) for text in shown), shown
    assert tr.translate("List should have at least 1 item after validation, not 0") == "至少需要 1 项，现有 0 项"
