"""People's accounts: issuing activation codes for units, activation, sign-in by ID-card number
or user name, throttled wrong codes, secrecy of codes and ID numbers (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import select

from core import codes
from core.models import ActivationBatch, ActivationCode, User
from core.services import auth
from core.services import people_accounts as pa
from core.services.errors import Invalid, NotFound, RateLimited, Unauthorized
from tests.core.people_setup import make_org, office

PASSWORD = "a new password of mine"


def batch_codes(ctx, batch_id: int) -> dict[int, str]:
    """person id -> plaintext code, as the office's download reads them."""
    with ctx.db.read() as session:
        batch = session.get(ActivationBatch, batch_id)
    return {pid: code for pid, code in json.loads(ctx.keys.decrypt(batch.codes_cipher))}


def test_issue_for_a_unit_with_and_without_sub_units(ctx):
    o = make_org(ctx)
    actor = office(ctx, o.code)
    only = pa.issue(ctx, actor, o.code, unit_id=o.child, with_sub_units=False)
    assert (only.created, only.codes, only.skipped) == (1, 1, 0)
    assert set(batch_codes(ctx, only.batch_id)) == {o.people["李四"]}

    below = pa.issue(ctx, actor, o.code, unit_id=o.root, with_sub_units=True)
    assert (below.created, below.codes) == (2, 3)  # 张三 and 王五 new; 李四 gets a fresh code
    assert set(batch_codes(ctx, below.batch_id)) == {o.people[n] for n in ("张三", "李四", "王五")}
    with ctx.db.read() as session:
        users = {u.person_id: u for u in session.exec(select(User).where(User.person_id.is_not(None)))}
        assert session.exec(select(ActivationCode)).all().__len__() == 3  # 李四's first code was replaced
    assert o.people["赵六"] not in users  # the sibling unit was not in scope
    assert users[o.people["张三"]].role == "leader"  # a team member
    assert users[o.people["王五"]].role == "cadre" and users[o.people["王五"]].unit_id == o.grandchild
    assert users[o.people["王五"]].username == f"{o.code}-{o.people['王五']}"

    counts = pa.counts(ctx, actor, o.code)
    assert counts.model_dump() == {"people": 4, "accounts": 3, "activated": 0, "waiting": 3, "revoked": 0}
    whole = pa.issue(ctx, actor, o.code)
    assert (whole.created, whole.codes) == (1, 4)


def test_activate_then_sign_in_by_id_card_and_by_user_name(ctx):
    o = make_org(ctx)
    issued = pa.issue(ctx, office(ctx, o.code), o.code)
    code = batch_codes(ctx, issued.batch_id)[o.people["王五"]]
    # typed as on the slip, in lower case with dashes; named by the ID-card number (lower-case x is fine)
    user = pa.activate(ctx, o.cards["王五"].lower(), codes.display(code).lower(), PASSWORD, PASSWORD, "203.0.113.5")
    assert user.activated_at is not None and user.person_id == o.people["王五"]

    assert auth.authenticate(ctx, o.cards["王五"], PASSWORD, "203.0.113.5").id == user.id
    assert auth.authenticate(ctx, user.username, PASSWORD, "203.0.113.5").id == user.id
    with pytest.raises(Unauthorized):
        auth.authenticate(ctx, o.cards["王五"], "not the password", "203.0.113.5")
    # another person's ID number with this password: no
    with pytest.raises(Unauthorized):
        auth.authenticate(ctx, o.cards["李四"], PASSWORD, "203.0.113.5")

    # the code is used up
    with pytest.raises(Unauthorized):
        pa.activate(ctx, user.username, code, "yet another password", "yet another password", "203.0.113.5")
    counts = pa.counts(ctx, office_actor(ctx, o.code), o.code)
    assert (counts.activated, counts.waiting) == (1, 3)


def office_actor(ctx, code):
    with ctx.db.read() as session:
        return auth.actor_of(session.exec(select(User).where(User.username == f"office-{code}")).one())


def test_a_not_activated_account_cannot_sign_in(ctx):
    o = make_org(ctx)
    pa.issue(ctx, office(ctx, o.code), o.code)
    for secret in ("", "!", "kaoping-dummy-password"):
        with pytest.raises(Unauthorized):
            auth.authenticate(ctx, f"{o.code}-{o.people['李四']}", secret, "198.51.100.1")
    with pytest.raises(Unauthorized):  # nor by ID number
        auth.authenticate(ctx, o.cards["李四"], "kaoping-dummy-password", "198.51.100.2")


