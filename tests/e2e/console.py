"""What the console's browser tests share: an office PC and a tablet, signing in, screenshots."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Page

from tests.conftest import TEST_PASSWORD

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


# Screenshots assert nothing: they are for a person to look at, and each full page costs 0.3-2.4 s
# (by the machine's load). KAOPING_TEST_SCREENSHOTS=1 takes them.
SCREENSHOTS = os.environ.get("KAOPING_TEST_SCREENSHOTS", "") not in ("", "0")


def screenshot(page: Page, folder: Path, name: str) -> None:
    """A test artefact: the page as it looks, under the test's tmp folder (never in the repository),
    with ``KAOPING_TEST_SCREENSHOTS=1``."""
    if not SCREENSHOTS:
        return
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def fits(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
