"""Signals over the API: create (monitors' rapid reports and officers' records), list, one, assign, triage."""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from caseflow import clock
from caseflow.errors import N_, Forbidden, InvalidField
from caseflow.extensions import db
from caseflow.models import CATEGORIES, CHANNELS, SEVERITIES, SIGNAL_STATUSES, Unit, User
from caseflow.permissions import require
from caseflow.selectors.signals import QUEUES, UNTRIAGED, SignalFilters, signal_get, signals_page
from caseflow.services.signals import signal_assign, signal_file_rapid, signal_record, signal_triage
from caseflow.views.api.common import PageArgs, api_user, authenticated, document_errors

blp = Blueprint("api_signals", __name__, url_prefix="/api/v1/signals", description="Signals and their triage")


class SignalCreate(Schema):
    channel = fields.String(required=True, validate=validate.OneOf(list(CHANNELS)))
    unit_id = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1))
    unit_name_given = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120))
    discovered_on = fields.Date(load_default=None, allow_none=True)
    category = fields.String(required=True, validate=validate.OneOf(list(CATEGORIES)))
    summary = fields.String(required=True, validate=validate.Length(min=1, max=200))
    details = fields.String(load_default="", validate=validate.Length(max=10000))
    source_details = fields.Dict(keys=fields.String(), values=fields.String(), load_default=dict,
                                 metadata={"description": "per channel: call_time, letter_number, visit_record, "
                                                          "post_url, audit_reference or source_note"})
    reporter_contact = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=400),
                                     metadata={"description": "protected; never returned by the API"})


class SignalSchema(Schema):
    id = fields.Integer(required=True)
    number = fields.String(required=True)
    channel = fields.String(required=True)
    unit_id = fields.Integer(allow_none=True, required=True)
    unit_name = fields.String(allow_none=True)
    unit_name_given = fields.String(allow_none=True)
    station_id = fields.Integer(allow_none=True)
    discovered_on = fields.Date(allow_none=True)
    received_at = fields.DateTime(required=True)
    category = fields.String(required=True)
    summary = fields.String(required=True)
    details = fields.String()
    source_details = fields.Dict()
    anonymous = fields.Boolean()
    status = fields.String(required=True)
    late = fields.Boolean(required=True)
    handling_due = fields.Date(allow_none=True, required=True)
    overdue = fields.Boolean(required=True)
    department = fields.String(allow_none=True)
    officer_id = fields.Integer(allow_none=True)
    case_id = fields.Integer(allow_none=True, required=True)
    outcome_reason = fields.String(allow_none=True)


class SignalArgs(PageArgs):
    queue = fields.String(validate=validate.OneOf(QUEUES), load_default="all")
    status = fields.String(validate=validate.OneOf(list(SIGNAL_STATUSES)))
    channel = fields.String(validate=validate.OneOf(list(CHANNELS)))
    category = fields.String(validate=validate.OneOf(list(CATEGORIES)))
    unit_id = fields.Integer(validate=validate.Range(min=1))
    station_id = fields.Integer(validate=validate.Range(min=1))
    received_from = fields.Date()
    received_to = fields.Date()


class SignalPage(Schema):
    items = fields.List(fields.Nested(SignalSchema), required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer()


class AssignRequest(Schema):
    department = fields.String(required=True, validate=validate.Length(min=1, max=80))
    handler_id = fields.Integer(required=True)


class TriageRequest(Schema):
    action = fields.String(required=True, validate=validate.OneOf(["open_case", "link", "reject"]))
    case_id = fields.Integer(load_default=None, allow_none=True, metadata={"description": "link"})
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000),
                           metadata={"description": "reject"})
    title = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200),
                          metadata={"description": "open_case"})
    severity = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(list(SEVERITIES)),
                             metadata={"description": "open_case (optional)"})
    unit_id = fields.Integer(load_default=None, allow_none=True,
                             metadata={"description": "open_case: the unit when the signal names none"})
    category = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(list(CATEGORIES)),
                             metadata={"description": "open_case (default: the signal's)"})


class TriageResponse(Schema):
    signal = fields.Nested(SignalSchema, required=True)
    case_id = fields.Integer(allow_none=True, required=True)