def test_a_code_works_only_with_its_own_person(ctx):
    o = make_org(ctx)
    issued = pa.issue(ctx, office(ctx, o.code), o.code)
    code = batch_codes(ctx, issued.batch_id)[o.people["王五"]]
    with pytest.raises(Unauthorized):
        pa.activate(ctx, o.cards["李四"], code, PASSWORD, PASSWORD, "203.0.113.9")
    assert pa.activate(ctx, f"{o.code}-{o.people['王五']}", code, PASSWORD, PASSWORD, "203.0.113.9")


def test_form_faults_are_field_errors_and_not_counted(ctx):
    o = make_org(ctx)
    pa.issue(ctx, office(ctx, o.code), o.code)
    cases = [
        ("", "ABCD-EFGH-JKMN", PASSWORD, PASSWORD, "login"),
        ("x", "ABCD-EFGH-JKMN", "short", "short", "password"),
        ("x", "ABCD-EFGH-JKMN", PASSWORD, PASSWORD + "!", "password_again"),
        ("x", "ABCD", PASSWORD, PASSWORD, "code"),
    ]
    for login, code, one, two, field in cases:
        with pytest.raises(Invalid) as refused:
            pa.activate(ctx, login, code, one, two, "192.0.2.1")
        assert refused.value.errors[0]["field"] == field
    from core.services import throttle

    assert throttle.failures(ctx, "activation-client:192.0.2.1") == 0


def test_wrong_codes_are_throttled_without_locking_out_the_right_one(ctx, monkeypatch):
    monkeypatch.setattr(pa, "MAX_FAILURES_PER_CLIENT", 3)
    o = make_org(ctx)
    issued = pa.issue(ctx, office(ctx, o.code), o.code)
    right = batch_codes(ctx, issued.batch_id)[o.people["李四"]]
    login = o.cards["李四"]
    wrong = next(c for c in codes.new_codes(10) if c != right)
    for _ in range(3):
        with pytest.raises(Unauthorized):
            pa.activate(ctx, login, wrong, PASSWORD, PASSWORD, "2001:db8::1")
    with pytest.raises(RateLimited) as slowed:  # the same /64 network
        pa.activate(ctx, login, wrong, PASSWORD, PASSWORD, "2001:db8::2")
    assert slowed.value.retry_after > 0
    with pytest.raises(Unauthorized):  # another network is not affected
        pa.activate(ctx, login, wrong, PASSWORD, PASSWORD, "2001:db8:1::1")
    # the right code still works from the throttled network
    assert pa.activate(ctx, login, right, PASSWORD, PASSWORD, "2001:db8::3").activated_at is not None


def test_platform_wide_limit(ctx, monkeypatch):
    monkeypatch.setattr(pa, "MAX_FAILURES_ALL", 2)
    o = make_org(ctx)
    pa.issue(ctx, office(ctx, o.code), o.code)
    for client in ("192.0.2.10", "192.0.2.11"):
        with pytest.raises(Unauthorized):
            pa.activate(ctx, "x", "ABCD-EFGH-JKMN", PASSWORD, PASSWORD, client)
    with pytest.raises(RateLimited):
        pa.activate(ctx, "x", "ABCD-EFGH-JKMN", PASSWORD, PASSWORD, "192.0.2.12")


def test_reissue_and_revoke_one_person(ctx):
    o = make_org(ctx)
    actor = office(ctx, o.code)
    first = batch_codes(ctx, pa.issue(ctx, actor, o.code).batch_id)[o.people["李四"]]
    user = pa.activate(ctx, o.cards["李四"], first, PASSWORD, PASSWORD, "192.0.2.20")
    again = pa.issue(ctx, actor, o.code)
    assert again.skipped == 1 and o.people["李四"] not in batch_codes(ctx, again.batch_id)

    fresh = pa.reissue(ctx, actor, o.code, o.people["李四"])
    code = batch_codes(ctx, fresh.batch_id)[o.people["李四"]]
    with pytest.raises(Unauthorized):  # the reset account's old password no longer works
        auth.authenticate(ctx, user.username, PASSWORD, "192.0.2.20")
    pa.activate(ctx, user.username, code, "second password!", "second password!", "192.0.2.20")
    assert auth.authenticate(ctx, user.username, "second password!", "192.0.2.20").id == user.id

    pa.revoke(ctx, actor, o.code, o.people["李四"])
    with pytest.raises(Unauthorized):
        auth.authenticate(ctx, user.username, "second password!", "192.0.2.20")
    people, total = pa.list_people(ctx, actor, o.code, q="李")
    assert total == 1 and people[0].state == "revoked"
    with pytest.raises(NotFound):
        pa.revoke(ctx, actor, o.code, o.people["赵六"] + 1000)


