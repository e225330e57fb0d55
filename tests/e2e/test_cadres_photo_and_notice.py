"""In a browser (SQLite and PostgreSQL): the organisation department imports an appointment form
with a photo, sees the photo on the profile, then opens a warning's notice and lands on the
person's warnings at that warning, with the profile one click away."""

from __future__ import annotations

import base64
import io

from PIL import Image
from sqlmodel import select

from core.models import Locality
from plugins.cadres.warnings import WarningIn, raise_warnings
from tests.e2e.console import DESKTOP, sign_in
from tests.plugins.cadres.conftest import FIELDS, form
from tests.plugins.cadres.setup import make_world


def test_import_a_photo_see_it_and_follow_a_warning_notice(ctx, live_server, phone):
    make_world(ctx)
    buffer = io.BytesIO()
    Image.new("RGB", (90, 126), (180, 40, 40)).save(buffer, "JPEG")
    lrmx = form({**FIELDS, "ZhaoPian": base64.b64encode(buffer.getvalue()).decode()})

    page = phone(**DESKTOP)
    sign_in(page, live_server.url, "org_dept-ca")
    page.goto(live_server.url + "/admin/localities/ca/cadres/import")
    page.locator("#f-file").set_input_files({"name": "zhang.lrmx", "mimeType": "application/xml", "buffer": lrmx})
    page.locator("#f-file").locator("xpath=ancestor::form").get_by_role("button", name="导入").click()
    page.locator("#import-report").get_by_role("link", name="张三").click()
    photo = page.locator("img#photo")
    assert photo.get_attribute("alt") == "张三的照片"
    page.wait_for_function("document.querySelector('img#photo').complete")
    assert photo.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [90, 126]
    person_id = int(page.url.rstrip("/").rsplit("/", 1)[-1].split("#")[0])

    with ctx.db.write() as session:
        locality_id = session.exec(select(Locality.id).where(Locality.code == "ca")).one()
        [warning] = raise_warnings(
            session, locality_id, [WarningIn(person_id, "scores", "scores:1", "2026年度考核", "{name}: behind", {})]
        )
        warning_id = warning.id
    page.goto(live_server.url + "/admin/notifications")
    page.locator("#notifications li").first.get_by_role("button").click()
    page.wait_for_url(f"**/cadres/warnings?person={person_id}#warning-{warning_id}")
    row = page.locator(f"tr#warning-{warning_id}")
    assert "张三" in row.inner_text()
    page.locator("#person-warnings").get_by_role("link", name="张三的档案").click()
    page.wait_for_url(f"**/cadres/people/{person_id}")
    assert page.locator("img#photo").count() == 1
