"""The ``http_json`` adapter against the fake business platform (a real HTTP server)."""

from __future__ import annotations

import socket
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from pydantic import ValidationError

from adapters import http_json
from adapters.http_json import ADAPTER
from adapters.http_json_reader import retry_after_seconds
from core.adapters import PermanentFault, TransientFault
from tests.adapters.fake_platform import all_records

TOKEN = "tok-3f9a1c77e2b4-secret"
API_KEY = "key-8d2e6b1f0a93-secret"
PASSWORD = "pw-51c0ffee-secret"
NEXT_LINK = {"kind": "next_link", "path": "next"}


def options(platform, path: str = "/records", **changes: Any):
    data = {"url": platform.url + path, "records_path": "data", "pagination": NEXT_LINK, "timeout_seconds": 2}
    data.update(changes)
    return ADAPTER.options_model.model_validate(data)


def fault(kind, platform, context, **changes):
    with pytest.raises(kind) as caught:
        ADAPTER.fetch(options(platform, **changes), context)
    return caught.value


def test_the_plugin_registers_one_adapter_named_like_its_module():
    adapters = http_json.kaoping_adapters()
    assert [a.name for a in adapters] == ["http_json"]
    assert ADAPTER.secret_options == ("secret_headers", "bearer_token", "basic_password")
    schema = ADAPTER.options_model.model_json_schema()
    assert schema["properties"]["url"]["description"]
    with pytest.raises(ValidationError):
        ADAPTER.options_model.model_validate({"url": "http://x/", "surprise": 1})
    with pytest.raises(ValidationError):
        ADAPTER.options_model.model_validate({"url": "ftp://x/"})
    with pytest.raises(ValidationError):
        ADAPTER.options_model.model_validate({"url": "http://x/", "basic_username": "u"})
    with pytest.raises(ValidationError):  # no way to know where the pages end
        ADAPTER.options_model.model_validate(
            {"url": "http://x/", "pagination": {"kind": "page_number", "stop_when_empty": False}}
        )


def test_next_link_pagination_reads_all_288_records_once(fake_platform, adapter_context):
    fetched = ADAPTER.fetch(options(fake_platform), adapter_context)
    assert [r.fields for r in fetched.records] == all_records()
    assert len(fetched.records) == 288
    assert fetched.records[0].where == "page 1, record 1"
    assert fetched.records[99].where == "page 1, record 100"
    assert fetched.records[100].where == "page 2, record 1"
    assert fetched.records[-1].where == "page 2, record 188"
    assert fake_platform.requests == {"/records": 1, "/page2": 1}
    assert fetched.on_success is None and fetched.on_failure is None


def test_page_number_pagination_stops_at_the_empty_page(fake_platform, adapter_context):
    pagination = {"kind": "page_number", "param": "page", "start": 1}
    fetched = ADAPTER.fetch(options(fake_platform, pagination=pagination), adapter_context)
    assert [r.fields for r in fetched.records] == all_records()
    assert fetched.records[150].where == "page 2, record 51"
    assert fake_platform.targets == ["/records?page=1", "/records?page=2", "/records?page=3"]


def test_page_number_pagination_with_a_page_size_stops_at_a_short_page(fake_platform, adapter_context):
    pagination = {"kind": "page_number", "param": "page", "size_param": "size", "size": 50, "stop_when_empty": False}
    fetched = ADAPTER.fetch(options(fake_platform, pagination=pagination, params={"year": 2026}), adapter_context)
    assert [r.fields for r in fetched.records] == all_records()
    assert fetched.records[-1].where == "page 6, record 38"
    assert len(fake_platform.targets) == 6
    assert fake_platform.targets[0] == "/records?year=2026&page=1&size=50"


def test_without_pagination_only_the_first_page_is_read(fake_platform, adapter_context):
    fetched = ADAPTER.fetch(options(fake_platform, pagination={"kind": "none"}), adapter_context)
    assert len(fetched.records) == 100
    assert fake_platform.requests == {"/records": 1}


def test_post_sends_the_json_body(fake_platform, adapter_context):
    body = {"year": 2026, "units": ["U001"]}
    fetched = ADAPTER.fetch(options(fake_platform, method="POST", body=body), adapter_context)
    assert len(fetched.records) == 288
    assert fake_platform.last_body == body


def test_test_reads_the_first_page_only(fake_platform, adapter_context):
    message = ADAPTER.test(options(fake_platform), adapter_context)
    assert message == (
        "first page: 100 records, fields dept_code, dept_name, month, cases_closed, on_time_rate, "
        "complaints, complaints_answered_in_time"
    )
    assert fake_platform.requests == {"/records": 1}
    fake_platform.serve("/empty", {"data": []})
    assert ADAPTER.test(options(fake_platform, "/empty"), adapter_context) == "first page: no records"


