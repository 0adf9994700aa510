"""The one place time comes from: real time, or frozen by ``CASEFLOW_NOW``."""
from __future__ import annotations

import contextlib
import os
from contextvars import ContextVar
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

CST = ZoneInfo("Asia/Shanghai")
_override: ContextVar[datetime | None] = ContextVar("caseflow_now", default=None)


def parse_instant(text: str) -> datetime:
    """Parse an ISO date or date-time; naive values are China Standard Time."""
    value = datetime.fromisoformat(text.strip())
    if value.tzinfo is None:
        value = value.replace(tzinfo=CST)
    return value.astimezone(UTC)


def _configured() -> str | None:
    try:
        from flask import current_app

        return current_app.config.get("CASEFLOW_NOW")
    except RuntimeError:
        return os.environ.get("CASEFLOW_NOW") or None


def now() -> datetime:
    """Return the current instant as an aware UTC datetime."""
    forced = _override.get()
    if forced is not None:
        return forced
    configured = _configured()
    if configured:
        return parse_instant(configured)
    return datetime.now(UTC)


def today() -> date:
    """Return today's date in China Standard Time."""
    return local(now()).date()


def local(value: datetime) -> datetime:
    """Convert an instant to China Standard Time for display."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(CST)


@contextlib.contextmanager
def frozen(at: datetime):
    """Freeze ``now()`` to ``at`` inside the block (sweep --now, tests)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=CST)
    token = _override.set(at.astimezone(UTC))
    try:
        yield
    finally:
        _override.reset(token)


def end_of_day(day: date) -> datetime:
    """The instant a deadline falling on ``day`` expires: midnight after it, CST, as UTC."""
    return datetime.combine(day, datetime.max.time(), tzinfo=CST).astimezone(UTC)
