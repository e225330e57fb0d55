"""The people's accounts counts kept per locality (core.services.account_counts): after issuing,
activating, revoking, re-issuing, deactivating and reactivating by the user admin, and deleting
a person, the page's counts are what counting every account and code gives, step by step, and
are read from one row. SQLite and PostgreSQL (the ``ctx`` fixture)."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import select

from core import codes
from core.context import Actor
from core.models import PeopleAccountCounts, User
from core.services import account_counts, auth, org, users
from core.services import people_accounts as pa
from tests.core.people_setup import make_org, office
from tests.core.services.test_people_accounts import batch_codes

PASSWORD = "a new password of mine"
ADMIN = Actor.system("test")


def _check(ctx, actor, code: str, **expected: int) -> None:
    """The page's counts are ``expected``, equal to a full count, and kept in the locality's row."""
    shown = pa.counts(ctx, actor, code).model_dump()
    assert shown == {"people": shown["people"], **expected}
    with ctx.db.read() as session:
        locality_id = session.execute(text("SELECT id FROM localities WHERE code = :c"), {"c": code}).scalar_one()
        assert account_counts.scan(session, locality_id) == expected
        row = session.get(PeopleAccountCounts, locality_id)
        assert row is not None and {n: getattr(row, n) for n in account_counts.FIELDS} == expected


def _user_of(ctx, person_id: int) -> User:
    with ctx.db.read() as session:
        return session.exec(select(User).where(User.person_id == person_id)).one()


def test_counts_follow_every_change_of_an_account(ctx):
    o = make_org(ctx)
    other = make_org(ctx, "pb", serial=10)  # another locality's accounts never count here
    actor = office(ctx, o.code)
    pa.issue(ctx, office(ctx, other.code), other.code)

    assert pa.counts(ctx, actor, o.code).model_dump() == {
        "people": 4,
        "accounts": 0,
        "activated": 0,
        "waiting": 0,
        "revoked": 0,
    }
    pa.issue(ctx, actor, o.code, unit_id=o.child, with_sub_units=True)  # 李四, 王五
    _check(ctx, actor, o.code, accounts=2, activated=0, waiting=2, revoked=0)
    issued = pa.issue(ctx, actor, o.code)  # everyone; 李四 and 王五 get fresh codes
    _check(ctx, actor, o.code, accounts=4, activated=0, waiting=4, revoked=0)

    # activating uses the code up
    code = batch_codes(ctx, issued.batch_id)[o.people["王五"]]
    pa.activate(ctx, o.cards["王五"], codes.display(code), PASSWORD, PASSWORD, "203.0.113.5")
    _check(ctx, actor, o.code, accounts=4, activated=1, waiting=3, revoked=0)

    # revoking a waiting account takes its code; revoking it again changes nothing
    pa.revoke(ctx, actor, o.code, o.people["李四"])
    _check(ctx, actor, o.code, accounts=4, activated=1, waiting=2, revoked=1)
    pa.revoke(ctx, actor, o.code, o.people["李四"])
    _check(ctx, actor, o.code, accounts=4, activated=1, waiting=2, revoked=1)
    # revoking the activated one: still counted as activated, now revoked too
    pa.revoke(ctx, actor, o.code, o.people["王五"])
    _check(ctx, actor, o.code, accounts=4, activated=1, waiting=2, revoked=2)

    # a new code resets an account: waiting again, neither activated nor revoked
    pa.reissue(ctx, actor, o.code, o.people["李四"])
    _check(ctx, actor, o.code, accounts=4, activated=1, waiting=3, revoked=1)
    pa.reissue(ctx, actor, o.code, o.people["王五"])
    _check(ctx, actor, o.code, accounts=4, activated=0, waiting=4, revoked=0)
    pa.reissue(ctx, actor, o.code, o.people["张三"])  # had a code: replaced, not added
    _check(ctx, actor, o.code, accounts=4, activated=0, waiting=4, revoked=0)

    # the user admin deactivates and reactivates a person's account (its code stays)
    zhao = _user_of(ctx, o.people["赵六"])
    users.update_user(ctx, ADMIN, zhao.id, users.UserPatch(is_active=False))
    _check(ctx, actor, o.code, accounts=4, activated=0, waiting=4, revoked=1)
    users.update_user(ctx, ADMIN, zhao.id, users.UserPatch(is_active=True))
    _check(ctx, actor, o.code, accounts=4, activated=0, waiting=4, revoked=0)
    users.update_user(ctx, ADMIN, zhao.id, users.UserPatch(role="leader"))  # not a change of state
    _check(ctx, actor, o.code, accounts=4, activated=0, waiting=4, revoked=0)

    # a deleted person's account is kept, detached: it leaves the counts with its code
    org.delete_person(ctx, ADMIN, o.code, o.people["赵六"])
    _check(ctx, actor, o.code, accounts=3, activated=0, waiting=3, revoked=0)
    assert pa.counts(ctx, actor, o.code).people == 3

    # the other locality was never touched
    _check(ctx, office_of(ctx, other.code), other.code, accounts=4, activated=0, waiting=4, revoked=0)


def office_of(ctx, code: str):
    with ctx.db.read() as session:
        return auth.actor_of(session.exec(select(User).where(User.username == f"office-{code}")).one())


def test_a_locality_without_a_kept_row_is_counted_whole_and_gets_one(ctx):
    o = make_org(ctx)
    actor = office(ctx, o.code)
    pa.issue(ctx, actor, o.code)
    with ctx.db.engine.begin() as connection:  # e.g. a row lost, or counts from before they were kept
        connection.execute(text("DELETE FROM people_account_counts"))
    assert pa.counts(ctx, actor, o.code).waiting == 4  # counted from the accounts themselves
    pa.revoke(ctx, actor, o.code, o.people["李四"])  # the first change writes the row, counted whole
    _check(ctx, actor, o.code, accounts=4, activated=0, waiting=3, revoked=1)


def test_the_page_counts_read_one_row_not_every_account(ctx):
    """The whole locality's counts come from people_account_counts; nothing scans users or codes."""
    from sqlalchemy import event

    o = make_org(ctx)
    actor = office(ctx, o.code)
    pa.issue(ctx, actor, o.code)
    seen: list[str] = []

    def remember(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(ctx.db.engine, "before_cursor_execute", remember)
    try:
        pa.counts(ctx, actor, o.code)
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", remember)
    counting = [s for s in seen if "count(" in s.lower()]
    assert counting and all("people" in s and "users" not in s and "activation_codes" not in s for s in counting)
    assert any("people_account_counts" in s for s in seen)
