"""The server gzips text answers of 1 KB or more; small answers, PDFs and downloads go as they are."""

from __future__ import annotations

import gzip

import httpx

from core.web.compression import MINIMUM_SIZE, compressible


def _raw(url: str, path: str, encoding: str = "gzip", **kwargs) -> httpx.Response:
    """The answer as sent (httpx would decode it): its headers and undecoded body."""
    with (
        httpx.Client(base_url=url, timeout=30, **kwargs) as client,
        client.stream("GET", path, headers={"Accept-Encoding": encoding}) as response,
    ):
        response.raw_body = b"".join(response.iter_raw())
        return response


def test_a_page_is_gzipped_for_a_browser_that_accepts_it(world):
    response = _raw(world.url, "/b/")
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in response.headers["vary"].lower()
    html = gzip.decompress(response.raw_body).decode()
    assert "<form" in html and len(html) > len(response.raw_body)


def test_no_compression_without_accept_encoding(world):
    response = _raw(world.url, "/b/", encoding="identity")
    assert "content-encoding" not in response.headers
    assert b"<form" in response.raw_body


def test_a_small_answer_is_not_compressed(world):
    response = _raw(world.url, "/health")
    assert response.status_code == 200
    assert len(response.raw_body) < MINIMUM_SIZE
    assert "content-encoding" not in response.headers


def test_a_script_is_gzipped_and_reads_back_whole(world):
    response = _raw(world.url, "/static/vendor/htmx/htmx.min.js")
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert b"htmx" in gzip.decompress(response.raw_body)


def test_streamed_slips_pdf_goes_as_it_is(setup, world):
    setup.issue("县领导", 3)
    response = _raw(
        world.url,
        f"/api/campaigns/{setup.campaign_id}/slips.pdf",
        headers={"Authorization": setup.api.headers["Authorization"]},
    )
    assert response.status_code == 200, response.text if hasattr(response, "text") else ""
    assert "content-encoding" not in response.headers
    assert response.raw_body.startswith(b"%PDF")


def test_what_is_compressible():
    assert compressible("text/html; charset=utf-8")
    assert compressible("application/json")
    assert not compressible("application/pdf")
    assert not compressible("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert not compressible("image/png")
    assert not compressible("text/event-stream")


def test_htmx_requests_get_what_htmx_reads(world):
    """A sign-in redirect for HTMX is a header on an empty answer (not compressed); a page
    fetched by HTMX is gzipped like any other and reads back whole."""
    redirect = _raw(world.url, "/admin/localities/county-a/units", headers={"HX-Request": "true"})
    assert redirect.status_code == 200 and redirect.headers["hx-redirect"].startswith("/admin/login")
    assert "content-encoding" not in redirect.headers and redirect.raw_body == b""
    login = _raw(world.url, "/admin/login", headers={"HX-Request": "true"})
    assert login.headers["content-encoding"] == "gzip"
    assert b"</form>" in gzip.decompress(login.raw_body)
