"""A short-lived per-process cache for the heavy aggregates of the dashboards and analysis pages.

The board and every count a user acts on stay live; monthly signal charts, time-to-rectify,
overdue-by-town and the analysis of a period may be up to ``DISPLAY_CACHE_SECONDS`` old
(0 turns the cache off, as in the tests).
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from flask import current_app

from caseflow.extensions import db

_store: dict[tuple, tuple[float, Any]] = {}
_lock = threading.Lock()
MAX_ENTRIES = 256


def cached(name: str, args: tuple, compute: Callable[[], Any]) -> Any:
    """``compute()``, or its value from the last ``DISPLAY_CACHE_SECONDS`` seconds for the same database."""
    ttl = float(current_app.config.get("DISPLAY_CACHE_SECONDS", 0) or 0)
    if ttl <= 0:
        return compute()
    key = (str(db.engine.url), name, args)
    now = time.monotonic()
    with _lock:
        hit = _store.get(key)
        if hit and hit[0] > now:
            return hit[1]
    value = compute()
    with _lock:
        if len(_store) >= MAX_ENTRIES:
            _store.clear()
        _store[key] = (now + ttl, value)
    return value