# --- transient faults ----------------------------------------------------------------------------


def test_a_500_is_transient_and_names_the_page(fake_platform, adapter_context):
    fake_platform.fail_next("/page2", times=1, status=503)
    error = fault(TransientFault, fake_platform, adapter_context, params={"q": "x"})
    assert str(error) == f"page 2 ({fake_platform.url}/page2): HTTP 503 Service Unavailable"
    assert error.retry_after is None
    # the next fetch (the core's retry) reads everything again
    assert len(ADAPTER.fetch(options(fake_platform), adapter_context).records) == 288
    assert fake_platform.requests == {"/records": 2, "/page2": 2}


def test_429_gives_retry_after_in_seconds(fake_platform, adapter_context):
    fake_platform.fail_next("/records", status=429, retry_after="1")
    error = fault(TransientFault, fake_platform, adapter_context)
    assert error.retry_after == 1
    assert str(error) == (
        f"page 1 ({fake_platform.url}/records): HTTP 429 Too Many Requests; the server asks to retry after 1 s"
    )


def test_429_with_an_http_date(fake_platform, adapter_context):
    when = datetime.now(UTC) + timedelta(seconds=30)
    fake_platform.fail_next("/records", status=429, retry_after=format_datetime(when, usegmt=True))
    error = fault(TransientFault, fake_platform, adapter_context)
    assert 27 <= error.retry_after <= 30


def test_retry_after_parsing():
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert retry_after_seconds("120", now) == 120
    assert retry_after_seconds("Sun, 01 Mar 2026 12:00:05 GMT", now) == 5
    assert retry_after_seconds("Sun, 01 Mar 2026 11:00:00 GMT", now) == 0
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds(None, now) is None


def test_a_slow_answer_past_the_timeout_is_transient(fake_platform, adapter_context):
    fake_platform.slow_next("/page2", seconds=1.5)
    started = time.monotonic()
    error = fault(TransientFault, fake_platform, adapter_context, timeout_seconds=0.3)
    assert time.monotonic() - started < 1.2
    assert str(error) == f"page 2 ({fake_platform.url}/page2): no answer within 0.3 s (timeout)"


@pytest.mark.parametrize("partial", [False, True], ids=["no-answer", "half-body"])
def test_a_dropped_connection_is_transient(fake_platform, adapter_context, partial):
    fake_platform.drop_next("/page2", partial=partial)
    error = fault(TransientFault, fake_platform, adapter_context)
    assert str(error).startswith(f"page 2 ({fake_platform.url}/page2): ")
    assert "dropped" in str(error) or "network error" in str(error)


def test_a_refused_connection_is_transient(adapter_context):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens there once closed
    opts = ADAPTER.options_model.model_validate({"url": f"http://127.0.0.1:{port}/api?key=abc", "timeout_seconds": 1})
    with pytest.raises(TransientFault) as caught:
        ADAPTER.fetch(opts, adapter_context)
    assert str(caught.value).startswith(f"page 1 (http://127.0.0.1:{port}/api): cannot connect")
    assert "key=abc" not in str(caught.value)


# --- permanent faults ----------------------------------------------------------------------------


def test_malformed_json_is_permanent(fake_platform, adapter_context):
    fake_platform.malformed_next("/page2")
    error = fault(PermanentFault, fake_platform, adapter_context)
    assert str(error).startswith(
        f"page 2 ({fake_platform.url}/page2): the answer is not valid JSON at character 33 "
        f"(content type application/json); it starts with"
    )


def test_an_html_answer_is_permanent(fake_platform, adapter_context):
    fake_platform.serve("/login", b"<html>please sign in</html>")
    error = fault(PermanentFault, fake_platform, adapter_context, path="/login")
    assert "not valid JSON" in str(error) and "<html>please sign in</html>" in str(error)


def test_a_page_missing_mid_pagination_is_permanent(fake_platform, adapter_context):
    fake_platform.missing("/page2")
    error = fault(PermanentFault, fake_platform, adapter_context, params={"token": "in-query"})
    assert str(error) == f"page 2 ({fake_platform.url}/page2): not found (HTTP 404 Not Found)"


def test_a_page_number_missing_mid_pagination_is_permanent(fake_platform, adapter_context):
    fake_platform.missing("/records?page=2")
    error = fault(PermanentFault, fake_platform, adapter_context, pagination={"kind": "page_number"})
    assert str(error) == f"page 2 ({fake_platform.url}/records): not found (HTTP 404 Not Found)"


def test_other_4xx_are_permanent(fake_platform, adapter_context):
    fake_platform.fail_next("/records", status=400)
    error = fault(PermanentFault, fake_platform, adapter_context)
    assert str(error) == f"page 1 ({fake_platform.url}/records): the source refused the request (HTTP 400 Bad Request)"


