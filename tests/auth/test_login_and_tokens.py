"""Signing in and out, sessions, CSRF, tokens and the users CLI."""
import re

from sqlalchemy import event, select

from auth.models import ApiToken, User
from core.db import db
from tests.conftest import PASSWORD, booking, csrf_token_from


def sign_in(client, username, password):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def test_a_sergeant_signs_in_and_lands_on_the_board(client):
    response = sign_in(client, "sgt_price", PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Children in custody" in client.get("/").get_data(as_text=True)


def test_a_wrong_password_is_refused_without_saying_which_part(client):
    response = sign_in(client, "sgt_price", "wrong")
    assert response.status_code == 422
    assert "username or password is not right" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_passwords_are_stored_with_argon2(app):
    user = db.session.scalar(select(User).where(User.username == "sgt_price"))
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash


def test_sign_in_returns_to_the_page_asked_for_but_never_off_site(client):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    data = {"username": "sgt_price", "password": PASSWORD, "csrf_token": token}
    assert client.post("/login?next=/detentions/new", data=data).headers["Location"] == "/detentions/new"
    client.post("/logout", data={"csrf_token": csrf_token_from(client.get("/").get_data(as_text=True))})
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login?next=https://evil.example/", data={**data, "csrf_token": token})
    assert response.headers["Location"] == "/"


def test_forms_without_the_csrf_token_are_refused(client):
    response = client.post("/login", data={"username": "sgt_price", "password": PASSWORD})
    assert response.status_code == 400
    sign_in(client, "sgt_price", PASSWORD)
    assert client.post("/detentions/new", data={"forename": "X"}).status_code == 400


def test_sign_out_ends_the_session(login):
    client = login("sergeant")
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302


def test_a_deactivated_user_cannot_sign_in_or_use_a_token(client, api, app):
    user = db.session.scalar(select(User).where(User.username == "sgt_price"))
    user.active = False
    db.session.commit()
    assert sign_in(client, "sgt_price", PASSWORD).status_code == 422
    assert api.get("/api/v1/detentions").status_code == 401


def test_session_cookie_is_httponly_and_samesite(client):
    response = sign_in(client, "sgt_price", PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_cookies_are_secure(tmp_path):
    import config
    settings = config.from_environment({"PRODUCTION": "1", "SECRET_KEY": "s" * 40}, str(tmp_path))
    assert settings["SESSION_COOKIE_SECURE"] is True and settings["REMEMBER_COOKIE_SECURE"] is True


def test_users_cli_creates_a_user_and_prints_a_token_once(runner, client):
    result = runner.invoke(args=["users", "create", "sgt_new", "--role", "sergeant", "--password", "pw-long-enough"])
    assert result.exit_code == 0, result.output
    token = runner.invoke(args=["users", "token", "sgt_new"]).output.strip()
    assert re.fullmatch(r"jct_[\w-]{40,}", token)
    stored = db.session.scalars(select(ApiToken.token_hash)).all()
    assert token not in stored  # only its hash is kept
    response = client.get("/api/v1/detentions", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_a_token_notes_when_it_was_last_used_at_most_once_a_minute(api, clock):
    """`last_used_at` shows a token is still in use (or is one to revoke), without every API
    request paying for a write and a commit to say so."""
    writes = []

    def count_writes(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("UPDATE API_TOKENS"):
            writes.append(statement)

    def last_used():
        db.session.expire_all()
        return db.session.scalar(select(ApiToken.last_used_at))

    event.listen(db.engine, "before_cursor_execute", count_writes)
    try:
        first_use = clock()
        assert api.get("/api/v1/suites").status_code == 200
        assert last_used() == first_use and len(writes) == 1
        for _ in range(3):  # within the minute: nothing written
            clock.advance(seconds=19)
            assert api.get("/api/v1/suites").status_code == 200
        assert last_used() == first_use and len(writes) == 1
        clock.advance(seconds=4)  # a minute and a second after the first use
        assert api.post("/api/v1/detentions", json=booking()).status_code == 201
        assert last_used() == clock() and len(writes) == 2
    finally:
        event.remove(db.engine, "before_cursor_execute", count_writes)


def test_a_token_use_is_kept_even_when_the_request_fails(api, clock):
    clock.advance(minutes=5)
    assert api.post("/api/v1/detentions", json={"forename": "No", "surname": "Arrival"}).status_code == 422
    assert db.session.scalar(select(ApiToken.last_used_at)) == clock()


def test_users_cli_generates_a_password_when_none_is_given(runner):
    result = runner.invoke(args=["users", "create", "mgr_new", "--role", "manager"])
    assert result.exit_code == 0 and "Password (shown once):" in result.output


def test_users_cli_refuses_an_unknown_role_and_a_duplicate(runner):
    assert runner.invoke(args=["users", "create", "x", "--role", "chief"]).exit_code != 0
    duplicate = runner.invoke(args=["users", "create", "sgt_price", "--role", "sergeant", "--password", "p"])
    assert duplicate.exit_code != 0 and "already exists" in duplicate.output


def test_admin_adds_a_user_through_the_page(login):
    client = login("admin")
    token = csrf_token_from(client.get("/admin/users").get_data(as_text=True))
    response = client.post("/admin/users", data={"username": "sgt_day", "role": "sergeant",
                                                 "display_name": "Sgt Day", "csrf_token": token})
    assert response.status_code == 302
    assert db.session.scalar(select(User).where(User.username == "sgt_day")).role == "sergeant"


def test_only_an_admin_sees_the_admin_pages(login):
    assert login("sergeant").get("/admin/users").status_code == 403


def test_a_board_refresh_after_the_session_ends_sends_the_page_to_sign_in(client):
    response = client.get("/board/live", headers={"HX-Request": "true", "Referer": "http://localhost/?suite=DUR"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login?next=/")
