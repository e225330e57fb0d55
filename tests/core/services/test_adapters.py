"""Adapter runs end to end, against a real fake business system on loopback: every value of a
pull arrives or none does, transient faults are retried, permanent ones fail at once, a
re-run gives the same values, and a source runs once however many instances fire it."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import select

from core.hookspecs import hookimpl
from core.models import AdapterRun, AdapterSource, Subject
from core.models.base import utcnow
from core.plugins import get_plugin_manager
from core.scheduler import fire_due
from core.schemas.adapters import AdapterSourcePatch
from core.services import adapters
from core.services.errors import Conflict, Invalid
from core.services.plugins import PluginSettingIn, set_plugin
from tests.adapter_setup import FIELDS, SYSTEM, make_county, sample_records

EXPECTED_VALUES = len(sample_records()) * len(FIELDS)


@pytest.fixture
def county(ctx):
    return make_county(ctx)


def expected(county) -> dict:
    return {
        (county.subject_by_unit[r["dept_code"]], code, r["month"]): float(r[field])
        for r in sample_records()
        for field, code in FIELDS.items()
    }


def test_a_run_follows_the_next_links_and_writes_every_value(county, fake_platform):
    source = county.http_source(f"{fake_platform.url}/records")
    run = adapters.run_now(county.ctx, SYSTEM, source.id)
    assert run.status == "succeeded", run.error
    assert (run.rows_read, run.rows_written, run.rows_rejected, run.attempts) == (288, EXPECTED_VALUES, 0, 1)
    assert county.values() == expected(county)
    assert run.finished_at is not None and run.finished_at >= run.started_at


def test_running_again_gives_the_same_values(county, fake_platform):
    source = county.http_source(f"{fake_platform.url}/records")
    adapters.run_now(county.ctx, SYSTEM, source.id)
    first = county.values()
    second_run = adapters.run_now(county.ctx, SYSTEM, source.id)
    assert second_run.status == "succeeded"
    assert county.values() == first == expected(county)


@pytest.mark.parametrize("fault", ["500", "dropped", "slow"])
def test_transient_faults_are_retried_until_the_pull_completes(county, fake_platform, fault, caplog):
    source = county.http_source(f"{fake_platform.url}/records")
    if fault == "500":
        fake_platform.fail_next("/page2", 2, status=500)
    elif fault == "dropped":
        fake_platform.drop_next("/page2")
    else:
        fake_platform.slow_next("/page2", 1.5)  # past the 1 s timeout
    run = adapters.run_now(county.ctx, SYSTEM, source.id)
    assert run.status == "succeeded", run.error
    assert run.attempts == (3 if fault == "500" else 2)
    assert county.values() == expected(county)
    retries = [r.getMessage() for r in caplog.records if "retrying in" in r.getMessage()]
    assert len(retries) == run.attempts - 1  # each retry is logged, before its sleep
    assert retries[0].startswith(f"adapter source {source.id} (平台): attempt 1 failed (")


def test_429_waits_as_long_as_retry_after_says(county, fake_platform):
    source = county.http_source(f"{fake_platform.url}/records")
    fake_platform.fail_next("/records", 1, status=429, retry_after="1")
    started = time.monotonic()
    run = adapters.run_now(county.ctx, SYSTEM, source.id)
    assert run.status == "succeeded", run.error
    assert run.attempts == 2
    assert time.monotonic() - started >= 1.0  # the backoff alone is at most 0.2 s


def test_a_source_that_keeps_failing_gives_up_and_writes_nothing(county, fake_platform):
    source = county.http_source(f"{fake_platform.url}/records")
    fake_platform.fail_next("/page2", 10, status=503)
    run = adapters.run_now(county.ctx, SYSTEM, source.id)
    assert run.status == "failed"
    assert run.attempts == 4
    assert "gave up after 4 attempt(s)" in run.error and "503" in run.error
    assert run.rows_written == 0 and county.values() == {}


@pytest.mark.parametrize(
    "fault, words", [("missing", "page 2"), ("malformed", "JSON"), ("unauthorized", "credentials")]
)
def test_permanent_faults_fail_at_once_and_leave_no_partial_data(county, fake_platform, fault, words):
    source = county.http_source(f"{fake_platform.url}/records")
    if fault == "missing":
        fake_platform.missing("/page2")  # page 1 was fine: its 100 records must not be written alone
    elif fault == "malformed":
        fake_platform.malformed_next("/page2")
    else:
        fake_platform.require_token("s3cret-token")
    run = adapters.run_now(county.ctx, SYSTEM, source.id)
    assert run.status == "failed"
    assert run.attempts == 1
    assert words.lower() in run.error.lower()
    assert county.values() == {}


def test_a_failed_run_keeps_the_values_of_the_last_good_one(county, fake_platform):
    source = county.http_source(f"{fake_platform.url}/records")
    assert adapters.run_now(county.ctx, SYSTEM, source.id).status == "succeeded"
    fake_platform.missing("/page2")
    assert adapters.run_now(county.ctx, SYSTEM, source.id).status == "failed"
    assert county.values() == expected(county)


def test_unmapped_subjects_are_reported_record_by_record_and_nothing_is_written(county, fake_platform):
    with county.ctx.db.write() as session:
        session.delete(session.get(Subject, county.subject_by_unit["U024"]))
    source = county.http_source(f"{fake_platform.url}/records")
    run = adapters.run_now(county.ctx, SYSTEM, source.id)
    assert run.status == "failed"
    assert run.attempts == 1
    assert run.rows_rejected == 12  # U024's twelve months
    assert {r.field for r in run.rejected} == {"dept_code"}
    assert all("no subject with unit code 'U024'" in r.message for r in run.rejected)
    assert {r.where for r in run.rejected} == {f"page 2, record {n}" for n in range(177, 189)}
    assert "12 of 288 records cannot be used; nothing was written" in run.error
    assert county.values() == {}


def test_the_period_can_come_from_the_run_date(county, fake_platform):
    source = county.http_source(
        f"{fake_platform.url}/records", mapping=county.mapping(period={"from_run_date": "year"})
    )
    run = adapters.run_now(county.ctx, SYSTEM, source.id)
    assert run.status == "succeeded", run.error
    periods = {period for (_s, _c, period) in county.values()}
    assert len(periods) == 1 and periods.pop().isdigit()
    # Twelve monthly records per unit land on one key per year: the last one wins, nothing doubles.
    assert len(county.values()) == 24 * len(FIELDS)


def test_secret_options_are_encrypted_never_returned_and_kept_on_patch(county, fake_platform):
    fake_platform.require_token("s3cret-token")
    source = county.http_source(
        f"{fake_platform.url}/records",
        options={
            "url": f"{fake_platform.url}/records",
            "records_path": "data",
            "pagination": {"kind": "next_link", "path": "next"},
            "bearer_token": "s3cret-token",
        },
    )
    assert "s3cret-token" not in json.dumps(source.model_dump(mode="json"))
    assert source.secrets_set == ["bearer_token"]
    with county.ctx.db.read() as session:
        row = session.get(AdapterSource, source.id)
        assert "s3cret-token" not in json.dumps(row.options) + row.secret_options
    assert adapters.run_now(county.ctx, SYSTEM, source.id).status == "succeeded"

    # A client changes a public option and sends the options back without the secret: it is kept.
    patched = adapters.update_source(
        county.ctx,
        SYSTEM,
        source.id,
        AdapterSourcePatch(
            options={
                "url": f"{fake_platform.url}/records",
                "records_path": "data",
                "pagination": {"kind": "next_link", "path": "next"},
                "timeout_seconds": 5,
            }
        ),
    )
    assert patched.secrets_set == ["bearer_token"] and patched.options["timeout_seconds"] == 5
    assert adapters.run_now(county.ctx, SYSTEM, source.id).status == "succeeded"

    # "" clears it: the platform then refuses.
    cleared = adapters.update_source(
        county.ctx,
        SYSTEM,
        source.id,
        AdapterSourcePatch(
            options={
                "url": f"{fake_platform.url}/records",
                "records_path": "data",
                "pagination": {"kind": "next_link", "path": "next"},
                "bearer_token": "",
            }
        ),
    )
    assert cleared.secrets_set == []
    failed = adapters.run_now(county.ctx, SYSTEM, source.id)
    assert failed.status == "failed" and "s3cret-token" not in failed.error


def test_a_source_may_only_use_an_adapter_its_locality_enabled(ctx, fake_platform):
    county = make_county(ctx, adapters_enabled=())
    with pytest.raises(Invalid) as refused:
        county.http_source(f"{fake_platform.url}/records")
    assert "http_json" in refused.value.message and "not enabled" in refused.value.message


def test_the_mapping_must_name_value_indicators_of_the_locality(county, ctx, fake_platform):
    other = make_county(ctx, "other")
    with pytest.raises(Invalid) as foreign:
        county.http_source(
            f"{fake_platform.url}/records",
            mapping=county.mapping(
                values=[{"field": "cases_closed", "template_id": other.template_id, "indicator_code": "CASES"}]
            ),
        )
    assert foreign.value.errors[0]["field"] == "mapping.values[0].template_id"
    with pytest.raises(Invalid) as graded:
        county.http_source(
            f"{fake_platform.url}/records",
            mapping=county.mapping(
                values=[{"field": "cases_closed", "template_id": county.template_id, "indicator_code": "ALL"}]
            ),
        )
    assert "graded" in graded.value.errors[0]["message"]


def test_a_source_that_is_running_is_not_started_again(county, fake_platform):
    source = county.http_source(f"{fake_platform.url}/records")
    run_id = adapters.start_run(county.ctx, source.id, "manual")
    with pytest.raises(Conflict, match="already running"):
        adapters.start_run(county.ctx, source.id, "manual")
    adapters.execute_run(county.ctx, run_id)
    assert adapters.start_run(county.ctx, source.id, "manual") is not None  # released when it ended


def test_a_claim_left_by_a_dead_process_is_taken_over(county, fake_platform):
    source = county.http_source(f"{fake_platform.url}/records")
    dead_run = adapters.start_run(county.ctx, source.id, "schedule")
    with county.ctx.db.write() as session:
        session.execute(
            update(AdapterSource)
            .where(AdapterSource.id == source.id)
            .values(running_since=utcnow() - adapters.STALE_AFTER - timedelta(minutes=1))
        )
    run = adapters.execute_run(county.ctx, adapters.start_run(county.ctx, source.id, "manual"))
    assert run.status == "succeeded"
    with county.ctx.db.read() as session:
        abandoned = session.get(AdapterRun, dead_run)
        assert abandoned.status == "failed" and "abandoned" in abandoned.error


def test_a_due_source_fires_once_however_many_instances_look(county, fake_platform):
    source = county.http_source(f"{fake_platform.url}/records", schedule={"interval_minutes": 60})
    assert source.next_run_at is not None
    later = source.next_run_at + timedelta(seconds=1)
    first = fire_due(county.ctx, now=later)
    second = fire_due(county.ctx, now=later)  # another instance, same moment
    assert len(first) == 1 and second == []
    with county.ctx.db.read() as session:
        row = session.get(AdapterSource, source.id)
        runs = session.exec(select(AdapterRun).where(AdapterRun.source_id == source.id)).all()
    assert [r.status for r in runs] == ["succeeded"] and runs[0].trigger == "schedule"
    assert adapters.as_utc(row.next_run_at) == later + timedelta(minutes=60)
    assert row.running_since is None


def test_cron_schedules_fire_in_the_configured_time_zone():
    from datetime import UTC, datetime

    after = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)  # 18:00 in Shanghai
    fire = adapters.next_fire({"cron": "30 2 * * *"}, "Asia/Shanghai", after)
    assert fire == datetime(2026, 11, 22, 18, 30, tzinfo=UTC)  # 02:30 on the 23rd in Shanghai
    assert adapters.next_fire({"interval_minutes": 15}, "Asia/Shanghai", after) == after + timedelta(minutes=15)
    assert adapters.next_fire(None, "Asia/Shanghai", after) is None


def test_a_bad_cron_expression_is_refused(county, fake_platform):
    with pytest.raises(Invalid) as refused:
        county.http_source(f"{fake_platform.url}/records", schedule={"cron": "61 * * * *"})
    assert refused.value.errors[0]["field"] == "schedule.cron"


class RunListener:
    """A plugin that wants to hear about finished runs."""

    def __init__(self) -> None:
        self.heard: list[tuple[int, str]] = []

    @hookimpl
    def kaoping_adapter_run_finished(self, ctx, source, run) -> None:
        self.heard.append((source.id, run.status))


def test_plugins_enabled_for_the_locality_hear_about_every_run(county, ctx, fake_platform):
    listener = RunListener()
    pm = get_plugin_manager()
    pm.register(listener, name="run_listener")
    try:
        other = make_county(ctx, "other")
        set_plugin(ctx, SYSTEM, county.code, "run_listener", PluginSettingIn(enabled=True))
        source = county.http_source(f"{fake_platform.url}/records")
        adapters.run_now(ctx, SYSTEM, source.id)
        fake_platform.missing("/page2")
        adapters.run_now(ctx, SYSTEM, source.id)
        assert listener.heard == [(source.id, "succeeded"), (source.id, "failed")]
        other_source = other.http_source(f"{fake_platform.url}/records")
        adapters.run_now(ctx, SYSTEM, other_source.id)  # "other" has not enabled the listener
        assert len(listener.heard) == 2
    finally:
        pm.unregister(listener)


def test_preview_maps_the_first_rows_and_writes_nothing(county, fake_platform):
    source = county.http_source(f"{fake_platform.url}/records")
    preview = adapters.preview_source(county.ctx, SYSTEM, source.id)
    assert preview.rows_read == 288 and preview.rows_rejected == 0
    first = preview.rows[0]
    assert (first.where, first.subject_name, first.indicator_code, first.period, first.value) == (
        "page 1, record 1",
        "县委办公室",
        "CASES",
        "2026-01",
        109.0,
    )
    assert county.values() == {}
    with county.ctx.db.read() as session:
        assert session.exec(select(AdapterRun)).all() == []


def test_connection_test_says_what_it_found_or_why_not(county, fake_platform):
    source = county.http_source(f"{fake_platform.url}/records")
    ok = adapters.test_source(county.ctx, SYSTEM, source.id)
    assert ok.ok and "100" in ok.message
    fake_platform.require_token("s3cret-token")
    refused = adapters.test_source(county.ctx, SYSTEM, source.id)
    assert not refused.ok and "credentials" in refused.message


def test_numbers_in_records_are_parsed_strictly():
    assert adapters.parse_number("1,234.5") == 1234.5
    assert adapters.parse_number(" 7 ") == 7.0
    for bad in ("93%", "", None, True, "1e999", "abc"):
        with pytest.raises(ValueError):
            adapters.parse_number(bad)


def test_an_adapter_plugin_in_use_cannot_be_disabled(county, fake_platform):
    source = county.http_source(f"{fake_platform.url}/records")
    with pytest.raises(Conflict, match=f"used by enabled adapter source\\(s\\) {source.id}; disable them first"):
        set_plugin(county.ctx, SYSTEM, county.code, "http_json", PluginSettingIn(enabled=False))
    adapters.update_source(county.ctx, SYSTEM, source.id, AdapterSourcePatch(enabled=False))
    set_plugin(county.ctx, SYSTEM, county.code, "http_json", PluginSettingIn(enabled=False))
    run = adapters.run_now(county.ctx, SYSTEM, source.id)  # by hand, after all: it says why not
    assert run.status == "failed" and "not enabled for this locality" in run.error


def test_an_unreadable_file_is_moved_aside_so_later_runs_go_on(ctx):
    county = make_county(ctx, adapters_enabled=("tabular_file",))
    source = county.file_source()
    adapters.upload_file(ctx, SYSTEM, source.id, "a-damaged.xlsx", b"PK\x03\x04 this is not a workbook")
    adapters.upload_file(ctx, SYSTEM, source.id, "b-good.csv", "单位编码,月份,办结件数\nU001,2026-04,9\n".encode())

    failed = adapters.run_now(ctx, SYSTEM, source.id)
    assert failed.status == "failed" and "a-damaged.xlsx" in failed.error
    assert county.values() == {}
    with ctx.db.read() as session:
        folder = adapters.adapter_context(ctx, session.get(AdapterSource, source.id), county.code).work_dir / "inbox"
    assert sorted(p.name for p in (folder / "failed").iterdir()) == ["a-damaged.xlsx", "a-damaged.xlsx.reason.txt"]
    assert "a-damaged.xlsx" in (folder / "failed" / "a-damaged.xlsx.reason.txt").read_text(encoding="utf-8")

    succeeded = adapters.run_now(ctx, SYSTEM, source.id)  # the good file waited and is read now
    assert succeeded.status == "succeeded" and succeeded.rows_read == 1
    assert county.values() == {(county.subject_by_unit["U001"], "CASES", "2026-04"): 9.0}
    assert [p.name for p in (folder / "processed").iterdir()] == ["b-good.csv"]


def test_secrets_encrypted_under_another_key_fail_the_run_clearly_until_entered_again(county, fake_platform):
    from core.security import Keyring

    fake_platform.require_token("s3cret-token")
    options = {
        "url": f"{fake_platform.url}/records",
        "records_path": "data",
        "pagination": {"kind": "next_link", "path": "next"},
    }
    source = county.http_source(f"{fake_platform.url}/records", options={**options, "bearer_token": "s3cret-token"})
    with county.ctx.db.write() as session:  # as if KAOPING_SECRET_KEY had been changed since
        row = session.get(AdapterSource, source.id)
        row.secret_options = Keyring("another secret key, at least 32 chars").encrypt('{"bearer_token": "x"}')
    assert adapters.get_source(county.ctx, SYSTEM, source.id).secrets_set == []
    run = adapters.run_now(county.ctx, SYSTEM, source.id)
    assert run.status == "failed" and "cannot be decrypted" in run.error and "enter them again" in run.error
    adapters.update_source(
        county.ctx, SYSTEM, source.id, AdapterSourcePatch(options={**options, "bearer_token": "s3cret-token"})
    )
    assert adapters.run_now(county.ctx, SYSTEM, source.id).status == "succeeded"


def test_only_files_with_rejected_rows_are_moved_aside_the_good_ones_wait_for_the_next_run(ctx):
    county = make_county(ctx, adapters_enabled=("tabular_file",))
    source = county.file_source()
    adapters.upload_file(
        ctx, SYSTEM, source.id, "a-bad.csv", "单位编码,月份,办结件数\nU001,2026-05,7\nU002,2026-05,七\n".encode()
    )
    adapters.upload_file(ctx, SYSTEM, source.id, "b-good.csv", "单位编码,月份,办结件数\nU003,2026-05,3\n".encode())

    failed = adapters.run_now(ctx, SYSTEM, source.id)
    assert failed.status == "failed" and failed.rows_rejected == 1 and county.values() == {}
    with ctx.db.read() as session:
        folder = adapters.adapter_context(ctx, session.get(AdapterSource, source.id), county.code).work_dir / "inbox"
    assert sorted(p.name for p in (folder / "failed").iterdir()) == ["a-bad.csv", "a-bad.csv.reason.txt"]
    reason = (folder / "failed" / "a-bad.csv.reason.txt").read_text(encoding="utf-8")
    assert (
        "1 of 3 records cannot be used" in reason and "file a-bad.csv, row 3: 办结件数: '七' is not a number" in reason
    )
    assert (folder / "b-good.csv").exists()

    again = adapters.run_now(ctx, SYSTEM, source.id)
    assert again.status == "succeeded" and again.rows_read == 1
    assert county.values() == {(county.subject_by_unit["U003"], "CASES", "2026-05"): 3.0}


def test_a_new_source_never_reads_the_files_left_by_a_deleted_one(ctx):
    county = make_county(ctx, adapters_enabled=("tabular_file",))
    old = county.file_source()
    adapters.upload_file(ctx, SYSTEM, old.id, "left.csv", "单位编码,月份,办结件数\nU001,2026-06,1\n".encode())
    adapters.delete_source(ctx, SYSTEM, old.id)
    new = county.file_source()  # the same id on SQLite
    run = adapters.run_now(ctx, SYSTEM, new.id)
    assert run.status == "succeeded" and run.rows_read == 0 and county.values() == {}


# --- periods -------------------------------------------------------------------------------------


def _map(county, records: list[dict], run_date=None, **mapping):
    from datetime import date

    from core.adapters import Record
    from tests.adapter_setup import _locality_id

    with county.ctx.db.read() as session:
        return adapters.map_records(
            session,
            _locality_id(county.ctx, county.code),
            county.mapping(**mapping),
            [Record(where=f"record {i + 1}", fields=r) for i, r in enumerate(records)],
            run_date or date(2026, 11, 30),
        )


def _record(month, code="U001", cases=1) -> dict:
    return {"dept_code": code, "month": month, "cases_closed": cases, "on_time_rate": 0.9, "complaints": 0}


def test_record_periods_are_read_as_typed_and_stored_canonically(county):
    from datetime import date, datetime

    mapped = _map(
        county,
        [
            _record(p)
            for p in [
                "2026年11月",
                "2026/10",
                202609,
                "２０２６．０８",
                "2026-07-31",
                date(2026, 6, 30),
                datetime(2026, 5, 1, 8, 0),
                2026,
                "2026年第四季度",
                "2026年下半年",
                "2026年第48周",
            ]
        ],
    )
    assert mapped.rejected == []
    assert [row["period"] for row in mapped.rows[:: len(FIELDS)]] == [
        "2026-11",
        "2026-10",
        "2026-09",
        "2026-08",
        "2026-07-31",
        "2026-06-30",
        "2026-05-01",
        "2026",
        "2026-Q4",
        "2026-H2",
        "2026-W48",
    ]


def test_a_record_whose_period_cannot_be_read_is_rejected_never_stored(county):
    mapped = _map(
        county,
        [
            _record("2026-11"),
            _record("2026年13月"),
            _record(""),
            _record(None),
            _record("十一月"),
            {"dept_code": "U001", "cases_closed": 1, "on_time_rate": 1, "complaints": 0},
        ],
    )
    assert mapped.rejected_records == 5 and len(mapped.rows) == len(FIELDS)
    assert [(r["where"], r["field"]) for r in mapped.rejected] == [
        ("record 2", "month"),
        ("record 3", "month"),
        ("record 4", "month"),
        ("record 5", "month"),
        ("record 6", "month"),
    ]
    messages = [r["message"] for r in mapped.rejected]
    assert messages[0] == "'2026年13月' is not a period: no such day, week, month, quarter or half-year exists"
    assert messages[1] == messages[2] == "no period given; write one such as 2026, 2026-Q4 or 2026-11"
    assert messages[3].startswith("'十一月' is not a period; write a day 2026-11-30")
    assert messages[4] == "missing"

    # in a run: the run fails, lists the record, writes nothing
    ctx = county.ctx
    county_files = make_county(ctx, "county-files", adapters_enabled=("tabular_file",))
    source = county_files.file_source()
    adapters.upload_file(
        ctx, SYSTEM, source.id, "月报.csv", "单位编码,月份,办结件数\nU001,2026年11月,7\nU002,2026年十三月,9\n".encode()
    )
    run = adapters.run_now(ctx, SYSTEM, source.id)
    assert run.status == "failed" and run.rows_rejected == 1 and county_files.values() == {}
    [rejected] = run.rejected
    assert (rejected.where, rejected.field) == ("file 月报.csv, row 3", "月份")
    assert rejected.message.startswith("'2026年十三月' is not a period")


def test_a_record_of_another_kind_than_its_template_takes_is_rejected(county):
    from core.schemas.indicators import TemplateIn
    from core.services import templates
    from tests.adapter_setup import TEMPLATE

    templates.replace(
        county.ctx, SYSTEM, county.template_id, TemplateIn.model_validate({**TEMPLATE, "period_kind": "month"})
    )
    mapped = _map(county, [_record("2026-11"), _record("2026年第四季度"), _record("2026-11-02")])
    assert mapped.rejected_records == 2
    assert mapped.rejected == [
        {
            "where": "record 2",
            "field": "month",
            "message": f"period 2026-Q4 is not of the kind template "
            f"{county.template_id} takes: its values are for periods "
            f"like 2026-10",
        },
        {
            "where": "record 3",
            "field": "month",
            "message": f"period 2026-11-02 is not of the kind template "
            f"{county.template_id} takes: its values are for periods "
            f"like 2026-11",
        },
    ]
    # the run date's period: refused when the source is saved, and per record if the template changed since
    with pytest.raises(Invalid) as raised:
        county.http_source("http://127.0.0.1:9/records", mapping=county.mapping(period={"from_run_date": "quarter"}))
    assert raised.value.errors[0]["field"] == "mapping.period.from_run_date"
    assert f"template {county.template_id} takes" in raised.value.errors[0]["message"]
    mapped = _map(county, [_record(None)], period={"from_run_date": "month"})
    assert mapped.rejected == [] and mapped.rows[0]["period"] == "2026-11"
    mapped = _map(county, [_record(None)], period={"from_run_date": "week"})
    assert [(r["field"], r["message"][:26]) for r in mapped.rejected] == [
        ("mapping.period.from_run_date", "period 2026-W49 is not of ")
    ]


@pytest.mark.parametrize(
    "kind, expected",
    [
        ("day", "2026-12-01"),
        ("week", "2026-W49"),
        ("month", "2026-12"),
        ("quarter", "2026-Q4"),
        ("half_year", "2026-H2"),
        ("year", "2026"),
    ],
)
def test_the_run_dates_period_of_every_kind(county, kind, expected):
    from datetime import date

    mapped = _map(county, [_record(None)], run_date=date(2026, 12, 1), period={"from_run_date": kind})
    assert mapped.rejected == [] and {row["period"] for row in mapped.rows} == {expected}


def test_the_run_date_is_the_date_in_the_configured_time_zone(county, monkeypatch):
    """At 2026-11-30 17:30 UTC it is already 1 December in Asia/Shanghai: the month is 2026-12."""
    from datetime import UTC, datetime

    import core.services.adapters.sources as service  # where adapter_context reads the clock

    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2026, 11, 30, 17, 30, tzinfo=UTC).astimezone(tz)

    monkeypatch.setattr(service, "datetime", Clock)
    with county.ctx.db.read() as session:
        source = county.http_source(
            "http://127.0.0.1:9/records", mapping=county.mapping(period={"from_run_date": "month"})
        )
        context = adapters.adapter_context(county.ctx, session.get(AdapterSource, source.id), county.code)
    assert county.ctx.settings.timezone == "Asia/Shanghai"
    assert str(adapters.run_period("month", context.run_date)) == "2026-12"


def test_an_excel_date_cell_formatted_as_a_month_is_that_month(ctx):
    """Excel turns a typed 2026-11 into the date 2026-11-01 shown as 2026年11月: it is read as the
    month; a cell that shows the day is the day (and a monthly template refuses it)."""
    import io
    from datetime import datetime

    from openpyxl import Workbook

    from core.schemas.indicators import TemplateIn
    from core.services import templates
    from tests.adapter_setup import TEMPLATE

    county = make_county(ctx, adapters_enabled=("tabular_file",))
    templates.replace(ctx, SYSTEM, county.template_id, TemplateIn.model_validate({**TEMPLATE, "period_kind": "month"}))
    source = county.file_source()

    def workbook(cells: list[tuple[str, datetime | str, str | None]]) -> bytes:
        book = Workbook()
        sheet = book.active
        sheet.append(["单位编码", "月份", "办结件数"])
        for row, (unit, when, number_format) in enumerate(cells, start=2):
            sheet.append([unit, when, 5])
            if number_format:
                sheet.cell(row=row, column=2).number_format = number_format
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    adapters.upload_file(
        ctx,
        SYSTEM,
        source.id,
        "a.xlsx",
        workbook(
            [
                ("U001", datetime(2026, 11, 1), 'yyyy"年"m"月"'),
                ("U002", datetime(2026, 10, 1), "mmm-yy"),
                ("U003", datetime(2026, 9, 1), "yyyy-mm"),
                ("U004", "2026年8月", None),
            ]
        ),
    )
    run = adapters.run_now(ctx, SYSTEM, source.id)
    assert run.status == "succeeded", (run.error, run.rejected)
    units = county.subject_by_unit
    assert county.values() == {
        (units["U001"], "CASES", "2026-11"): 5.0,
        (units["U002"], "CASES", "2026-10"): 5.0,
        (units["U003"], "CASES", "2026-09"): 5.0,
        (units["U004"], "CASES", "2026-08"): 5.0,
    }

    adapters.upload_file(ctx, SYSTEM, source.id, "b.xlsx", workbook([("U001", datetime(2026, 12, 1), "yyyy-mm-dd")]))
    run = adapters.run_now(ctx, SYSTEM, source.id)
    assert run.status == "failed" and [(r.where, r.field) for r in run.rejected] == [("file b.xlsx, row 2", "月份")]
    assert run.rejected[0].message.startswith("period 2026-12-01 is not of the kind template")
