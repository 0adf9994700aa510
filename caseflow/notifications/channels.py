"""Notification channels as a registry: in-app rows now, e-mail after commit."""
from __future__ import annotations

import logging
import smtplib
from abc import ABC, abstractmethod
from collections.abc import Callable
from email.message import EmailMessage

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from caseflow.extensions import db

log = logging.getLogger(__name__)


class Channel(ABC):
    """A way to reach a user; ``deliver`` gets the new rows inside the transaction."""

    name = "channel"

    @abstractmethod
    def deliver(self, rows: list, after_commit: list[Callable[[], None]]) -> None:
        """Hand the rows to this channel (inside the transaction; slow work goes to after_commit)."""


class InAppChannel(Channel):
    """The notification row itself is the in-app message."""

    name = "in_app"

    def deliver(self, rows: list, after_commit: list[Callable[[], None]]) -> None:
        db.session.add_all(rows)


class EmailChannel(Channel):
    """E-mail through smtplib, sent after the commit; the outcome is kept on the row."""

    name = "email"

    def deliver(self, rows: list, after_commit: list[Callable[[], None]]) -> None:
        if not current_app.config.get("MAIL_SERVER"):
            return
        db.session.flush()
        ids = [row.id for row in rows]
        after_commit.append(lambda: send_emails(ids))


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
