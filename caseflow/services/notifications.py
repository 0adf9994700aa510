"""Notification use cases: mark read."""
from __future__ import annotations

from sqlalchemy import update

from caseflow import clock
from caseflow.extensions import db
from caseflow.models import Notification


def notifications_mark_read(*, user, notification_id: int | None = None) -> int:
    """Mark one of the user's notifications (or all unread) as read; return how many changed."""
    stmt = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if notification_id is not None:
        stmt = stmt.where(Notification.id == notification_id)
    count = db.session.execute(stmt.values(read_at=clock.now())).rowcount or 0
    db.session.commit()
    return count
