"""Custody web fixtures: a child booked through the API, and forms posted as a signed-in person."""
import pytest

from tests.conftest import PASSWORD, PERSONAS, booking, csrf_token_from


@pytest.fixture
def child(api):
    """Jordan, 17, at Durham since 10:00 (the clock reads 12:00, GMT: local time is UTC)."""
    return api.post("/api/v1/detentions", json=booking(arrived_at="2026-11-28T10:00:00Z")).json


class Browser:
    """The test client as one signed-in person filling in forms: GET the page, POST with its token."""

    def __init__(self, client):
        self.client = client

    def get(self, url):
        return self.client.get(url)

    def submit(self, url, data, page_url=None):
        page = self.client.get(page_url or url)
        assert page.status_code == 200, page.get_data(as_text=True)[:1000]
        return self.client.post(url, data={"csrf_token": csrf_token_from(page.get_data(as_text=True)), **data})


@pytest.fixture
def signed_in(app):
    """signed_in("inspector"): a Browser for that persona, signed in through the login form.

    Each has a client of its own, so the API fixtures (bearer tokens on the shared client)
    still act as their own persona rather than as whoever signed in last."""
    def sign_in(role):
        client = app.test_client()
        token = csrf_token_from(client.get("/login").get_data(as_text=True))
        response = client.post("/login", data={"username": PERSONAS[role][0], "password": PASSWORD,
                                               "csrf_token": token})
        assert response.status_code == 302, response.get_data(as_text=True)
        return Browser(client)
    return sign_in


@pytest.fixture
def sergeant(signed_in):
    return signed_in("sergeant")
