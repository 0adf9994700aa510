"""Notification channels as a registry: in-app rows now, e-mail after commit."""
from __future__ import annotations

import json
import logging
import smtplib
from abc import ABC, abstractmethod
from collections.abc import Callable
from email.message import EmailMessage
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import insert

from caseflow.db_bulk import bind_row, binds_for, bulk_insert
from caseflow.extensions import db

log = logging.getLogger(__name__)


class Channel(ABC):
    """A way to reach a user; ``deliver`` gets the new rows inside the transaction.

    A channel may also define ``deliver_many(groups)``: ``deliver`` for many notifications at once, each
    group one ``notify`` call's rows (as column dicts, in order) and its after-commit list. Channels run in
    registry order: after the in-app channel each row dict holds its ``id`` when some channel
    ``wants_ids``. ``notify_many`` batches only when every channel defines it."""

    name = "channel"

    @abstractmethod
    def deliver(self, rows: list, after_commit: list[Callable[[], None]]) -> None:
        """Hand the rows to this channel (inside the transaction; slow work goes to after_commit)."""

    def wants_ids(self) -> bool:
        """Whether ``deliver_many`` reads the rows' ids (the in-app channel then reads them back on insert)."""
        return False


class InAppChannel(Channel):
    """The notification row itself is the in-app message."""

    name = "in_app"

    def deliver(self, rows: list, after_commit: list[Callable[[], None]]) -> None:
        db.session.add_all(rows)

    def deliver_many(self, groups: list[tuple[list[dict], list[Callable[[], None]]]]) -> None:
        from caseflow.models import Notification

        rows = [row for group, _after in groups for row in group]
        if not rows:
            return
        table = Notification.__table__
        if not any(channel.wants_ids() for channel in CHANNELS.values()):
            _insert_plain(table, groups)
            return
        stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        for row, (row_id,) in zip(rows, db.session.execute(stmt, rows), strict=True):
            row["id"] = row_id


_PLAIN = ("user_id", "kind", "case_id", "params", "created_at")


def _insert_plain(table, groups: list[tuple[list[dict], list]]) -> None:
    """Insert the rows at once (``db_bulk.bulk_insert``), a call's ``params`` and a timestamp bound once, not
    once per recipient (the rows of a ``notify_many`` call share them); PostgreSQL's COPY takes the JSON text."""
    dialect = db.session.get_bind().dialect
    found = binds_for(table, _PLAIN, dialect)
    binds = dict(found or ())
    if found is not None and dialect.name == "postgresql":
        binds[_PLAIN.index("params")] = getattr(dialect, "_json_serializer", None) or json.dumps
    per_row = [(i, bind) for i, bind in binds.items() if _PLAIN[i] not in ("params", "created_at")]
    shared: dict[tuple[int, int], Any] = {}  # (column, id(value)) -> bound value; values live until the insert

    def once(i: int, value: Any) -> Any:
        bind = binds.get(i)
        if bind is None:
            return value
        key = (i, id(value))
        if key not in shared:
            shared[key] = bind(value)
        return shared[key]

    p_at, c_at = _PLAIN.index("params"), _PLAIN.index("created_at")
    values = []
    for rows, _after in groups:
        for row in rows:
            value = (row["user_id"], row["kind"], row["case_id"], once(p_at, row["params"]),
                     once(c_at, row["created_at"]))
            values.append(bind_row(value, per_row) if per_row else value)
    bulk_insert(table, _PLAIN, values, bound=True)


class EmailChannel(Channel):
    """E-mail through smtplib, sent after the commit; the outcome is kept on the row."""

    name = "email"

    def deliver(self, rows: list, after_commit: list[Callable[[], None]]) -> None:
        if not current_app.config.get("MAIL_SERVER"):
            return
        db.session.flush()
        ids = [row.id for row in rows]
        after_commit.append(lambda: send_emails(ids))

    def wants_ids(self) -> bool:
        return bool(current_app.config.get("MAIL_SERVER"))

    def deliver_many(self, groups: list[tuple[list[dict], list[Callable[[], None]]]]) -> None:
        if not self.wants_ids():
            return
        for rows, after_commit in groups:
            ids = [row["id"] for row in rows]
            after_commit.append(lambda ids=ids: send_emails(ids))


CHANNELS: dict[str, Channel] = {}


def register(channel: Channel) -> Channel:
    """Add a channel to the registry (by its name)."""
    CHANNELS[channel.name] = channel
    return channel


def get_channel(name: str) -> Channel:
    """The registered channel called ``name``."""
    return CHANNELS[name]


register(InAppChannel())
register(EmailChannel())


def _compose(row, user) -> EmailMessage:
    from caseflow.notifications import message

    config = current_app.config
    with force_locale(user.locale or config.get("BABEL_DEFAULT_LOCALE", "zh_CN")):
        text = message(row, _)
        subject = _("Integrity early warning") + " · " + str((row.params or {}).get("number", ""))
    mail = EmailMessage()
    mail["From"] = config["MAIL_SENDER"]
    mail["To"] = user.email
    mail["Subject"] = subject
    mail.set_content(text + "\n")
    return mail


def send_emails(ids: list[int]) -> None:
    """Send the e-mails of notification rows ``ids``; record sent/failed on each, never raise."""
    from caseflow.models import Notification, User

    config = current_app.config
    try:
        rows = [db.session.get(Notification, i) for i in ids]
        pending = [(row, db.session.get(User, row.user_id)) for row in rows if row is not None]
        pending = [(row, user) for row, user in pending if user is not None and user.email]
        if not pending:
            return
        try:
            with smtplib.SMTP(config["MAIL_SERVER"], config.get("MAIL_PORT", 25),
                              timeout=config.get("MAIL_TIMEOUT", 5)) as smtp:
                if config.get("MAIL_USE_TLS"):
                    smtp.starttls()
                if config.get("MAIL_USERNAME"):
                    smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
                for row, user in pending:
                    try:
                        smtp.send_message(_compose(row, user))
                        row.email_status, row.email_error = "sent", None
                    except smtplib.SMTPException as error:
                        row.email_status, row.email_error = "failed", str(error)[:500]
        except (OSError, smtplib.SMTPException) as error:
            for row, _user in pending:
                if row.email_status != "sent":
                    row.email_status, row.email_error = "failed", str(error)[:500] or type(error).__name__
        db.session.commit()
    except Exception:  # noqa: BLE001 - mail never breaks the caller
        db.session.rollback()
        log.exception("sending notification e-mail failed")
