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
