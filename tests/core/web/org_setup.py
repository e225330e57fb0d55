"""What the organisation API tests share: the localities' paths, a valid ID number, clients that
fail the test on any 5xx answer, the one error shape, and makers of units and people."""

from __future__ import annotations

from tests.helpers import created, never_5xx, ok

A = "/api/localities/county-a"
B = "/api/localities/county-b"

# A resident ID number and its masked form (GB 11643 example; the last character is the check).
ID_CARD = "11010519491231002X"
ID_CARD_MASKED = "1101**********002X"

_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def id_card(first17: str) -> str:
    """A valid 18-character ID number: 17 digits plus the matching check character."""
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def guarded(client):
    client.event_hooks["response"].append(never_5xx)
    return client


def as_user(world, username: str, role: str, locality: str | None = None, unit: str | None = None):
    return guarded(world.client(world.user(username, role, locality, unit)))


def assert_error(response, status: int, field: str | None = None) -> dict:
    """The one error shape: {status_code, detail, errors: [{field, message}]}; ``field`` named when given."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status_code"] == status
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["errors"], list)
    if field is not None:
        fields = [e["field"] for e in body["errors"]]
        assert field in fields, body
        assert all(e["message"] for e in body["errors"])
    return body


def make_unit(api, base=A, **fields) -> dict:
    return created(api.post(f"{base}/units", json={"code": "U1", "name": "县委办", **fields}))


def make_person(api, base=A, **fields) -> dict:
    return created(api.post(f"{base}/people", json={"name": "张三", **fields}))


def total(api, path: str) -> int:
    return ok(api.get(path))["total"]
