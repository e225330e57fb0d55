"""What the console's browser tests share: an office PC and a tablet, signing in, screenshots."""

from __future__ import annotations

import os
import re
from pathlib import Path

from playwright.sync_api import Page

from tests.conftest import BROWSER_BACKENDS_BOTH, TEST_PASSWORD

DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN"}
TABLET = {
    "viewport": {"width": 820, "height": 1180},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
}


def sign_in(page: Page, url: str, username: str, password: str = TEST_PASSWORD, lang: str = "zh") -> None:
    """Open the sign-in page (unless it is showing) and sign in."""
    if "/admin/login" not in page.url:
        page.goto(url + "/admin/login")
    if lang == "zh":
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
    else:
        page.get_by_label("User name").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()


# Screenshots assert nothing: they are test artefacts for a person to look at, written under
# KAOPING_TEST_ARTEFACTS (default var/test-artefacts, outside git) as screenshots/<test>/<name>.png.
# What a person sees first (the viewport: about 0.1 s each); when browser tests run on both
# databases (KAOPING_TEST_BROWSER_BACKENDS=both), on the SQLite run only: the pages are the same.
# KAOPING_TEST_SCREENSHOTS=0 takes none; =full takes whole pages (0.3-2.4 s each, by the load).
SCREENSHOTS = os.environ.get("KAOPING_TEST_SCREENSHOTS", "1").strip().lower() not in ("", "0", "no", "false")
FULL_PAGE = os.environ.get("KAOPING_TEST_SCREENSHOTS", "").strip().lower() == "full"
ARTEFACTS = Path(
    os.environ.get("KAOPING_TEST_ARTEFACTS", Path(__file__).resolve().parents[2] / "var" / "test-artefacts")
)


def screenshot(page: Page, name: str, *, settle_ms: int = 0) -> None:
    """Save the page as it looks as ``screenshots/<test>/<name>.png`` under ``ARTEFACTS``, after
    ``settle_ms`` for what still moves (a chart's opening animation) when one is taken."""
    test = os.environ.get("PYTEST_CURRENT_TEST", "unknown").rsplit(" ", 1)[0]
    if not SCREENSHOTS or (BROWSER_BACKENDS_BOTH and "postgresql" in test):
        return
    if settle_ms:
        page.wait_for_timeout(settle_ms)
    target = ARTEFACTS / "screenshots" / re.sub(r"[^\w.-]+", "_", test).strip("_")
    target.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target / f"{name}.png"), full_page=FULL_PAGE)


def fits(page: Page) -> bool:
    """Nothing sticks out sideways at the context's width (not ``window.innerWidth``, which a
    mobile context widens to a page that is too wide)."""
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
