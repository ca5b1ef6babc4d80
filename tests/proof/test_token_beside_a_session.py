"""A request that carries a bearer token acts as the token's user, even when the same client also
holds a signed-in session cookie (it used to act as the cookie's user, while skipping the CSRF
check that only token requests may skip)."""
from tests.conftest import booking


def test_the_token_not_the_cookie_says_who_records(login, api):
    login("manager")  # the shared test client now holds a manager's session cookie
    response = api.post("/api/v1/detentions", json=booking())
    assert response.status_code == 201, response.json
    assert response.json["timeline"][0]["recorded_by"] == "sgt_price"


def test_a_read_only_token_stays_read_only_beside_a_sergeant_cookie(login, api_as):
    login("sergeant")
    response = api_as("manager").post("/api/v1/detentions", json=booking())
    assert response.status_code == 403