def test_records_path_missing_or_not_a_list(fake_platform, adapter_context):
    error = fault(PermanentFault, fake_platform, adapter_context, records_path="result.items")
    assert str(error) == "page 1: no records at 'result.items' (the page has fields data, next)"
    error = fault(PermanentFault, fake_platform, adapter_context, records_path="next")
    assert str(error) == "page 1: the records at 'next' are a string, not a list"
    error = fault(PermanentFault, fake_platform, adapter_context, records_path="")
    assert str(error) == "page 1: the records (the page itself) are a object, not a list"


def test_a_record_that_is_not_an_object(fake_platform, adapter_context):
    fake_platform.serve("/list", [{"dept_code": "U001"}, ["U002", 3]])
    error = fault(PermanentFault, fake_platform, adapter_context, path="/list", records_path="")
    assert str(error) == "page 1, record 2: a record must be an object, found a list"
    fake_platform.serve("/list", [{"dept_code": "U001"}, {"dept_code": "U002"}])
    fetched = ADAPTER.fetch(
        options(fake_platform, "/list", records_path="", pagination={"kind": "none"}), adapter_context
    )
    assert [r.fields["dept_code"] for r in fetched.records] == ["U001", "U002"]


def test_nested_records_path_and_absolute_next_link(fake_platform, adapter_context):
    fake_platform.serve("/a", {"result": {"items": [{"n": 1}]}, "links": {"next": f"{fake_platform.url}/b?c=1"}})
    fake_platform.serve("/b", {"result": {"items": [{"n": 2}, {"n": 3}]}, "links": {"next": None}})
    fetched = ADAPTER.fetch(
        options(
            fake_platform, "/a", records_path="result.items", pagination={"kind": "next_link", "path": "links.next"}
        ),
        adapter_context,
    )
    assert [(r.where, r.fields["n"]) for r in fetched.records] == [
        ("page 1, record 1", 1),
        ("page 2, record 1", 2),
        ("page 2, record 2", 3),
    ]
    assert fake_platform.targets == ["/a", "/b?c=1"]


def test_a_next_link_to_another_server_or_back_is_refused(fake_platform, adapter_context):
    fake_platform.serve("/a", {"data": [], "next": "http://198.51.100.7/steal"})
    error = fault(PermanentFault, fake_platform, adapter_context, path="/a")
    assert str(error) == "page 1: the next link points to another server (http://198.51.100.7/steal); refused"
    fake_platform.serve("/a", {"data": [], "next": "/b"})
    fake_platform.serve("/b", {"data": [], "next": "a"})
    error = fault(PermanentFault, fake_platform, adapter_context, path="/a")
    assert str(error) == f"page 2: the next link leads back to a page already read ({fake_platform.url}/a)"


def test_max_pages_bounds_the_fetch(fake_platform, adapter_context):
    error = fault(PermanentFault, fake_platform, adapter_context, max_pages=1)
    assert str(error) == "more than 1 pages; raise max_pages or check the pagination settings"


# --- credentials ---------------------------------------------------------------------------------


def test_401_without_the_bearer_token_and_ok_with_it(fake_platform, adapter_context):
    fake_platform.require_token(TOKEN)
    error = fault(PermanentFault, fake_platform, adapter_context)
    assert str(error) == (
        f"page 1 ({fake_platform.url}/records): the source refused the credentials (HTTP 401 Unauthorized)"
    )
    error = fault(PermanentFault, fake_platform, adapter_context, bearer_token="wrong-" + TOKEN)
    assert "refused the credentials" in str(error) and TOKEN not in str(error)
    assert len(ADAPTER.fetch(options(fake_platform, bearer_token=TOKEN), adapter_context).records) == 288
    assert fake_platform.last_headers["Authorization"] == f"Bearer {TOKEN}"
    assert ADAPTER.test(options(fake_platform, bearer_token=TOKEN), adapter_context).startswith("first page: 100")


def test_an_api_key_header_and_basic_auth(fake_platform, adapter_context):
    fake_platform.require_token(API_KEY, header="X-Api-Key")
    fault(PermanentFault, fake_platform, adapter_context, headers={"X-Api-Key": "nope"})
    fetched = ADAPTER.fetch(
        options(fake_platform, secret_headers={"X-Api-Key": API_KEY}, headers={"X-Client": "kaoping"}), adapter_context
    )
    assert len(fetched.records) == 288 and fake_platform.last_headers["X-Client"] == "kaoping"
    fake_platform.reset()
    fake_platform.require_basic("office", PASSWORD)
    fault(PermanentFault, fake_platform, adapter_context, basic_username="office", basic_password="bad")
    fetched = ADAPTER.fetch(options(fake_platform, basic_username="office", basic_password=PASSWORD), adapter_context)
    assert len(fetched.records) == 288