def serialize_signal(signal) -> dict:
    """A signal as the API shows it; the reporter's contact is never included."""
    return {
        "id": signal.id, "number": signal.number, "channel": signal.channel, "unit_id": signal.unit_id,
        "unit_name": signal.unit.name if signal.unit else None, "unit_name_given": signal.unit_name_given,
        "station_id": signal.station_id, "discovered_on": signal.discovered_on, "received_at": signal.received_at,
        "category": signal.category, "summary": signal.summary, "details": signal.details,
        "source_details": signal.source_details or {}, "anonymous": signal.anonymous, "status": signal.status,
        "late": signal.late, "handling_due": signal.handling_due,
        "overdue": bool(signal.status in UNTRIAGED and signal.handling_due and signal.handling_due < clock.today()),
        "department": signal.department, "officer_id": signal.officer_id, "case_id": signal.case_id,
        "outcome_reason": signal.outcome_reason,
    }


def _unit(unit_id, field: str = "unit_id") -> Unit | None:
    if unit_id is None:
        return None
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        raise InvalidField(N_("The field %(field)s names no unit."), field=field)
    return unit


@blp.route("", methods=["POST"])
@authenticated
@blp.arguments(SignalCreate)
@blp.response(201, SignalSchema)
@document_errors(blp, 401, 403, 422)
def create_signal(body: dict):
    """Create a signal: a monitor's rapid report for their area, or an officer's record of a channel."""
    user = api_user()
    if user.role == "monitor":
        if body["channel"] != "monitoring_station":
            raise Forbidden(N_("Monitors file rapid reports through the channel monitoring_station."))
        unit = _unit(body["unit_id"])
        if unit is None:
            raise InvalidField(N_("The field %(field)s is required."), field="unit_id")
        signal = signal_file_rapid(monitor=user, unit=unit, category=body["category"],
                                   discovered_on=body["discovered_on"], summary=body["summary"],
                                   details=body["details"], files=None)
    else:
        require(user, "signals.record")
        signal = signal_record(officer=user, channel=body["channel"], unit=_unit(body["unit_id"]),
                               unit_name_given=body["unit_name_given"], discovered_on=body["discovered_on"],
                               category=body["category"], summary=body["summary"], details=body["details"],
                               source_details=body["source_details"], files=None,
                               reporter_contact=body["reporter_contact"])
    return serialize_signal(signal)


@blp.route("", methods=["GET"])
@authenticated
@blp.arguments(SignalArgs, location="query")
@blp.response(200, SignalPage)
@document_errors(blp, 401, 403, 422)
def list_signals(args: dict):
    """List signals with filters; monitors see their own reports, unit leaders none."""
    user = api_user()
    filters = SignalFilters(**{k: args.get(k) for k in ("queue", "status", "channel", "category", "unit_id",
                                                           "station_id", "received_from", "received_to")})
    page = signals_page(user, filters, page=args["page"], per_page=args["per_page"])
    return {"items": [serialize_signal(s) for s in page.items], "total": page.total, "page": page.page,
            "per_page": page.per_page}


@blp.route("/<int:signal_id>", methods=["GET"])
@authenticated
@blp.response(200, SignalSchema)
@document_errors(blp, 401, 403, 404)
def get_signal(signal_id: int):
    """One signal."""
    return serialize_signal(signal_get(api_user(), signal_id))


@blp.route("/<int:signal_id>/assign", methods=["POST"])
@authenticated
@blp.arguments(AssignRequest)
@blp.response(200, SignalSchema)
@document_errors(blp, 401, 403, 404, 409, 422)
def assign_signal(body: dict, signal_id: int):
    """Assign the handling department and officer."""
    user = api_user()
    signal = signal_get(user, signal_id)
    handler = db.session.get(User, body["handler_id"])
    signal_assign(signal=signal, officer=user, department=body["department"], handler=handler)
    return serialize_signal(signal)


@blp.route("/<int:signal_id>/triage", methods=["POST"])
@authenticated
@blp.arguments(TriageRequest)
@blp.response(200, TriageResponse)
@document_errors(blp, 401, 403, 404, 409, 422)
def triage_signal(body: dict, signal_id: int):
    """Open a case from the signal, link it to an open case of its unit, or reject it with a reason."""
    user = api_user()
    require(user, "signals.triage")
    signal = signal_get(user, signal_id)
    signal = signal_triage(signal=signal, actor=user, action=body["action"], case_id=body["case_id"],
                           reason=body["reason"], title=body["title"], severity=body["severity"],
                           unit=_unit(body["unit_id"]), category=body["category"])
    return {"signal": serialize_signal(signal), "case_id": signal.case_id}
