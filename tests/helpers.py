"""Small assertions shared by the API tests."""

from __future__ import annotations

import httpx


def never_5xx(response: httpx.Response) -> None:
    """An httpx response hook: a client's mistake must never get a server error."""
    assert response.status_code < 500, f"{response.request.method} {response.request.url} -> {response.status_code}"


def office(world, locality: str = "county-a") -> httpx.Client:
    """An office user's client of a new locality, failing the test on any 5xx answer."""
    client = world.office(locality)
    client.event_hooks["response"].append(never_5xx)
    return client


def created(response: httpx.Response) -> dict:
    assert response.status_code == 201, response.text
    return response.json()


def ok(response: httpx.Response) -> dict:
    assert response.status_code == 200, response.text
    return response.json()


def browser_session(ctx, base_url: str, user_id: int, *, timeout: float = 30) -> httpx.Client:
    """A client signed in as user ``user_id`` the way a browser is: a one-hour session cookie
    issued directly (no password hashing), its CSRF token as ``client.csrf`` for forms, and a
    failure of the test on any 5xx answer."""
    from datetime import timedelta

    from core.models import User
    from core.services import auth
    from core.web.auth import SESSION_COOKIE

    with ctx.db.read() as db:
        user = db.get(User, user_id)
    issued = auth.issue_token(ctx, user, kind="session", name="browser", ttl=timedelta(hours=1))
    client = httpx.Client(
        base_url=base_url,
        timeout=timeout,
        cookies={SESSION_COOKIE: issued.token},
        event_hooks={"response": [never_5xx]},
    )
    client.csrf = issued.csrf_token
    return client
