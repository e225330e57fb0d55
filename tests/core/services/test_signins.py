"""The sign-in log (core/services/signins.py) on SQLite and PostgreSQL: every attempt is one row
with its result and reason, never a password; readers are scoped; old rows are pruned."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlmodel import select

from core.context import Actor
from core.models.base import utcnow
from core.models.signins import SignInAttempt
from core.schemas.localities import LocalityIn
from core.services import auth, localities, signins
from core.services.errors import Forbidden, Invalid, RateLimited, Unauthorized
from tests.conftest import TEST_PASSWORD

SYSTEM = Actor.system("test")


@pytest.fixture
def people(ctx):
    for code in ("county-s", "other-s"):
        localities.create(ctx, SYSTEM, LocalityIn(code=code, name=code))
    users = {}
    for name, role, locality in (
        ("root-s", "platform_admin", None),
        ("office-s", "office", "county-s"),
        ("clerk-s", "office", "county-s"),
        ("office-o", "office", "other-s"),
    ):
        users[name] = auth.create_user(
            ctx, SYSTEM, username=name, password=TEST_PASSWORD, role=role, locality_code=locality
        )
    return users


def _rows(ctx) -> list[SignInAttempt]:
    with ctx.db.read() as session:
        return list(session.exec(select(SignInAttempt).order_by(SignInAttempt.id)).all())


def _all_text(ctx) -> str:
    """Every stored value of the log, as one string."""
    with ctx.db.read() as session:
        return " ".join(str(v) for row in session.execute(text("SELECT * FROM sign_in_attempts")).all() for v in row)


def test_each_attempt_is_one_row_with_its_reason(ctx, people):
    agent = "Mozilla/5.0 (X11; Linux x86_64) " + "AppleWebKit/537.36 " * 20 + "\x00\n"
    auth.authenticate(ctx, "office-s", TEST_PASSWORD, "203.0.113.7", user_agent=agent)
    with pytest.raises(Unauthorized):
        auth.authenticate(ctx, "office-s", "wrong password!", "203.0.113.7", channel="api")
    with pytest.raises(Unauthorized):
        auth.authenticate(ctx, "nobody-here", TEST_PASSWORD, "203.0.113.8")
    from core.services import users as user_service

    user_service.update_user(
        ctx, auth.actor_of(people["root-s"]), people["clerk-s"].id, user_service.UserPatch(is_active=False)
    )
    with pytest.raises(Unauthorized):
        auth.authenticate(ctx, "clerk-s", TEST_PASSWORD, "203.0.113.9")
    rows = _rows(ctx)
    assert [(r.username, r.ok, r.reason, r.channel) for r in rows] == [
        ("office-s", True, "", "console"),
        ("office-s", False, "wrong_password", "api"),
        (signins.masked_name(ctx, "nobody-here"), False, "unknown_user", "console"),
        ("clerk-s", False, "inactive", "console"),
    ]
    assert rows[0].user_id == people["office-s"].id and rows[0].locality_id == people["office-s"].locality_id
    assert rows[2].user_id is None and rows[2].locality_id is None
    assert rows[0].client == "203.0.113.7"
    assert rows[0].user_agent.startswith("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36")
    assert len(rows[0].user_agent) <= 120 and "\x00" not in rows[0].user_agent and "\n" not in rows[0].user_agent


def test_the_log_never_holds_a_password_even_one_typed_as_the_user_name(ctx, people):
    secret = "Hunter2-Very-Secret-Pass"
    with pytest.raises(Unauthorized):  # the password typed into the user-name field
        auth.authenticate(ctx, secret, "office-s", "198.51.100.1")
    with pytest.raises(Unauthorized):
        auth.authenticate(ctx, "office-s", secret, "198.51.100.1")
    auth.authenticate(ctx, "office-s", TEST_PASSWORD, "198.51.100.1")
    stored = _all_text(ctx)
    assert len(_rows(ctx)) == 3
    assert secret not in stored and secret.lower() not in stored.lower() and TEST_PASSWORD not in stored
    assert signins.masked_name(ctx, secret) in stored  # the same typed text is recognisable, not readable


def test_a_throttled_attempt_is_logged_as_throttled(ctx, people, monkeypatch):
    monkeypatch.setattr(auth, "MAX_FAILURES_PER_USER", 2)
    for _ in range(2):
        with pytest.raises(Unauthorized):
            auth.authenticate(ctx, "office-s", "wrong password!", "192.0.2.1")
    for _ in range(5):  # a flood of refused attempts: one row
        with pytest.raises(RateLimited):
            auth.authenticate(ctx, "office-s", TEST_PASSWORD, "192.0.2.1")
    assert [r.reason for r in _rows(ctx)] == ["wrong_password", "wrong_password", "throttled"]
    assert _rows(ctx)[-1].user_id == people["office-s"].id


def _actor(user) -> Actor:
    return auth.actor_of(user)


def test_readers_are_scoped_and_filters_work(ctx, people):
    auth.authenticate(ctx, "office-s", TEST_PASSWORD, "192.0.2.2")
    auth.authenticate(ctx, "office-o", TEST_PASSWORD, "192.0.2.3")
    auth.authenticate(ctx, "root-s", TEST_PASSWORD, "192.0.2.4")
    with pytest.raises(Unauthorized):
        auth.authenticate(ctx, "clerk-s", "wrong password!", "192.0.2.5")
    with pytest.raises(Unauthorized):
        auth.authenticate(ctx, "ghost", "wrong password!", "192.0.2.5")

    everything, total = signins.list_attempts(ctx, _actor(people["root-s"]))
    assert total == 5 and len(everything) == 5
    mine, total = signins.list_attempts(ctx, _actor(people["office-s"]))
    assert total == 2 and {r.username for r in mine} == {"office-s", "clerk-s"}  # its locality's users only
    assert [r.username for r in signins.list_attempts(ctx, _actor(people["office-s"]), result="failed")[0]] == [
        "clerk-s"
    ]
    assert [r.username for r in signins.list_attempts(ctx, _actor(people["office-s"]), result="ok")[0]] == ["office-s"]
    assert signins.list_attempts(ctx, _actor(people["root-s"]), result="unknown_user")[1] == 1
    assert signins.list_attempts(ctx, _actor(people["root-s"]), user="office-o")[1] == 1
    assert signins.list_attempts(ctx, _actor(people["office-s"]), user="office-o")[1] == 0
    today = utcnow().astimezone().date()
    assert signins.list_attempts(ctx, _actor(people["root-s"]), date_from=str(today - timedelta(days=1)))[1] == 5
    assert signins.list_attempts(ctx, _actor(people["root-s"]), date_to=str(today - timedelta(days=2)))[1] == 0
    with pytest.raises(Invalid) as bad:
        signins.list_attempts(ctx, _actor(people["root-s"]), date_from="30.11.2026")
    assert bad.value.errors[0]["field"] == "date_from"
    with pytest.raises(Invalid):
        signins.list_attempts(ctx, _actor(people["root-s"]), result="maybe")
    unit_admin = Actor(
        user_id=99, username="u", role="unit_admin", locality_id=people["office-s"].locality_id, unit_id=None
    )
    with pytest.raises(Forbidden):
        signins.list_attempts(ctx, unit_admin)


def test_prune_deletes_what_is_older_than_the_retention(ctx, people):
    auth.authenticate(ctx, "office-s", TEST_PASSWORD, "192.0.2.2")
    auth.authenticate(ctx, "office-s", TEST_PASSWORD, "192.0.2.2")
    with ctx.db.write() as session:
        old = session.exec(select(SignInAttempt).order_by(SignInAttempt.id)).first()
        old.at = utcnow() - timedelta(days=ctx.settings.signin_log_days, minutes=1)
        session.add(old)
    assert signins.prune(ctx) == 1
    assert len(_rows(ctx)) == 1
    assert signins.prune(ctx) == 0


def test_the_scheduler_runs_the_pruning():
    from core.scheduler import periodic_tasks

    [task] = [t for t in periodic_tasks() if t.name == "prune-sign-in-log"]
    assert task.run is signins.prune
