"""A user's notifications: the page and the unread count."""
from __future__ import annotations

from sqlalchemy import bindparam, func, select

from caseflow.extensions import db
from caseflow.models import Notification
from caseflow.selectors.common import Page, paginate


def notifications_page(user, *, page: int = 1, per_page: int = 25) -> Page:
    """The user's notifications, unread first, newest first."""
    stmt = (select(Notification).where(Notification.user_id == user.id)
            .order_by(Notification.read_at.is_not(None), Notification.created_at.desc(), Notification.id.desc()))
    return paginate(stmt, page, per_page)


# Built once: the menu badge runs it on every page, and a prebuilt statement keeps its cache key.
_UNREAD = select(func.count(Notification.id)).where(Notification.user_id == bindparam("user_id"),
                                                    Notification.read_at.is_(None))


def unread_count(user) -> int:
    """How many of the user's notifications are unread."""
    return db.session.scalar(_UNREAD, {"user_id": user.id}) or 0
