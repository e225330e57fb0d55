"""The console page "Accounts and slips" (ballots/admin_accounts.py) over HTTP, on SQLite and
PostgreSQL: counts per evaluator category, issuing from a form (CSRF, bad counts kept and said
beside the field), the slips PDF of one category (each page headed by its category, the long
campaign name wrapped in full, every QR code decoding to a code that signs in), a lost slip
revoked or replaced by the number printed on it or by its code, the loopback and font warnings,
and who may open it (the office only; another locality's campaign is 404)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from core import pdf_fonts
from core.models.base import utcnow
from core.models.campaigns import SlipBatch
from tests.ballots.test_slips import _run, _scan, _text, _urls
from tests.core.web.test_console_permissions import _session
from tests.core.web.test_downloads import saved_as

pytestmark = pytest.mark.usefixtures("cheap_password_hashes")

LONG_NAME = "2026年度某某县县直机关单位领导班子和领导干部年度考核民主测评（第二批次，含新提拔干部的任职考察）"


def _page_url(setup) -> str:
    return f"/admin/localities/county-a/campaigns/{setup.campaign_id}/accounts"


def _category_ids(client, setup) -> dict[str, int]:
    page = client.get(_page_url(setup))
    assert page.status_code == 200, page.text
    return {
        name: int(id_) for name, id_ in re.findall(r'<tr data-category="([^"]+)" data-category-id="(\d+)"', page.text)
    }


def _row(text: str, category: str) -> dict[str, str]:
    row = re.search(rf'<tr data-category="{re.escape(category)}"[^>]*>(.*?)</tr>', text, flags=re.DOTALL).group(1)
    return dict(re.findall(r'data-count="(\w+)">([^<]*)<', row))


def _accounts(setup) -> dict[int, dict]:
    return {a["id"]: a for a in setup.api.get(f"/api/campaigns/{setup.campaign_id}/accounts").json()["items"]}


def _page_text(pdf: bytes, page: int, folder) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "one.pdf"
    path.write_bytes(pdf)
    return _run("pdftotext", "-enc", "UTF-8", "-f", str(page), "-l", str(page), str(path), "-")


def _pages(pdf: bytes, folder) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "count.pdf"
    path.write_bytes(pdf)
    return int(re.search(r"Pages:\s+(\d+)", _run("pdfinfo", str(path))).group(1))


def test_counts_per_category_and_issuing_from_the_page(world, setup):
    setup.issue("县领导", 2)
    with _session(world, "office-county-a") as client:
        ids = _category_ids(client, setup)
        assert set(ids) == {"县领导", "基层代表"}
        page = client.get(_page_url(setup))
        assert "账号与票条" in page.text and 'data-tab="ballots.accounts"' in page.text
        assert 'aria-current="page">账号与票条' in page.text
        # the plugin's own catalogue comes first on its pages: its "Issued", not the core's 已发放
        assert '<th scope="col">已生成</th>' in page.text and "已发放" not in page.text
        assert _row(page.text, "县领导") == {
            "issued": "2",
            "unused": "2",
            "in_use": "0",
            "submitted": "0",
            "revoked": "0",
        }

        issue = f"{_page_url(setup)}/issue"
        refused = client.post(issue, data={"category": str(ids["基层代表"]), "count": "3"})  # no CSRF token
        assert refused.status_code == 403
        for bad in ("0", "abc", "100001", ""):
            answer = client.post(issue, data={"_csrf": client.csrf, "category": str(ids["基层代表"]), "count": bad})
            assert answer.status_code == 422, bad
            assert f'id="e-count-{ids["基层代表"]}"' in answer.text and "请输入 1 到 100000 之间的整数" in answer.text
            assert f'value="{bad}"' in answer.text  # kept as typed
        unknown = client.post(issue, data={"_csrf": client.csrf, "category": "999999", "count": "3"})
        assert unknown.status_code == 422 and "请选择本次测评的测评主体" in unknown.text
        assert len(_accounts(setup)) == 2  # nothing was issued by any of these

        done = client.post(issue, data={"_csrf": client.csrf, "category": str(ids["基层代表"]), "count": "3"})
        assert done.status_code == 303
        after = client.get(done.headers["location"])
        assert "已为基层代表生成 3 个测评账号" in after.text
        batch = re.search(r'href="([^"]+slips\.pdf\?batch=\d+)"', after.text).group(1)
        assert _row(after.text, "基层代表")["issued"] == "3"
        pdf = client.get(batch.replace("&amp;", "&"))
        assert pdf.status_code == 200 and pdf.headers["content-type"].startswith("application/pdf")

        setup.open()  # spares while open: the same form
        open_page = client.get(_page_url(setup))
        assert "补发备用账号" in open_page.text
        spare = client.post(issue, data={"_csrf": client.csrf, "category": str(ids["县领导"]), "count": "1"})
        assert spare.status_code == 303
        setup.close()
        closed = client.get(_page_url(setup))
        assert "不能再生成、作废或补发" in closed.text and f"{_page_url(setup)}/issue" not in closed.text
        late = client.post(issue, data={"_csrf": client.csrf, "category": str(ids["县领导"]), "count": "1"})
        assert late.status_code == 409
    assert len(_accounts(setup)) == 6


def test_slips_of_one_category_each_page_headed_and_the_long_name_wrapped(world, setup, tmp_path):
    renamed = setup.api.patch(f"/api/campaigns/{setup.campaign_id}", json={"name": LONG_NAME})
    assert renamed.status_code == 200, renamed.text
    leaders = setup.issue("县领导", 3)
    grassroots = setup.issue("基层代表", 12)
    more_leaders = setup.issue("县领导", 2)
    with _session(world, "office-county-a") as client:
        ids = _category_ids(client, setup)
        answer = client.get(f"{_page_url(setup)}/slips.pdf", params={"category": ids["基层代表"]})
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/pdf")
        saved = (
            f"测评{setup.campaign_id}-票条-基层代表.pdf",
            f"campaign-{setup.campaign_id}-slips-category-{ids['基层代表']}.pdf",
        )
        assert saved_as(answer.headers["content-disposition"]) == saved  # shown in the browser, named in Chinese
        assert answer.headers["content-disposition"].startswith("inline; ")
        pdf = answer.content
        assert _pages(pdf, tmp_path) == 2
        for page in (1, 2):
            text = _page_text(pdf, page, tmp_path)
            assert text.splitlines()[0].startswith("测评类别：基层代表")  # the header of the page
            assert "县领导" not in text
        flat = re.sub(r"\s+", "", _text(pdf, tmp_path))
        # every slip carries the whole name (wrapped, never cut), and so does each page's header
        assert flat.count(LONG_NAME) == 12 + 2 and "…" not in flat
        lines = _page_text(pdf, 1, tmp_path).splitlines()
        assert len([line for line in lines if line.startswith("2026年度某某县") and line != LONG_NAME]) == 10
        _, decoded = _scan(pdf, tmp_path / "scan")
        assert sorted(decoded) == _urls(world, grassroots)
        assert all(str(a["id"]) in flat for a in grassroots)  # the number (No.) on each slip

        everything = client.get(f"{_page_url(setup)}/slips.pdf").content
        assert _pages(everything, tmp_path / "all") == 3  # 5 leaders on a page of their own, 12 on 2
        headers = [_page_text(everything, page, tmp_path / "all").splitlines()[0] for page in (1, 2, 3)]
        assert [h.split()[0] for h in headers] == ["测评类别：县领导", "测评类别：基层代表", "测评类别：基层代表"]
        _, decoded = _scan(everything, tmp_path / "scan-all")
        assert sorted(decoded) == _urls(world, leaders + grassroots + more_leaders)

        english = client.get(f"{_page_url(setup)}/slips.pdf", params={"category": ids["县领导"], "lang": "en"})
        assert "Category: 县领导" in _page_text(english.content, 1, tmp_path / "en").splitlines()[0]
        name = f"campaign-{setup.campaign_id}-slips-category-{ids['县领导']}.pdf"
        assert english.headers["content-disposition"] == f'inline; filename="{name}"'


def test_a_lost_slip_revoked_by_its_number_and_replaced_by_its_code(world, setup, tmp_path):
    first, second, third = setup.issue("县领导", 3)
    setup.issue("基层代表", 1)
    setup.open()
    slip = f"{_page_url(setup)}/slip"
    with _session(world, "office-county-a") as client:
        refused = client.post(slip, data={"slip": f"No. {first['id']}", "action": "revoke"})
        assert refused.status_code == 403 and _accounts(setup)[first["id"]]["status"] == "issued"

        revoked = client.post(slip, data={"_csrf": client.csrf, "slip": f"编号 {first['id']}", "action": "revoke"})
        assert revoked.status_code == 303
        assert f"编号 {first['id']} 的票条已作废" in client.get(revoked.headers["location"]).text
        assert _accounts(setup)[first["id"]]["status"] == "revoked"
        with world.client() as phone:
            assert phone.post("/api/ballot/login", json={"code": first["code"]}).status_code in (403, 409, 410)

        again = client.post(slip, data={"_csrf": client.csrf, "slip": str(first["id"]), "action": "revoke"})
        assert again.status_code == 409 and 'id="e-slip"' in again.text

        unknown = client.post(slip, data={"_csrf": client.csrf, "slip": "No. 999999", "action": "replace"})
        assert unknown.status_code == 422 and "没有编号或测评码为 No. 999999 的票条" in unknown.text
        assert 'value="No. 999999"' in unknown.text
        wrong_code = client.post(slip, data={"_csrf": client.csrf, "slip": "ABCD-EFGH-JKMN", "action": "revoke"})
        assert wrong_code.status_code == 422

        # replaced by its code, typed as an evaluator would (lower case, no dashes)
        typed = second["code"].replace("-", "").lower()
        replaced = client.post(slip, data={"_csrf": client.csrf, "slip": typed, "action": "replace"})
        assert replaced.status_code == 303
        page = client.get(replaced.headers["location"])
        assert f"编号 {second['id']} 的票条已作废，并已补发一张新票条" in page.text
        new_slip = re.search(r'href="([^"]+slips\.pdf\?batch=\d+)"[^>]*id="print-now"', page.text).group(1)
        pdf = client.get(new_slip)
        assert pdf.status_code == 200
        _, decoded = _scan(pdf.content, tmp_path)
        assert len(decoded) == 1 and decoded[0] not in _urls(world, [first, second, third])
        accounts = _accounts(setup)
        assert accounts[second["id"]]["status"] == "revoked"
        [new] = [a for a in accounts.values() if a["batch"] > third["batch"] and a["category"] == "县领导"]
        assert new["status"] == "issued"
        with world.client() as phone:
            signed_in = phone.post("/api/ballot/login", json={"code": decoded[0].rsplit("#", 1)[1]})
            assert signed_in.status_code == 200, signed_in.text

        # a slip already used cannot be revoked: said beside the field, nothing changes
        with world.client() as phone:
            token = phone.post("/api/ballot/login", json={"code": third["code"]}).json()["token"]
        from tests.campaign_setup import full_items

        with world.client(token) as voter:
            assert voter.post("/api/ballot/submit", json={"items": full_items(setup.subject_ids)}).status_code == 200
        used = client.post(slip, data={"_csrf": client.csrf, "slip": str(third["id"]), "action": "replace"})
        assert used.status_code == 409 and 'id="e-slip"' in used.text
        assert _accounts(setup)[third["id"]]["status"] == "submitted"
        assert len(_accounts(setup)) == 5


def test_nothing_left_to_print_is_said_on_the_page(world, setup):
    [leader] = setup.issue("县领导", 1)
    setup.issue("基层代表", 1)
    setup.open()
    setup.api.post(f"/api/campaigns/{setup.campaign_id}/accounts/{leader['id']}/revoke")
    with _session(world, "office-county-a") as client:
        answer = client.get(f"{_page_url(setup)}/slips.pdf", params={"batch": leader["batch"]})
        assert answer.status_code == 410
        assert 'id="page-error"' in answer.text and "账号与票条" in answer.text
        assert "没有可打印的票条：所选账号都已使用或作废" in answer.text

        spares = setup.issue("县领导", 2)
        with world.ctx.db.write() as session:
            session.execute(
                update(SlipBatch)
                .where(SlipBatch.campaign_id == setup.campaign_id, SlipBatch.number == spares[0]["batch"])
                .values(expires_at=utcnow() - timedelta(minutes=1))
            )
        expired = client.get(f"{_page_url(setup)}/slips.pdf", params={"batch": spares[0]["batch"]})
        assert expired.status_code == 410
        assert f"第 {spares[0]['batch']} 批的测评码已超过保留时限（24 小时），不能再打印" in expired.text


def test_warnings_for_a_loopback_address_and_a_missing_font(world, setup, monkeypatch):
    with _session(world, "office-county-a") as client:
        page = client.get(_page_url(setup))  # the tests serve http://127.0.0.1:8000
        assert 'id="warn-loopback"' in page.text and "http://127.0.0.1:8000" in page.text
        assert 'id="warn-font"' not in page.text  # this machine has fonts-wqy-microhei
        monkeypatch.setattr(world.ctx.settings, "host", "0.0.0.0")
        monkeypatch.setattr(world.ctx.settings, "base_url", "http://192.168.1.10:8000")
        monkeypatch.setattr(pdf_fonts, "SYSTEM_FONTS", ())
        page = client.get(_page_url(setup))
        assert 'id="warn-loopback"' not in page.text
        assert 'id="warn-font"' in page.text and "fonts-wqy-microhei" in page.text
        english = client.get(_page_url(setup), params={"lang": "en"})
        assert "Accounts and slips" in english.text and "No Chinese font to embed" in english.text


def test_only_the_office_of_the_locality(world, setup):
    [leader] = setup.issue("县领导", 1)
    world.user("a-unit", "unit_admin", "county-a", "U0")
    world.user("a-leader", "leader", "county-a", "U0")
    world.office("county-b").close()
    other_b_campaign = f"/admin/localities/county-b/campaigns/{setup.campaign_id}/accounts"
    for username in ("a-unit", "a-leader", "office-county-b"):
        with _session(world, username) as client:
            for url in (_page_url(setup), f"{_page_url(setup)}/slips.pdf", other_b_campaign):
                assert client.get(url).status_code == 404, (username, url)
            for url in (f"{_page_url(setup)}/issue", f"{other_b_campaign}/issue"):
                answer = client.post(url, data={"_csrf": client.csrf, "category": "1", "count": "5"})
                assert answer.status_code == 404, (username, url)
            answer = client.post(
                f"{_page_url(setup)}/slip", data={"_csrf": client.csrf, "slip": str(leader["id"]), "action": "revoke"}
            )
            assert answer.status_code == 404
    assert _accounts(setup)[leader["id"]]["status"] == "issued" and len(_accounts(setup)) == 1
    world.user("root", "platform_admin")
    with _session(world, "root") as admin:  # any locality, but a campaign only under its own
        assert admin.get(_page_url(setup)).status_code == 200
        assert admin.get(other_b_campaign).status_code == 404
        answer = admin.post(
            f"{other_b_campaign}/slip", data={"_csrf": admin.csrf, "slip": str(leader["id"]), "action": "revoke"}
        )
        assert answer.status_code == 404 and _accounts(setup)[leader["id"]]["status"] == "issued"
    with world.client() as anonymous:
        answer = anonymous.get(_page_url(setup))
        assert answer.status_code in (302, 303) and answer.headers["location"].startswith("/admin/login?next=")
        assert "PDF" not in anonymous.get(f"{_page_url(setup)}/slips.pdf").headers.get("content-type", "")
        assert anonymous.get(f"/admin/localities/nowhere/campaigns/{setup.campaign_id}/accounts").status_code == 404
