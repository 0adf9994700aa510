"""Login, lock-out, CSRF, logout, password change, session invalidation, language switch."""
from __future__ import annotations

from caseflow.extensions import db
from caseflow.models import User
from tests import factories
from tests.conftest import csrf_token


def _login(client, username, password, token=None):
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token or csrf_token(client)})


def test_login_success_and_home_in_chinese(client):
    user = factories.user("officer")
    response = _login(client, user.username, factories.PASSWORD)
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "退出" in page and user.display_name in page


def test_wrong_password_is_a_clear_message_and_counts(client):
    user = factories.user("officer")
    response = _login(client, user.username, "wrong-password-1")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.get_data(as_text=True)
    assert db.session.get(User, user.id).failed_logins == 1
    assert client.get("/").status_code == 302  # still logged out


def test_unknown_and_deactivated_users_get_the_same_message(client):
    user = factories.user("officer", active=False)
    for name in (user.username, "nobody-here"):
        body = _login(client, name, factories.PASSWORD).get_data(as_text=True)
        assert "用户名或密码错误" in body


def test_lockout_after_repeated_failures(client, app):
    user = factories.user("officer")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        _login(client, user.username, "wrong-password-1")
    response = _login(client, user.username, factories.PASSWORD)
    assert response.status_code == 429
    assert "锁定" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_login_rate_limited_per_address(client, app):
    limit = int(app.config["LOGIN_RATE_LIMIT"].split()[0])
    token = csrf_token(client)
    statuses = [_login(client, f"ghost{i}", "x", token).status_code for i in range(limit + 1)]
    assert statuses[-1] == 429 and 429 not in statuses[:-1]


def test_missing_or_forged_csrf_token_is_refused(client):
    user = factories.user("officer")
    response = client.post("/login", data={"username": user.username, "password": factories.PASSWORD})
    assert response.status_code == 400
    assert "表单已过期" in response.get_data(as_text=True)
    response = client.post("/login", data={"username": user.username, "password": factories.PASSWORD,
                                           "csrf_token": "forged"})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_session_cookie_flags(client):
    user = factories.user("officer")
    response = _login(client, user.username, factories.PASSWORD)
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_logout_needs_post_and_ends_session(login_as):
    client = login_as("officer")
    assert client.get("/logout").status_code == 405
    token = csrf_token(client, "/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302


def test_password_change_ends_other_sessions(app, login_as):
    first = login_as("officer")
    second = app.test_client()
    _login(second, first.user.username, factories.PASSWORD)
    token = csrf_token(first, "/account/password")
    response = first.post("/account/password", data={"current": factories.PASSWORD, "password": "new-secret-123",
                                                      "confirm": "new-secret-123", "csrf_token": token})
    assert response.status_code == 302
    assert first.get("/").status_code == 200
    assert second.get("/").status_code == 302


def test_deactivation_ends_sessions(login_as):
    client = login_as("officer")
    user = db.session.get(User, client.user.id)
    from caseflow.services.accounts import user_set_active

    user_set_active(user=user, active=False)
    assert client.get("/").status_code == 302


def test_language_switch_persists_and_unknown_locale_is_refused(login_as):
    client = login_as("officer")
    token = csrf_token(client, "/")
    client.post("/lang", data={"lang": "en", "next": "/", "csrf_token": token})
    page = client.get("/").get_data(as_text=True)
    assert "Log out" in page
    assert db.session.get(User, client.user.id).locale == "en"
    response = client.post("/lang", data={"lang": "xx", "next": "/", "csrf_token": token}, follow_redirects=True)
    assert "Unknown language" in response.get_data(as_text=True)
    assert db.session.get(User, client.user.id).locale == "en"


def test_open_redirect_is_not_followed(client):
    user = factories.user("officer")
    token = csrf_token(client)
    response = client.post("/login?next=//evil.example/x", data={"username": user.username,
                           "password": factories.PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/"


def test_passwords_are_hashed_with_argon2(db):
    user = factories.user("officer")
    assert user.password_hash.startswith("$argon2id$")
