"""A data source's form in the console (core.web.admin.source_form): what an office user types
becomes the body the API takes, a secret left empty keeps the stored one, a bad mapping line
is named, and the API's error paths land beside their fields. Pure functions: no database."""

from __future__ import annotations

from types import SimpleNamespace

from pydantic import BaseModel, Field

from core.i18n import translator
from core.web.admin import schema_form
from core.web.admin.source_form import errors_by_field, form_values, read_form


class Options(BaseModel):  # an adapter's options, as http_json has them: a URL and a secret token
    url: str = Field(description="URL of the first page.")
    bearer_token: str | None = Field(default=None, description="Stored encrypted.")


FIELDS = schema_form.fields_of(Options.model_json_schema())
SECRET = {"bearer_token"}


def _posted(**extra: str) -> dict[str, str]:
    return {
        "name": "考勤",
        "enabled": "on",
        "opt_url": "https://hr.example.gov.cn/api/records",
        "opt_bearer_token": "",
        "subject_field": "工号",
        "subject_by": "code",
        "values": "出勤率, 7, KQ1\n\n迟到次数，7，KQ2",  # a blank line; full-width commas
        "schedule_kind": "cron",
        "cron": "0 2 * * *",
        "retry_attempts": "3",
        **extra,
    }


def test_typed_fields_become_the_apis_body_and_an_empty_secret_is_kept():
    body, typed, errors = read_form(_posted(), FIELDS, SECRET)
    assert errors == {}
    assert body["options"]["url"] == "https://hr.example.gov.cn/api/records"
    assert "bearer_token" not in body["options"]  # left empty: the stored token stays
    assert body["mapping"]["subject"] == {"field": "工号", "by": "code", "kind": None}
    assert body["mapping"]["values"] == [
        {"field": "出勤率", "template_id": 7, "indicator_code": "KQ1"},
        {"field": "迟到次数", "template_id": 7, "indicator_code": "KQ2"},
    ]
    assert body["schedule"] == {"cron": "0 2 * * *"} and body["retry"] == {"attempts": "3"}
    assert body["enabled"] is True and typed["name"] == "考勤"


def test_a_bad_value_line_is_named_and_what_was_typed_is_kept():
    _body, typed, errors = read_form(_posted(values="出勤率, seven, KQ1"), FIELDS, SECRET)
    assert errors["values"].startswith("line 1:")
    assert typed["values"] == "出勤率, seven, KQ1"


def test_a_stored_source_fills_the_form():
    source = SimpleNamespace(
        name="考勤",
        enabled=False,
        options={"url": "https://hr.example.gov.cn/api/records"},
        mapping={
            "subject": {"field": "工号", "by": "name", "kind": "person"},
            "period": {"from_run_date": "month"},
            "values": [{"field": "出勤率", "template_id": 7, "indicator_code": "KQ1"}],
        },
        schedule={"interval_minutes": 30},
        retry={"attempts": 2, "max_seconds": 60},
    )
    values = form_values(source, FIELDS)
    assert values["subject_by"] == "name" and values["subject_kind"] == "person" and values["enabled"] is False
    assert values["period_from_run_date"] == "month" and values["values"] == "出勤率, 7, KQ1"
    assert values["schedule_kind"] == "interval" and values["interval_minutes"] == "30"
    assert values["retry_attempts"] == "2" and values["retry_initial_seconds"] == ""
    assert values["options"]["url"] == "https://hr.example.gov.cn/api/records"
    blank = form_values(None, FIELDS)
    assert blank["name"] == "" and blank["enabled"] is True and blank["retry_attempts"] == "5"


def test_the_apis_error_paths_land_beside_their_fields():
    shell = SimpleNamespace(tr=translator("en"))
    found = [
        {"field": "body.options.url", "message": "must be an http:// or https:// URL"},
        {"field": "mapping.values[0].indicator_code", "message": "no such indicator"},
        {"field": "retry.attempts", "message": "too many"},
        {"field": "schedule.cron", "message": "not a cron expression"},
        {"field": "", "message": "something else"},
    ]
    assert set(errors_by_field(shell, found)) == {"opt_url", "values", "retry_attempts", "cron", "form"}
