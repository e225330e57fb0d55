"""The submitted ballot's body, decoded once from its bytes (issue 16): what does not fit answers
400 naming the field, with the same words as any JSON body; nothing is claimed by a bad body."""

from __future__ import annotations

import json

from tests.campaign_setup import full_items


def _voter(world, setup):
    [account] = setup.issue("县领导", 1)
    setup.issue("基层代表", 1)
    setup.open()
    with world.client() as client:
        token = client.post("/api/ballot/login", json={"code": account["code"]}).json()["token"]
    return world.client(token)


def _post(voter, body: bytes, **headers):
    return voter.post("/api/ballot/submit", content=body, headers={"Content-Type": "application/json", **headers})


def test_bodies_that_do_not_fit_answer_400_with_the_field_and_msgspec_words(world, setup):
    items = full_items(setup.subject_ids)
    cases = {
        json.dumps({"items": items, "extra": 1}): ("data", "Object contains unknown field `extra`"),
        json.dumps({"items": [{**items[0], "subject_id": "one"}]}): (
            "items[0].subject_id",
            "Expected `int`, got `str`",
        ),
        json.dumps({"items": [{**items[0], "zzz": 1}]}): ("items[0]", "Object contains unknown field `zzz`"),
        json.dumps({"items": [{"subject_id": 1}]}): ("items[0]", "Object missing required field `indicator`"),
        json.dumps({"items": [{**items[0], "indicator": ""}]}): ("items[0].indicator", "Expected `str` of length >= 1"),
        json.dumps({"items": items, "comment": "长" * 2001}): ("comment", "Expected `str` of length <= 2000"),
        json.dumps({"items": 5}): ("items", "Expected `array`, got `int`"),
        "[]": ("data", "Expected `object`, got `array`"),
        "null": ("data", "Expected `object`, got `null`"),
        "": ("data", "Expected `object`, got an empty body"),
    }
    with _voter(world, setup) as voter:
        for body, (field, message) in cases.items():
            for language in ("en", "zh-CN"):  # msgspec's words are not translated, as for any body
                answer = _post(voter, body.encode(), **{"Accept-Language": language})
                assert answer.status_code == 400, (body[:60], answer.text)
                assert answer.json()["errors"] == [{"field": field, "message": message}], body[:60]
                assert answer.json()["detail"] == f"{field}: {message}"
        malformed = _post(voter, b'{"items": [')
        assert malformed.status_code == 400 and malformed.json()["detail"] == "Input data was truncated"
        assert _post(voter, b"{nope").status_code == 400
        # a well-formed body with a subject not on the ballot is the service's 422, in the reader's language
        foreign = _post(voter, json.dumps({"items": [{**items[0], "subject_id": 2**70}]}).encode())
        assert foreign.status_code == 422 and "is not on this ballot" in foreign.text
        # nothing above claimed the code: the real ballot goes in, once, and its retry gets the same receipt
        first = _post(voter, json.dumps({"items": items}).encode())
        assert first.status_code == 200 and first.json() == {"status": "submitted", "valid": True, "reason": None}
        assert _post(voter, json.dumps({"items": items}).encode()).json() == first.json()


def test_a_bad_body_is_answered_before_the_token_is_read(world, setup):
    with world.client() as anonymous:
        assert _post(anonymous, b"[]").status_code == 400
        assert _post(anonymous, json.dumps({"items": []}).encode()).status_code == 401


def test_the_openapi_document_still_describes_the_submitted_body(world):
    document = world.client().get("/schema/openapi.json").json()
    body = document["paths"]["/api/ballot/submit"]["post"]["requestBody"]
    assert body["required"] is True
    assert body["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/BallotIn"}
    assert document["components"]["schemas"]["BallotIn"]["additionalProperties"] is False
