"""Ballot secrecy against whoever reads the database (README, "Ballot secrecy").

A campaign of 40 evaluators votes in a known (shuffled) order, each a ballot that tells who cast
it. Then, looking only at what is stored, every way of pairing ballots with accounts that a
database reader has is tried: equal values in any column or system column (PostgreSQL ``xmin``,
``xmax``, ``cmin``, ``ctid``; SQLite ``rowid``), and the order of ballots by any of those or as
stored. None may pair them better than chance.
"""

from __future__ import annotations

import os
import random
from collections import defaultdict
from statistics import correlation

from sqlalchemy import text

from tests.campaign_setup import full_items

VOTERS = 40
GRADES = ["优秀", "称职", "基本称职", "不称职"]
# Fixed points of a random permutation are ~Poisson(1): P(>= 9) is about 1e-6. A rank
# correlation of 40 random ranks has a standard deviation of 1/sqrt(39) = 0.16.
MAX_CORRECT_PAIRS_ABOVE_CHANCE = 8
MAX_RANK_CORRELATION = 0.7


def _ballot_of(voter: int, subject_ids: list[int]) -> tuple[list[dict], str]:
    """A ballot that names its voter: the items spell ``voter`` in base 4, and so does the comment
    (whose length varies, so a sealed ballot's length would give it away if it were not padded)."""
    items = full_items(subject_ids)
    digits = voter
    for item in items:
        item["grade"] = GRADES[digits % 4]
        digits //= 4
    return items, f"第{voter}号" + "意见" * (voter % 7)


def _system_columns(connection, table: str, key: str) -> dict[str, dict]:
    """{column: {key value: column value}} for every system column of ``table``."""
    if connection.dialect.name == "sqlite":
        names = {"rowid": "rowid"}
    else:
        names = {
            "xmin": "xmin::text::bigint",
            "xmax": "xmax::text::bigint",
            "cmin": "cmin::text::bigint",
            "ctid": "(ctid::text::point)[0] * 1000000 + (ctid::text::point)[1]",
        }
    found = {}
    for name, expression in names.items():
        found[name] = dict(connection.execute(text(f"SELECT {key}, {expression} FROM {table}")).all())
    return found


def _columns(connection, table: str, key: str) -> dict[str, dict]:
    rows = connection.execute(text(f"SELECT {key} AS row_key, * FROM {table}")).mappings().all()
    names = [name for name in (rows[0].keys() if rows else []) if name != "row_key"]
    columns = {name: {row["row_key"]: row[name] for row in rows} for name in names}
    return {**columns, **_system_columns(connection, table, key)}


def _correct_pairs_by_equal_values(ballot_values: dict, account_values: dict, truth: dict) -> tuple[int, int]:
    """Join ballots and accounts on equal values: (pairs that are right, pairs in the join)."""
    by_value = defaultdict(list)
    for account, value in account_values.items():
        if value is not None:
            by_value[_comparable(value)].append(account)
    joined = right = 0
    for ballot, value in ballot_values.items():
        if value is None:
            continue
        for account in by_value.get(_comparable(value), []):
            joined += 1
            right += truth[ballot] == account
    return right, joined


def _comparable(value):
    return bytes(value) if isinstance(value, memoryview) else value


def _ranks(values: dict) -> dict:
    ordered = sorted(values, key=lambda k: (_sortable(values[k]), k))
    return {key: rank for rank, key in enumerate(ordered)}


def _sortable(value):
    if value is None:
        return (0, "")
    if isinstance(value, bool | int | float):
        return (1, value)
    return (2, str(_comparable(value)))


def _assert_no_better_than_chance(ballot_orders: dict[str, dict], vote_position: dict, label: str) -> None:
    """No ordering of the ballots follows the order in which they were cast."""
    n = len(vote_position)
    for name, ranks in ballot_orders.items():
        if len(set(ranks.values())) < n:  # ties everywhere (a constant): orders nothing
            continue
        ballots = sorted(ranks)
        fixed = sum(1 for b in ballots if ranks[b] == vote_position[b])
        rho = correlation([ranks[b] for b in ballots], [vote_position[b] for b in ballots])  # ranks: Spearman
        assert fixed <= MAX_CORRECT_PAIRS_ABOVE_CHANCE, f"{label} {name}: {fixed} ballots in voting position"
        assert abs(rho) < MAX_RANK_CORRELATION, f"{label} {name}: rank correlation {rho:.2f} with the voting order"


