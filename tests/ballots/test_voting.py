"""The evaluator's path through the JSON API: login, ballot, draft, submit once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import text

from tests.campaign_setup import full_items
from tests.tally_reference import stored_items


def _login(world, code: str):
    with world.client() as client:
        return client.post("/api/ballot/login", json={"code": code})


def test_full_vote_then_second_submit_is_refused(world, setup):
    [account] = setup.issue("县领导", 1)
    setup.issue("基层代表", 1)
    setup.open()
    login = _login(world, account["code"])
    assert login.status_code == 200, login.text
    with world.client(login.json()["token"]) as voter:
        ballot = voter.get("/api/ballot").json()
        assert [s["id"] for s in ballot["subjects"]] == setup.subject_ids
        assert ballot["grades"] == ["优秀", "称职", "基本称职", "不称职"]
        assert "95" not in str(ballot) and "score" not in str(ballot)  # hidden scores never shown
        assert ballot["leaves"] == ["DE1", "DE2", "JI1", "ALL"]
        first = voter.post("/api/ballot/submit", json={"items": full_items(setup.subject_ids)})
        assert first.status_code == 200, first.text
        assert first.json() == {"status": "submitted", "valid": True, "reason": None}
        # the same ballot again (a double click, a retry after a lost answer): the same receipt
        again = voter.post("/api/ballot/submit", json={"items": full_items(setup.subject_ids)})
        assert again.status_code == 200 and again.json() == first.json()
        # another ballot from the used code: refused
        other = voter.post("/api/ballot/submit", json={"items": full_items(setup.subject_ids, grade="优秀")})
        assert other.status_code == 409
        commented = voter.post("/api/ballot/submit", json={"items": full_items(setup.subject_ids), "comment": "x"})
        assert commented.status_code == 409
    assert _login(world, account["code"]).status_code == 409
    setup.close()
    with world.ctx.db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM ballots")).scalar() == 1


def test_code_is_typed_forgivingly(world, setup):
    [account] = setup.issue("县领导", 1)
    setup.issue("基层代表", 1)
    setup.open()
    typed = account["code"].replace("-", " ").lower().replace("0", "o").replace("1", "l")
    assert _login(world, typed).status_code == 200


def test_unknown_revoked_and_closed_codes(world, setup):
    accounts = setup.issue("县领导", 3)
    setup.issue("基层代表", 1)
    setup.open()
    assert _login(world, "AAAA-BBBB-CCCC").status_code == 401
    revoked = setup.api.post(f"/api/campaigns/{setup.campaign_id}/accounts/{accounts[0]['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    assert _login(world, accounts[0]["code"]).status_code == 403
    token = _login(world, accounts[1]["code"]).json()["token"]
    setup.close()
    assert _login(world, accounts[2]["code"]).status_code == 409
    with world.client(token) as voter:
        assert voter.post("/api/ballot/submit", json={"items": full_items(setup.subject_ids)}).status_code == 409


def test_missing_items_are_listed(world, setup):
    [account] = setup.issue("县领导", 1)
    setup.issue("基层代表", 1)
    setup.open()
    with world.client(_login(world, account["code"]).json()["token"]) as voter:
        items = full_items(setup.subject_ids)[:-2]
        response = voter.post("/api/ballot/submit", json={"items": items})
        assert response.status_code == 422
        missing = [e["field"] for e in response.json()["errors"]]
        assert len(missing) == 2 and all(f"subject {setup.subject_ids[-1]}" in f for f in missing)
        bad = voter.post(
            "/api/ballot/submit", json={"items": [{"subject_id": 999999, "indicator": "DE1", "grade": "优秀"}]}
        )
        assert bad.status_code == 422


def test_draft_is_saved_and_returned(world, setup):
    [account] = setup.issue("县领导", 1)
    setup.issue("基层代表", 1)
    setup.open()
    token = _login(world, account["code"]).json()["token"]
    with world.client(token) as voter:
        partial = full_items(setup.subject_ids)[:3]
        assert voter.put("/api/ballot/draft", json={"items": partial, "comment": "再想想"}).status_code == 200
    token = _login(world, account["code"]).json()["token"]  # come back later
    with world.client(token) as voter:
        draft = voter.get("/api/ballot").json()["draft"]
    assert draft == {"items": partial, "comment": "再想想"}
    statuses = [a["status"] for a in setup.api.get(f"/api/campaigns/{setup.campaign_id}/accounts").json()["items"]]
    assert statuses.count("draft") == 1


def test_fifty_concurrent_submits_of_one_code_cast_one_ballot(world, setup):
    """25 copies of one ballot and 25 of another race on one code: exactly one ballot is cast;
    every copy of the winner gets its receipt, every copy of the other 409."""
    [account] = setup.issue("县领导", 1)
    setup.issue("基层代表", 1)
    setup.open()
    token = _login(world, account["code"]).json()["token"]
    ballots = {"称职": full_items(setup.subject_ids), "优秀": full_items(setup.subject_ids, grade="优秀")}

    def submit(index):
        grade = "称职" if index % 2 else "优秀"
        with world.client(token) as voter:
            return grade, voter.post("/api/ballot/submit", json={"items": ballots[grade]}).status_code

    with ThreadPoolExecutor(max_workers=50) as pool:
        answers = list(pool.map(submit, range(50)))
    by_grade = {grade: {status for g, status in answers if g == grade} for grade in ballots}
    assert sorted(by_grade.values(), key=sorted) == [{200}, {409}], answers
    winner = next(grade for grade, statuses in by_grade.items() if statuses == {200})
    with world.ctx.db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM ballot_staging")).scalar() == 1
    setup.close()
    with world.ctx.db.engine.connect() as connection:
        ballots_stored = connection.execute(text("SELECT count(*) FROM ballots")).scalar()
        submitted = connection.execute(text("SELECT count(*) FROM ballot_accounts WHERE status = 'submitted'")).scalar()
        grades = sorted({g for *_ids, g in stored_items(connection)})
        staged = connection.execute(text("SELECT count(*) FROM ballot_staging")).scalar()
    assert ballots_stored == submitted == 1 and staged == 0
    assert grades == [0 if winner == "优秀" else 1]


def test_ballot_is_not_linked_to_its_account_and_no_plaintext_code_is_stored(world, setup):
    accounts = setup.issue("县领导", 2)
    setup.issue("基层代表", 1)
    setup.open()
    with world.client(_login(world, accounts[0]["code"]).json()["token"]) as voter:
        assert voter.post("/api/ballot/submit", json={"items": full_items(setup.subject_ids)}).status_code == 200
    with world.ctx.db.engine.connect() as connection:
        columns = (
            [row[1] for row in connection.execute(text("SELECT * FROM ballots LIMIT 0")).keys()]
            if False
            else list(connection.execute(text("SELECT * FROM ballots LIMIT 1")).keys())
        )
        dump = []
        for table in ("ballot_accounts", "ballots", "ballot_positions", "slip_batches", "audit_log", "ballot_drafts"):
            dump.extend(str(row) for row in connection.execute(text(f"SELECT * FROM {table}")))
    assert not any("account" in c or c.endswith("_at") for c in columns)
    blob = "\n".join(dump)
    for account in accounts:
        assert account["code"] not in blob
        assert account["code"].replace("-", "") not in blob


def test_progress_counts(world, setup):
    leaders = setup.issue("县领导", 4)
    setup.issue("基层代表", 2)
    setup.open()
    setup.api.post(f"/api/campaigns/{setup.campaign_id}/accounts/{leaders[3]['id']}/revoke")
    with world.client(_login(world, leaders[0]["code"]).json()["token"]) as voter:
        assert voter.post("/api/ballot/submit", json={"items": full_items(setup.subject_ids)}).status_code == 200
    with world.client(_login(world, leaders[1]["code"]).json()["token"]) as voter:
        voter.put("/api/ballot/draft", json={"items": full_items(setup.subject_ids)[:1]})
    _login(world, leaders[2]["code"])
    progress = setup.api.get(f"/api/campaigns/{setup.campaign_id}/progress").json()
    leaders_counts = progress["categories"]["县领导"]
    assert leaders_counts == {
        "issued": 4,
        "logged_in": 3,
        "drafts": 1,
        "submitted": 1,
        "valid": 1,
        "invalid": 0,
        "revoked": 1,
        "turnout": round(1 / 3, 4),
    }
    assert progress["total"]["issued"] == 6 and progress["total"]["submitted"] == 1
    assert progress["total"]["turnout"] == round(1 / 5, 4)


def test_ballots_arriving_together_are_each_kept_or_refused_alone(world, setup):
    """Submissions that arrive at once share a commit (SQLite) or run side by side (PostgreSQL):
    a refused one (revoked, used twice, incomplete) changes nothing for the others."""
    accounts = setup.issue("县领导", 8)
    setup.issue("基层代表", 1)
    setup.open()
    tokens = [_login(world, a["code"]).json()["token"] for a in accounts]
    revoked = setup.api.post(f"/api/campaigns/{setup.campaign_id}/accounts/{accounts[0]['id']}/revoke")
    assert revoked.status_code == 200
    items = full_items(setup.subject_ids)
    jobs = [(tokens[0], items)]  # revoked: 403
    jobs += [(tokens[1], items)] * 3  # one code three times: one ballot, the same receipt thrice
    jobs += [(tokens[2], items[:-1])]  # incomplete: 422
    jobs += [(token, items) for token in tokens[3:]]  # five good ones
    jobs += [(tokens[1], full_items(setup.subject_ids, grade="优秀"))]  # another ballot from tokens[1]'s code

    def submit(job):
        token, body = job
        with world.client(token) as voter:
            response = voter.post("/api/ballot/submit", json={"items": body})
            return response.status_code, response.json()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        answers = list(pool.map(submit, jobs))
    codes = [status for status, _ in answers]
    assert codes[0] == 403 and answers[0][1]["detail"] == "this code has been revoked"
    assert codes[4] == 422 and "missing" in answers[4][1]["detail"]
    assert codes[5:10] == [200] * 5
    # the two ballots of tokens[1]'s code raced: the copies of the winner all got its receipt
    assert sorted([codes[1], codes[10]]) == [200, 409] and len(set(codes[1:4])) == 1
    setup.close()
    with world.ctx.db.engine.connect() as connection:
        ballots = connection.execute(text("SELECT count(*) FROM ballots")).scalar()
        submitted = connection.execute(text("SELECT count(*) FROM ballot_accounts WHERE status = 'submitted'")).scalar()
        items_stored = len(stored_items(connection))
    assert ballots == submitted == 6
    assert items_stored == 6 * len(items)


def test_malformed_ballot_bodies_answer_400_naming_the_field(world, setup):
    [account] = setup.issue("县领导", 1)
    setup.issue("基层代表", 1)
    setup.open()
    items = full_items(setup.subject_ids)
    with world.client(_login(world, account["code"]).json()["token"]) as voter:
        unknown = voter.post("/api/ballot/submit", json={"items": items, "extra": 1})
        assert unknown.status_code == 400
        assert unknown.json()["errors"] and "extra" in unknown.text
        wrong_type = voter.post("/api/ballot/submit", json={"items": [{**items[0], "subject_id": "one"}]})
        assert wrong_type.status_code == 400 and "subject_id" in wrong_type.text
        too_long = voter.put("/api/ballot/draft", json={"items": [], "comment": "长" * 2001})
        assert too_long.status_code == 400 and "comment" in too_long.text
        # nothing was claimed: the real ballot still goes in
        assert voter.post("/api/ballot/submit", json={"items": items}).status_code == 200
