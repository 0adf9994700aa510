"""The one ``transitions`` Machine for all cases, and the checks around firing it.

The machine is built once at import with ``model=None``; a case is fired with
``MACHINE.events[trigger].trigger(case, data=...)`` and is never registered with
``add_model`` (STYLE rule 4). The case only needs a ``state`` attribute (and an integer
``reject_count`` for the double-reject guard).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime
from typing import Any

from transitions import EventData, Machine, MachineError

from caseflow.errors import N_, Forbidden, InvalidField, InvalidTransition
from caseflow.states.definition import INITIAL, STATES, TRIGGERS, FieldSpec, Guard, TriggerSpec

_Condition = Callable[[EventData], bool]
_CONDITIONS: dict[Guard, _Condition] = {}
_TRUE = frozenset({"1", "true", "yes", "on", "y"})
_FALSE = frozenset({"0", "false", "no", "off", "n"})


def _condition(guard: Guard) -> _Condition:
    """Return the (shared) machine condition that evaluates ``guard`` on an event."""
    if guard in _CONDITIONS:
        return _CONDITIONS[guard]

    def check(event: EventData) -> bool:
        if guard.on == "case":
            value = getattr(event.model, guard.attribute, 0) or 0
            return isinstance(value, int) and value >= guard.at_least
        if event.kwargs.get("preview"):  # what-if previews have no form data yet
            return True
        value = (event.kwargs.get("data") or {}).get(guard.attribute)
        if isinstance(value, str):
            value = [part for part in value.replace(",", " ").split() if part]
        return isinstance(value, list | tuple | set) and len(value) >= guard.at_least

    check.__name__ = check.__qualname__ = f"guard_{guard.name}"
    _CONDITIONS[guard] = check
    return check


def _transitions() -> Iterator[dict[str, Any]]:
    """Yield the machine's transitions; a trigger with branches gets one per destination."""
    for spec in TRIGGERS.values():
        conditions = [_condition(g) for g in spec.conditions]
        taken: list[_Condition] = []
        for branch in spec.branches:
            when = _condition(branch.when)
            yield {"trigger": spec.name, "source": list(spec.sources), "dest": branch.dest,
                   "conditions": [*conditions, when], "unless": list(taken)}
            taken.append(when)
        yield {"trigger": spec.name, "source": list(spec.sources), "dest": spec.dest,
               "conditions": conditions, "unless": taken}


MACHINE = Machine(model=None, states=list(STATES), initial=INITIAL, transitions=list(_transitions()),
                  auto_transitions=False, send_event=True, name="case")


def _spec(trigger: str) -> TriggerSpec:
    """Return the definition of ``trigger`` or raise InvalidTransition for an unknown one."""
    try:
        return TRIGGERS[trigger]
    except (KeyError, TypeError):
        raise InvalidTransition(N_("Unknown action %(trigger)s."), trigger=str(trigger)) from None


def _check_state(state: object, trigger: str) -> str:
    """Return ``state`` if it is one of STATES, else raise InvalidTransition."""
    if not isinstance(state, str) or state not in STATES:
        raise InvalidTransition(N_("The case is in an unknown state %(state)s."), state=str(state),
                                trigger=trigger)
    return state


def _not_allowed(trigger: str, state: str) -> InvalidTransition:
    """The error for a trigger that cannot be fired from ``state``."""
    return InvalidTransition(N_("The action %(trigger)s is not allowed in state %(state)s."),
                             trigger=trigger, state=state)


def fire(case: Any, trigger: str, data: Mapping[str, Any] | None = None) -> str:
    """Fire ``trigger`` on ``case`` (only ``case.state`` changes) and return the new state."""
    _spec(trigger)
    state = _check_state(getattr(case, "state", None), trigger)
    try:
        done = MACHINE.events[trigger].trigger(case, data=dict(data or {}))
    except MachineError:
        raise _not_allowed(trigger, state) from None
    if not done:  # a condition failed: the machine left the state alone
        raise InvalidTransition(N_("The conditions for %(trigger)s are not met in state %(state)s."),
                                trigger=trigger, state=state)
    return case.state


def destination(state: str, trigger: str, case: Any, data: Mapping[str, Any] | None = None) -> str:
    """Return the state ``trigger`` would lead ``case`` to from ``state``, without firing it."""
    _spec(trigger)
    _check_state(state, trigger)
    event = MACHINE.events[trigger]
    kwargs: dict[str, Any] = {"data": dict(data)} if data is not None else {"preview": True}
    event_data = EventData(MACHINE.get_state(state), event, MACHINE, case, args=(), kwargs=kwargs)
    for transition in event.transitions.get(state, []):
        if all(condition.check(event_data) for condition in transition.conditions):
            return transition.dest
    raise _not_allowed(trigger, state)


