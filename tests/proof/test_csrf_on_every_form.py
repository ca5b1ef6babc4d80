"""Every web form refuses a signed-in POST without the CSRF token (400); the token is what it checks.

Walked over the URL map: a form added later is covered without editing this file. The API
(bearer tokens, which a cross-site page cannot send) and the signed Twilio webhooks are not forms.
"""
import pytest

from tests.conftest import csrf_token_from
from tests.proof.pages import role_for, url_for_rule, web_routes

FORMS = web_routes("POST")


def test_the_forms_are_walked():
    assert {"auth.login", "auth.logout", "custody.book", "custody.amend", "admin.users"} <= \
        {endpoint for _, endpoint in FORMS}


@pytest.mark.parametrize("rule,endpoint", FORMS)
def test_a_signed_in_post_without_the_token_is_refused(app, login, rule, endpoint):
    client = login(role_for(app, endpoint, "POST"))
    url = url_for_rule(rule, {})

    missing = client.post(url, data={"anything": "at all"})
    assert missing.status_code == 400, f"POST {rule} answered {missing.status_code} without a CSRF token"
    assert "CSRF token is missing" in missing.get_data(as_text=True)

    forged = client.post(url, data={"csrf_token": "forged." + "x" * 40})
    assert forged.status_code == 400 and "CSRF" in forged.get_data(as_text=True)

    # The token is what was refused: with it, the same request gets past the check.
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    assert "CSRF" not in client.post(url, data={"csrf_token": token}).get_data(as_text=True)
