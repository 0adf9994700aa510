"""Transition hooks: what other areas do inside a case transition's transaction.

``case_transition`` builds a ``TransitionContext`` after the machine has fired and the event
row exists, then calls ``on_transition(ctx)`` of every module named in ``HOOK_MODULES``, in
order, inside the same transaction. A hook may add rows (ledger entries, documents,
notifications) to the session and append to ``ctx.documents`` / ``ctx.notifications``; it
must not commit. Raising aborts the whole transition. Work that must wait until after the
commit (sending e-mail) goes into ``ctx.after_commit``.

``case_transitions`` (a batch of cases, one transaction) calls ``run_transition_hooks_many``:
a module's ``on_transitions(ctxs)`` when it has one, else its ``on_transition`` for each
context in turn. A batch hook must leave the same rows as
the one-by-one calls.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Order matters: the ledger first (documents may quote scores), then documents, then
# notifications. An area adds its module here once its ``on_transition`` works.
HOOK_MODULES: tuple[str, ...] = (
    "caseflow.services.ledger",
    "caseflow.services.documents",
    "caseflow.notifications",
)


@dataclass
class TransitionContext:
    """Everything a hook needs to know about one transition."""

    case: Any
    event: Any
    trigger: str
    actor: Any | None
    actor_role: str
    data: dict
    from_state: str
    to_state: str
    at: datetime
    attachment_ids: list[int] = field(default_factory=list)  # the evidence linked to ``event``
    documents: list[Any] = field(default_factory=list)
    notifications: list[Any] = field(default_factory=list)
    after_commit: list[Callable[[], None]] = field(default_factory=list)


def _hooks() -> list[Callable[[TransitionContext], None]]:
    hooks = []
    for name in HOOK_MODULES:
        module = importlib.import_module(name)
        hooks.append(module.on_transition)
    return hooks


def run_transition_hooks(ctx: TransitionContext) -> None:
    """Call every hook with the context, in order."""
    for hook in _hooks():
        hook(ctx)


def run_transition_hooks_many(ctxs: list[TransitionContext]) -> None:
    """Call every hook for a batch of contexts (one transaction), in ``HOOK_MODULES`` order."""
    if not ctxs:
        return
    for name in HOOK_MODULES:
        module = importlib.import_module(name)
        batch = getattr(module, "on_transitions", None)
        if batch is not None:
            batch(ctxs)
        else:
            for ctx in ctxs:
                module.on_transition(ctx)
