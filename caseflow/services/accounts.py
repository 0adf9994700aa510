"""Accounts: authentication with lock-out, user administration, API tokens."""
from __future__ import annotations

import re
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from caseflow import clock
from caseflow.errors import N_, CaseflowError, Conflict, InvalidField, NotFound, Unauthorized
from caseflow.extensions import db
from caseflow.models import ROLES, ApiToken, Station, Unit, User
from caseflow.models.users import new_session_token
from caseflow.security import hash_password, token_digest, verify_password

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{3,64}$")


class LoginFailed(Unauthorized):
    default_message = N_("Wrong username or password.")


class AccountLocked(CaseflowError):
    status, code = 429, "account_locked"
    default_message = N_("Too many failed attempts; this account is locked until %(until)s.")


def check_password_policy(password: str) -> None:
    """At least 10 characters with letters and digits."""
    if len(password) < 10 or not re.search(r"[A-Za-z]", password) or not re.search(r"\d", password):
        raise InvalidField(
            N_("The password needs at least 10 characters, with letters and digits."), field="password"
        )


def authenticate(username: str, password: str) -> User:
    """Return the user for valid credentials; count failures and lock after too many."""
    user = db.session.scalar(select(User).where(User.username == (username or "").strip()))
    now = clock.now()
    if user is not None and user.locked_until is not None and user.locked_until > now:
        raise AccountLocked(until=clock.local(user.locked_until).strftime("%H:%M"))
    if not verify_password(user.password_hash if user else None, password or "") or not user.active:
        if user is not None:
            user.failed_logins += 1
            if user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
                user.locked_until = now + timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
                user.failed_logins = 0
            db.session.commit()
        raise LoginFailed()
    if user.failed_logins or user.locked_until:
        user.failed_logins, user.locked_until = 0, None
        db.session.commit()
    return user


def _unit_by_code(code: str | None) -> Unit | None:
    if not code:
        return None
    unit = db.session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        raise InvalidField(N_("Unknown unit code %(code)s."), field="unit", code=code)
    return unit


def user_create(
    *,
    username: str,
    role: str,
    password: str,
    display_name: str | None = None,
    unit_code: str | None = None,
    station_code: str | None = None,
    email: str | None = None,
    check_policy: bool = True,
) -> User:
    """Create a user with a pinned role; unit leaders need a unit, monitors a station."""
    if not USERNAME_RE.match(username or ""):
        raise InvalidField(N_("Usernames are 3–64 letters, digits, dots, dashes or underscores."), field="username")
    if role not in ROLES:
        raise InvalidField(N_("Unknown role %(role)s."), field="role", role=role)
    if check_policy:
        check_password_policy(password)
    unit = _unit_by_code(unit_code)
    station = None
    if station_code:
        station = db.session.scalar(select(Station).where(Station.code == station_code))
        if station is None:
            raise InvalidField(N_("Unknown station code %(code)s."), field="station", code=station_code)
    if role == "unit_leader" and unit is None:
        raise InvalidField(N_("A unit leader must belong to a unit."), field="unit")
    if role == "monitor" and station is None:
        raise InvalidField(N_("A monitor must belong to a station."), field="station")
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(N_("The username %(name)s is taken."), name=username)
    now = clock.now()
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=hash_password(password),
        role=role,
        unit_id=unit.id if unit else None,
        station_id=station.id if station else None,
        email=email,
        created_at=now,
        password_changed_at=now,
    )
    db.session.add(user)
    db.session.commit()
    return user


def user_get(user_id: int) -> User:
    """Load a user or raise NotFound."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user


def user_set_password(*, user: User, password: str) -> None:
    """Set a new password and end every session and API token of the user."""
    check_password_policy(password)
    user.password_hash = hash_password(password)
    user.password_changed_at = clock.now()
    _end_sessions(user)
    db.session.commit()


def user_set_active(*, user: User, active: bool) -> None:
    """Activate or deactivate a user; deactivation ends sessions and tokens at once."""
    user.active = active
    if not active:
        _end_sessions(user)
    db.session.commit()


def user_update(*, user: User, display_name: str, role: str, unit_code: str | None,
                station_code: str | None, email: str | None) -> None:
    """Change a user's name, role and attachment."""
    if role not in ROLES:
        raise InvalidField(N_("Unknown role %(role)s."), field="role", role=role)
    unit = _unit_by_code(unit_code)
    station = db.session.scalar(select(Station).where(Station.code == station_code)) if station_code else None
    if role == "unit_leader" and unit is None:
        raise InvalidField(N_("A unit leader must belong to a unit."), field="unit")
    if role == "monitor" and station is None:
        raise InvalidField(N_("A monitor must belong to a station."), field="station")
    if role != user.role:
        _end_sessions(user)
    user.display_name, user.role, user.email = display_name, role, email
    user.unit_id = unit.id if unit else None
    user.station_id = station.id if station else None
    db.session.commit()


def _end_sessions(user: User) -> None:
    user.session_token = new_session_token()
    for token in db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked.is_(False))):
        token.revoked = True


def user_set_locale(*, user: User, locale: str) -> None:
    """Remember a user's language choice."""
    user.locale = locale
    db.session.commit()


def token_issue(*, user: User) -> str:
    """Create a bearer token; only its digest is stored, the token is returned once."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    db.session.add(ApiToken(
        user_id=user.id,
        token_hash=token_digest(token),
        created_at=now,
        expires_at=now + timedelta(days=current_app.config["API_TOKEN_DAYS"]),
    ))
    db.session.commit()
    return token


def user_for_token(token: str) -> User | None:
    """The active user a valid, unexpired, unrevoked token belongs to, else None."""
    if not token or len(token) > 200:
        return None
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(token)))
    if row is None or row.revoked or row.expires_at <= clock.now() or not row.user.active:
        return None
    return row.user
