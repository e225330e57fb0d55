"""What the browser tests share: a phone-sized browser context and checks of a page on it."""

from __future__ import annotations

from playwright.sync_api import Page

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
}


def fits_the_screen(page: Page) -> bool:
    """Nothing sticks out sideways, so nobody has to scroll horizontally on a phone. Measured
    against the device's width: on a mobile context Chromium widens ``window.innerWidth`` to a
    page that is too wide, so comparing with it could never fail."""
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def sign_in_admin(page: Page, username: str, password: str) -> None:
    """Fill in and send the Chinese admin sign-in form (the page must be showing it)."""
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
