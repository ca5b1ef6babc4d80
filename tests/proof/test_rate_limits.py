"""Guessing is slowed: failed sign-ins and failed API tokens are rate-limited per client address.

Rate limits are off in the other tests (RATELIMIT_ENABLED=0); this app has them on, as production does.
"""
import pytest

from core.db import db
from tests.conftest import PASSWORD, csrf_token_from, make_app


@pytest.fixture
def limited(app, database_url, instance_path, clock):
    """A client of the app with rate limits on, over the seeded test database."""
    limited_app = make_app(database_url, instance_path, clock, RATELIMIT_ENABLED=True)
    yield limited_app.test_client()
    with limited_app.app_context():
        db.engine.dispose()  # its pooled connections are closed here, not by the garbage collector


def _sign_in(client, password, address="127.0.0.1"):
    where = {"REMOTE_ADDR": address}
    token = csrf_token_from(client.get("/login", environ_base=where).get_data(as_text=True))
    return client.post("/login", environ_base=where,
                       data={"username": "sgt_price", "password": password, "csrf_token": token})


def test_the_eleventh_sign_in_attempt_in_a_minute_is_refused(limited):
    statuses = [_sign_in(limited, f"guess {n}").status_code for n in range(10)]
    assert statuses == [422] * 10
    refused = _sign_in(limited, PASSWORD)  # even the right password waits: the limit is on attempts
    assert refused.status_code == 429
    assert "Too Many Requests" in refused.get_data(as_text=True)


def test_sign_in_attempts_from_another_address_are_counted_apart(limited):
    assert [_sign_in(limited, f"guess {n}").status_code for n in range(10)] == [422] * 10
    assert _sign_in(limited, "guess 11").status_code == 429
    assert _sign_in(limited, PASSWORD, address="127.0.0.2").status_code == 302


def test_the_twenty_first_wrong_token_in_a_minute_is_refused(limited, api):
    wrong = {"Authorization": "Bearer jct_guessed"}
    statuses = [limited.get("/api/v1/detentions", headers=wrong).status_code for _ in range(21)]
    assert statuses == [401] * 20 + [429]
    limited_body = limited.get("/api/v1/detentions", headers=wrong).json
    assert limited_body["error"]["code"] == "too_many_requests"
    # A valid token is not locked out by somebody else's guessing.
    assert limited.get("/api/v1/detentions", headers=api.headers).status_code == 200
