"""A user's notifications: the page and the unread count."""
from __future__ import annotations

from sqlalchemy import func, select

from caseflow.extensions import db
from caseflow.models import Notification
from caseflow.selectors.common import Page, paginate


def notifications_page(user, *, page: int = 1, per_page: int = 25) -> Page:
    """The user's notifications, unread first, newest first."""
    stmt = (select(Notification).where(Notification.user_id == user.id)
            .order_by(Notification.read_at.is_not(None), Notification.created_at.desc(), Notification.id.desc()))
    return paginate(stmt, page, per_page)


def unread_count(user) -> int:
    """How many of the user's notifications are unread."""
    return db.session.scalar(select(func.count(Notification.id)).where(Notification.user_id == user.id,
                                                                       Notification.read_at.is_(None))) or 0
