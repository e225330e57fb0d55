def test_health_answers_ok_with_database(world):
    with world.client() as client:
        response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_office_creates_and_reads_a_unit(world):
    with world.office("county-a") as api:
        created = api.post("/api/localities/county-a/units", json={"code": "U1", "name": "县委办"})
        assert created.status_code == 201, created.text
        fetched = api.get(f"/api/localities/county-a/units/{created.json()['id']}")
    assert fetched.json()["name"] == "县委办"