@pytest.mark.parametrize("switch", ["fail", "slow", "drop", "malformed", "missing", "401"])
def test_secrets_never_appear_in_messages(fake_platform, adapter_context, switch):
    secrets = {"bearer_token": TOKEN, "secret_headers": {"X-Api-Key": API_KEY}}
    if switch == "fail":
        fake_platform.fail_next("/records", status=500, body=f"bad token {TOKEN} key {API_KEY}".encode())
    elif switch == "slow":
        fake_platform.slow_next("/records", 1)
    elif switch == "drop":
        fake_platform.drop_next("/records")
    elif switch == "malformed":
        fake_platform.serve("/records", f"oops {TOKEN} {API_KEY}".encode())
    elif switch == "missing":
        fake_platform.missing("/page2")
    else:
        fake_platform.require_token("another")
    with pytest.raises((TransientFault, PermanentFault)) as caught:
        ADAPTER.fetch(options(fake_platform, timeout_seconds=0.3, **secrets), adapter_context)
    message = str(caught.value)
    assert message and TOKEN not in message and API_KEY not in message


def test_a_password_in_the_url_never_appears(fake_platform, adapter_context):
    fake_platform.serve("/records", b"not json")
    url = fake_platform.url.replace("http://", f"http://office:{PASSWORD}@") + "/records?apikey=" + API_KEY
    with pytest.raises(PermanentFault) as caught:
        ADAPTER.fetch(ADAPTER.options_model.model_validate({"url": url}), adapter_context)
    assert PASSWORD not in str(caught.value) and API_KEY not in str(caught.value)
    assert str(caught.value).startswith(f"page 1 ({fake_platform.url}/records): the answer is not valid JSON")


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"headers": {"X-Unit": "县委"}}, "header X-Unit: the value may only hold printable ASCII characters"),
        (
            {"secret_headers": {"X-Api-Key": API_KEY + "\r\nX-Evil: 1"}},
            "header X-Api-Key: the value may only hold printable ASCII characters",
        ),
        ({"headers": {"Bad Name": "1"}}, "header 'Bad Name': not a valid header name"),
        ({"bearer_token": TOKEN + "密"}, "bearer_token: may only hold printable ASCII characters"),
        (
            {"basic_username": "office", "basic_password": PASSWORD + "密"},
            "basic_password: may only hold printable ASCII characters",
        ),
    ],
)
def test_headers_http_cannot_carry_are_refused_without_their_value(fake_platform, adapter_context, changes, message):
    for call in (ADAPTER.fetch, ADAPTER.test):
        with pytest.raises(PermanentFault) as caught:
            call(options(fake_platform, **changes), adapter_context)
        assert str(caught.value) == message
    assert fake_platform.requests == {}


def test_redirects_are_followed_on_the_same_server_only(fake_platform, adapter_context):
    fake_platform.fail_next("/old", status=301, headers={"Location": "/records"})
    fetched = ADAPTER.fetch(options(fake_platform, "/old"), adapter_context)
    assert len(fetched.records) == 288
    assert fake_platform.targets == ["/old", "/records", "/page2"]
    fake_platform.fail_next("/old", status=302, headers={"Location": "http://198.51.100.7/records"})
    error = fault(PermanentFault, fake_platform, adapter_context, path="/old", secret_headers={"X-Api-Key": API_KEY})
    assert str(error) == (
        f"page 1 ({fake_platform.url}/old): the source redirected to another server "
        f"(http://198.51.100.7/records); refused so that the credentials are not sent there"
    )


def test_this_servers_loopback_is_refused_unless_the_platform_allows_it(fake_platform, adapter_context):
    from dataclasses import replace

    closed = replace(adapter_context, allow_loopback=False)
    options = ADAPTER.options_model.model_validate({"url": f"{fake_platform.url}/records"})
    with pytest.raises(PermanentFault, match="this server itself .*KAOPING_ADAPTER_ALLOW_LOOPBACK"):
        ADAPTER.fetch(options, closed)
    with pytest.raises(PermanentFault, match="this server itself"):
        ADAPTER.test(options, closed)
    assert fake_platform.requests["/records"] == 0  # refused before any request
    assert len(ADAPTER.fetch(options, adapter_context).records) == 100  # allowed: the tests' platform


@pytest.mark.parametrize(
    "url", ["http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/x", "http://0.0.0.0:8000/x"]
)
def test_link_local_and_unspecified_addresses_are_always_refused(url, adapter_context):
    options = ADAPTER.options_model.model_validate({"url": url})
    with pytest.raises(PermanentFault, match="an address sources may not use"):
        ADAPTER.fetch(options, adapter_context)
