from tests.conftest import booking


def test_sergeant_books_a_17_year_old(api):
    response = api.post("/api/v1/detentions", json=booking())
    assert response.status_code == 201, response.json
    body = response.json
    assert body["reference"] == "DUR-2026-00001"
    assert body["age"] == 17
    assert body["relevant_time"] == "2026-11-28T10:00:00Z"
    assert body["detention_limit_at"] == "2026-11-29T10:00:00Z"