def test_another_locality_is_not_found(ctx):
    a = make_org(ctx, "pa")
    b = make_org(ctx, "pb", serial=10)
    actor_b = office(ctx, "pb")
    with pytest.raises(NotFound):
        pa.issue(ctx, actor_b, "pa")
    with pytest.raises(NotFound):  # a unit of another locality
        pa.issue(ctx, actor_b, "pb", unit_id=a.root)
    with pytest.raises(NotFound):  # a person of another locality
        pa.reissue(ctx, actor_b, "pb", a.people["张三"])
    with pytest.raises(NotFound):
        pa.revoke(ctx, actor_b, "pb", a.people["张三"])
    assert pa.issue(ctx, actor_b, "pb", unit_id=b.root).codes == 3


def _stored_bytes(ctx) -> bytes:
    """What the database holds: the SQLite file and its WAL as bytes; on PostgreSQL every row of
    every table as text (the server's files are not ours to read)."""
    if ctx.db.is_sqlite:
        ctx.db.engine.dispose()
        path = Path(ctx.db.engine.url.database)
        return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    from sqlalchemy import text

    with ctx.db.engine.connect() as connection:
        tables = connection.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars().all()
        rows = [connection.execute(text(f'SELECT t::text FROM "{table}" t')).scalars().all() for table in tables]
    return "\n".join(row for table in rows for row in table).encode()


def test_no_plain_code_or_id_card_number_in_the_database(ctx):
    o = make_org(ctx)
    issued = pa.issue(ctx, office(ctx, o.code), o.code)
    plain = batch_codes(ctx, issued.batch_id)
    pa.activate(ctx, o.cards["王五"], plain[o.people["王五"]], PASSWORD, PASSWORD, "192.0.2.30")
    for name in ("李四", "赵六"):  # failed sign-ins by ID-card number are counted, but not under the number
        with pytest.raises(Unauthorized):
            auth.authenticate(ctx, o.cards[name], "wrong password", "192.0.2.30")
    with ctx.db.read() as session:
        from core.models import LoginFailureCount

        keys = [row.key for row in session.exec(select(LoginFailureCount))]
    assert any(key.startswith("user:id-card:") for key in keys) and not any(o.cards["李四"].lower() in k for k in keys)
    data = _stored_bytes(ctx)
    assert "王五".encode() in data and f"{o.code}-{o.people['王五']}".encode() in data  # the bytes are read
    for code in plain.values():
        for form in (code, codes.display(code)):
            assert form.encode() not in data
    for card in o.cards.values():
        assert card.encode() not in data and card[:14].encode() not in data


def test_deleting_a_person_closes_their_account(ctx):
    from core.services import org

    o = make_org(ctx)
    actor = office(ctx, o.code)
    code = batch_codes(ctx, pa.issue(ctx, actor, o.code).batch_id)[o.people["王五"]]
    user = pa.activate(ctx, o.cards["王五"], code, PASSWORD, PASSWORD, "192.0.2.40")
    org.delete_person(ctx, actor, o.code, o.people["王五"])
    with ctx.db.read() as session:
        kept = session.get(User, user.id)
    assert kept.person_id is None and not kept.is_active  # kept for its history, closed
    with pytest.raises(Unauthorized):
        auth.authenticate(ctx, user.username, PASSWORD, "192.0.2.40")
    org.delete_person(ctx, actor, o.code, o.people["李四"])  # an account never activated: the same
    assert pa.counts(ctx, actor, o.code).model_dump() == {
        "people": 2,
        "accounts": 2,
        "activated": 0,
        "waiting": 2,
        "revoked": 0,
    }


def test_an_issues_codes_are_held_for_a_day_then_erased(ctx):
    from datetime import timedelta

    from core.models.base import utcnow
    from core.scheduler import periodic_tasks
    from core.services import people_slips
    from core.services.errors import Conflict

    o = make_org(ctx)
    actor = office(ctx, o.code)
    first = pa.issue(ctx, actor, o.code, unit_id=o.child, with_sub_units=False).batch_id
    second = pa.issue(ctx, actor, o.code, unit_id=o.sibling).batch_id
    slips = people_slips.batch_slips(ctx, actor, o.code, first)
    assert [(row.name, row.unit) for row in slips.rows] == [("李四", "干部科")]
    assert slips.sign_in_url.endswith("/activate") and len(slips.rows[0].code) == 14
    with ctx.db.write() as session:
        session.get(ActivationBatch, first).expires_at = utcnow() - timedelta(seconds=1)
    purge = next(task for task in periodic_tasks() if task.name == "purge-expired-activation-codes")
    purge.run(ctx)
    with ctx.db.read() as session:
        assert session.get(ActivationBatch, first).codes_cipher is None
        assert session.get(ActivationBatch, second).codes_cipher is not None
    with pytest.raises(Conflict):
        people_slips.batch_slips(ctx, actor, o.code, first)
    with pytest.raises(NotFound):  # another locality's office
        make_org(ctx, "pb", serial=10)
        people_slips.batch_slips(ctx, office(ctx, "pb"), "pb", second)