def test_no_stored_value_or_order_pairs_ballots_with_accounts(world, setup):
    accounts = setup.issue("县领导", VOTERS)
    drafters = setup.issue("基层代表", 2)  # they save drafts and never submit
    setup.open()
    for index, account in enumerate(drafters):
        with world.client() as client:
            token = client.post("/api/ballot/login", json={"code": account["code"]}).json()["token"]
        with world.client(token) as client:
            items, comment = _ballot_of(100 + index, setup.subject_ids)
            assert client.put("/api/ballot/draft", json={"items": items[:7], "comment": comment}).status_code == 200
    rng = random.Random(20261130)
    order = list(range(VOTERS))
    rng.shuffle(order)  # voting order differs from the accounts' ids
    voter_of_account = {}
    for voter, index in enumerate(order):
        account = accounts[index]
        with world.client() as client:
            token = client.post("/api/ballot/login", json={"code": account["code"]}).json()["token"]
        items, comment = _ballot_of(voter, setup.subject_ids)
        with world.client(token) as client:
            if voter % 3 == 0:  # some came back to a draft first
                assert client.put("/api/ballot/draft", json={"items": items[:5], "comment": comment}).status_code == 200
            answer = client.post("/api/ballot/submit", json={"items": items, "comment": comment})
            assert answer.status_code == 200, answer.text
        voter_of_account[account["id"]] = voter

    with world.ctx.db.engine.connect() as connection:
        # While open: the ballots wait sealed; nothing readable, and one length for all.
        assert connection.execute(text("SELECT count(*) FROM ballots")).scalar() == 0
        staged = connection.execute(text("SELECT head, body FROM ballot_staging")).all()
        staged_ids = connection.execute(text("SELECT id FROM ballot_staging")).scalars().all()
        assert len(staged) == VOTERS
        assert len({len(bytes(body)) for _, body in staged}) == 1
        assert len({len(bytes(head)) for head, _ in staged}) == 1
        dump = b"".join(bytes(h) + bytes(b) for h, b in staged)
        for voter in range(VOTERS):
            assert f"第{voter}号".encode() not in dump
        drafts = connection.execute(text("SELECT * FROM ballot_drafts")).all()
        assert len(drafts) == len(drafters) and not any("第" in str(row) for row in drafts)
        traces = [i.encode() for i in staged_ids] + [bytes(body)[12:44] for _, body in staged]
        traces += [bytes(row.sealed)[12:44] for row in drafts]

    setup.close()

    # What the box deleted leaves no trace the secret key could open: the rows' transaction ids
    # would pair them with their accounts. No drafts outlive the close.
    with world.ctx.db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM ballot_drafts")).scalar() == 0
        if world.ctx.db.is_sqlite:
            path = world.ctx.db.engine.url.database
            files = b"".join(open(p, "rb").read() for p in (path, path + "-wal") if os.path.exists(p))
            assert not [t for t in traces if t in files]
        else:
            for table in ("ballot_staging", "ballot_drafts"):  # rewritten: no dead rows in its pages
                size = connection.execute(text(f"SELECT pg_relation_size('{table}')")).scalar()
                live = connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()
                assert (size, live) == (0, 0), f"{table}: {size} bytes on disk, {live} live rows"

    if not world.ctx.db.is_sqlite:  # frozen rows keep their xmin: it must tell nothing either
        with world.ctx.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM (FREEZE) ballots, ballot_positions, ballot_accounts"))
    with world.ctx.db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM ballot_staging")).scalar() == 0
        comments = dict(connection.execute(text("SELECT id, comment FROM ballots")).all())
        assert len(comments) == VOTERS
        voter_of_ballot = {b: int(c[1:].split("号")[0]) for b, c in comments.items()}
        account_of_voter = {v: a for a, v in voter_of_account.items()}
        truth = {b: account_of_voter[v] for b, v in voter_of_ballot.items()}

        ballot_columns = _columns(connection, "ballots", "id")
        # the content itself (both name the voter in this test): the comment, and the grades,
        # packed one byte per item (the items have no rows, ids or system columns of their own)
        ballot_columns.pop("comment")
        ballot_columns.pop("grades")
        # The category's item order is written once, with the first ballot moved: one
        # transaction for every position, the same for every ballot of the category.
        positions = _columns(connection, "ballot_positions", "position")
        assert all(len(set(values.values())) == 1 for name, values in positions.items() if name in ("xmin", "cmin"))
        stored_order = [row[0] for row in connection.execute(text("SELECT id FROM ballots"))]
        ballot_columns["stored order"] = {b: i for i, b in enumerate(stored_order)}

        account_columns = _columns(connection, "ballot_accounts", "id")
        voted = set(voter_of_account)
        account_columns = {
            name: {a: v for a, v in values.items() if a in voted} for name, values in account_columns.items()
        }

    # 1. Equal values: no column of a ballot equals a column of its account more often than chance.
    for b_name, b_values in ballot_columns.items():
        for a_name, a_values in account_columns.items():
            right, joined = _correct_pairs_by_equal_values(b_values, a_values, truth)
            chance = joined / VOTERS
            assert right <= chance + MAX_CORRECT_PAIRS_ABOVE_CHANCE, (
                f"ballots.{b_name} = ballot_accounts.{a_name} pairs {right} of {joined} correctly"
            )

    # 2. Order: no ordering of the ballots follows the voting order (which the accounts' xmin,
    # ctid or claim order reveal), so lining both up pairs nothing.
    vote_position = {b: v for b, v in voter_of_ballot.items()}
    _assert_no_better_than_chance(
        {name: _ranks(values) for name, values in ballot_columns.items()}, vote_position, "ballots ordered by"
    )
    # and lining ballots up against the accounts ordered by any of their columns pairs nothing either
    for a_name, a_values in account_columns.items():
        account_rank = _ranks(a_values)
        if len(set(account_rank.values())) < VOTERS:
            continue
        position = {b: account_rank[truth[b]] for b in truth}
        _assert_no_better_than_chance(
            {name: _ranks(values) for name, values in ballot_columns.items()},
            position,
            f"accounts by {a_name}, ballots by",
        )


def test_progress_counts_sealed_ballots_while_open(world, setup):
    accounts = setup.issue("县领导", 3)
    setup.issue("基层代表", 1)
    setup.open()
    for account in accounts[:2]:
        with world.client() as client:
            token = client.post("/api/ballot/login", json={"code": account["code"]}).json()["token"]
        with world.client(token) as client:
            assert client.post("/api/ballot/submit", json={"items": full_items(setup.subject_ids)}).status_code == 200
    progress = setup.api.get(f"/api/campaigns/{setup.campaign_id}/progress").json()
    assert progress["categories"]["县领导"]["submitted"] == 2
    assert progress["categories"]["县领导"]["valid"] == 2
    setup.close()
    after = setup.api.get(f"/api/campaigns/{setup.campaign_id}/progress").json()
    assert after["categories"]["县领导"] == progress["categories"]["县领导"]