def _may(spec: TriggerSpec, role: str, same_unit: bool) -> bool:
    """Whether ``role`` may fire ``spec`` for a case of its own unit (``same_unit``) or not."""
    return role in spec.roles and (same_unit or role not in spec.same_unit_roles)


def allowed_triggers(state: str, role: str, *, same_unit: bool) -> list[str]:
    """The triggers ``role`` may fire from ``state``, in TRIGGERS order."""
    return [name for name, spec in TRIGGERS.items() if state in spec.sources and _may(spec, role, same_unit)]


def check_permission(trigger: str, role: str, *, same_unit: bool) -> None:
    """Raise Forbidden unless ``role`` may fire ``trigger`` (own unit where required)."""
    spec = _spec(trigger)
    if role not in spec.roles:
        raise Forbidden(N_("Your role may not perform %(trigger)s."), trigger=trigger, role=role)
    if not _may(spec, role, same_unit):
        raise Forbidden(N_("You may perform %(trigger)s only for cases of your own unit."), trigger=trigger)


def _missing(value: Any) -> bool:
    """Whether a submitted value counts as not given."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, list | tuple | set) and not value


def _bad(spec: FieldSpec, message: str, **params: Any) -> InvalidField:
    """The error naming ``spec``'s field."""
    return InvalidField(message, field=spec.name, **params)


def _text(spec: FieldSpec, value: Any) -> str:
    if not isinstance(value, str):
        raise _bad(spec, N_("The field %(field)s must be text."))
    value = value.strip()
    if len(value) > spec.max_length:
        raise _bad(spec, N_("The field %(field)s is too long (at most %(max_length)s characters)."),
                   max_length=spec.max_length)
    return value


def _choice(spec: FieldSpec, value: Any) -> str:
    value = value.strip() if isinstance(value, str) else value
    if value not in spec.choices:
        raise _bad(spec, N_("The field %(field)s must be one of: %(choices)s."), choices=", ".join(spec.choices))
    return value


def _int(spec: FieldSpec, value: Any) -> int:
    if isinstance(value, str) and value.strip().lstrip("+-").isdigit():
        value = int(value.strip())
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise _bad(spec, N_("The field %(field)s must be a whole number."))
    if spec.min is not None and value < spec.min:
        raise _bad(spec, N_("The field %(field)s must be at least %(min)s."), min=spec.min)
    if spec.max is not None and value > spec.max:
        raise _bad(spec, N_("The field %(field)s must be at most %(max)s."), max=spec.max)
    return value


def _date(spec: FieldSpec, value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value.strip())
    except (AttributeError, TypeError, ValueError):
        raise _bad(spec, N_("The field %(field)s must be a date (YYYY-MM-DD).")) from None


def _datetime(spec: FieldSpec, value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    try:
        return datetime.fromisoformat(value.strip())
    except (AttributeError, TypeError, ValueError):
        raise _bad(spec, N_("The field %(field)s must be a date and time (ISO 8601).")) from None


def _id_list(spec: FieldSpec, value: Any) -> list[int]:
    items = value.replace(",", " ").split() if isinstance(value, str) else value
    if isinstance(items, int | str) or not isinstance(items, list | tuple | set):
        items = [items]
    ids: list[int] = []
    for item in items:
        if isinstance(item, str) and item.strip().isdigit():
            item = int(item.strip())
        if not isinstance(item, int) or isinstance(item, bool) or item < 1:
            raise _bad(spec, N_("The field %(field)s must be a list of record numbers."))
        if item not in ids:
            ids.append(item)
    return ids


def _bool(spec: FieldSpec, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise _bad(spec, N_("The field %(field)s must be yes or no."))


_PARSERS: dict[str, Callable[[FieldSpec, Any], Any]] = {
    "text": _text, "choice": _choice, "int": _int, "date": _date,
    "datetime": _datetime, "id_list": _id_list, "bool": _bool,
}


def validate(trigger: str, data: Mapping[str, Any] | None) -> dict[str, Any]:
    """Check and coerce ``data`` for ``trigger``; return the cleaned fields with defaults filled."""
    spec = _spec(trigger)
    data = data or {}
    cleaned: dict[str, Any] = {}
    for field in spec.fields:
        value = data.get(field.name)
        if not _missing(value):
            value = _PARSERS[field.kind](field, value)
        if _missing(value):
            if field.required:
                raise _bad(field, N_("The field %(field)s is required."))
            value = field.default if field.kind != "bool" else bool(field.default)
        cleaned[field.name] = value
    return cleaned
