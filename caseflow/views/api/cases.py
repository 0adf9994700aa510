"""Cases over the API: list with filters, one case, evidence uploads, transitions."""
from __future__ import annotations

from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import EXCLUDE, Schema, fields, validate

from caseflow.errors import Forbidden, InvalidField
from caseflow.models import Case
from caseflow.permissions import require
from caseflow.selectors.cases import case_documents, case_events, case_get, cases_page, triggers_for
from caseflow.services.attachments import attachment_save
from caseflow.services.cases import case_transition
from caseflow.services.deadlines import deadlines_of
from caseflow.states import STATES, TRIGGERS
from caseflow.views.api.common import PageArgs, api_user, as_dumped, authenticated, document_errors

blp = Blueprint("api_cases", __name__, url_prefix="/api/v1/cases", description="Cases and their transitions")


class CaseArgs(PageArgs):
    state = fields.String(validate=validate.OneOf(list(STATES)))
    unit_id = fields.Integer(validate=validate.Range(min=1))
    overdue = fields.Boolean()


class DeadlineSchema(Schema):
    kind = fields.String(required=True, metadata={"description": "acknowledge / rectify / verify"})
    due = fields.Date(required=True)
    workdays_left = fields.Integer(required=True, metadata={"description": "negative when overdue"})
    overdue = fields.Boolean(required=True)
    calendar_covered = fields.Boolean(required=True)


class EventSchema(Schema):
    seq = fields.Integer(required=True)
    trigger = fields.String(required=True)
    from_state = fields.String(allow_none=True, required=True)
    to_state = fields.String(required=True)
    actor_id = fields.Integer(allow_none=True, required=True)
    actor_role = fields.String(required=True)
    at = fields.DateTime(required=True)
    data = fields.Dict(required=True)
    hash = fields.String(required=True)


class DocumentRef(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    number = fields.String(allow_none=True, required=True)


class CaseSummary(Schema):
    id = fields.Integer(required=True)
    number = fields.String(required=True)
    unit_id = fields.Integer(required=True)
    unit_name = fields.String()
    title = fields.String()
    category = fields.String()
    severity = fields.String(allow_none=True)
    origin = fields.String()
    state = fields.String(required=True)
    version = fields.Integer(required=True)
    handler_id = fields.Integer(allow_none=True)
    opened_at = fields.DateTime()
    overdue = fields.Boolean()
    deadlines = fields.List(fields.Nested(DeadlineSchema), required=True)


class CaseDetail(CaseSummary):
    allowed_triggers = fields.List(fields.String(), required=True)
    events = fields.List(fields.Nested(EventSchema), required=True)
    documents = fields.List(fields.Nested(DocumentRef), required=True)


class CasePage(Schema):
    items = fields.List(fields.Nested(CaseSummary), required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer()


def _field_doc(name: str) -> str:
    used = [t.name for t in TRIGGERS.values() if any(f.name == name for f in t.fields)]
    return "Field of: " + ", ".join(used)


_FIELD_NAMES = sorted({f.name for t in TRIGGERS.values() for f in t.fields})
TransitionArgs = Schema.from_dict(
    {"trigger": fields.String(required=True, metadata={"enum": list(TRIGGERS)}),
     "version": fields.Integer(required=True, metadata={"description": "the case version you saw"}),
     **{name: fields.Raw(allow_none=True, metadata={"description": _field_doc(name)}) for name in _FIELD_NAMES}},
    name="TransitionArgs",
)
TransitionArgs.Meta.unknown = EXCLUDE  # type: ignore[attr-defined]


class UploadArgs(Schema):
    file = Upload(required=True)


class AttachmentOut(Schema):
    id = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    size = fields.Integer(required=True)
    filename = fields.String()
    content_type = fields.String()


def serialize_case(case: Case) -> dict:
    """A case as the list shows it."""
    deadlines = [{"kind": d.kind, "due": d.due, "workdays_left": d.left, "overdue": d.overdue,
                  "calendar_covered": d.covered} for d in deadlines_of(case)]
    return {"id": case.id, "number": case.number, "unit_id": case.unit_id, "unit_name": case.unit.name,
            "title": case.title, "category": case.category, "severity": case.severity, "origin": case.origin,
            "state": case.state, "version": case.version, "handler_id": case.handler_id,
            "opened_at": case.opened_at, "overdue": any(d["overdue"] for d in deadlines), "deadlines": deadlines}


def _iso(value):
    return value.isoformat() if value is not None else None


def summary_dumped(case: Case) -> dict:
    """``serialize_case`` as ``CaseSummary`` dumps it (dates and instants in ISO 8601, every other value
    already plain JSON), built directly for the list."""
    out = serialize_case(case)
    out["opened_at"] = _iso(out["opened_at"])
    out["deadlines"] = [{**d, "due": _iso(d["due"])} for d in out["deadlines"]]
    return out


def serialize_detail(case: Case, user) -> dict:
    """A case with its events, documents and the triggers ``user`` may fire now."""
    out = serialize_case(case)
    out["allowed_triggers"] = triggers_for(user, case)
    out["events"] = [{"seq": e.seq, "trigger": e.trigger, "from_state": e.from_state, "to_state": e.to_state,
                      "actor_id": e.actor_id, "actor_role": e.actor_role, "at": e.at, "data": e.data or {},
                      "hash": e.hash} for e in case_events(case.id)]
    out["documents"] = [{"id": d.id, "kind": d.kind, "number": d.number} for d in case_documents(case.id)]
    return out


@blp.route("", methods=["GET"])
@authenticated
@blp.arguments(CaseArgs, location="query")
@blp.response(200, CasePage)
@document_errors(blp, 401, 403, 422)
def list_cases(args: dict):
    """List the cases the caller may see; unit leaders see only their unit's."""
    user = api_user()
    page = cases_page(user, state=args.get("state"), unit_id=args.get("unit_id"), overdue=args.get("overdue"),
                      page=args["page"], per_page=args["per_page"])
    return as_dumped({"items": [summary_dumped(c) for c in page.items], "total": page.total, "page": page.page,
                      "per_page": page.per_page})


@blp.route("/<int:case_id>", methods=["GET"])
@authenticated
@blp.response(200, CaseDetail)
@document_errors(blp, 401, 403, 404)
def get_case(case_id: int):
    """One case with its deadlines, events, documents and the caller's allowed triggers."""
    user = api_user()
    return serialize_detail(case_get(user, case_id), user)


@blp.route("/<int:case_id>/attachments", methods=["POST"])
@authenticated
@blp.arguments(UploadArgs, location="files")
@blp.response(201, AttachmentOut)
@document_errors(blp, 401, 403, 404, 413, 422)
def upload_attachment(files: dict, case_id: int):
    """Upload an evidence file (PDF, JPEG, PNG, DOCX, XLSX or plain text, checked by content)."""
    user = api_user()
    require(user, "cases.upload")
    case = case_get(user, case_id)
    upload = files["file"]
    row = attachment_save(content=upload.read(), filename=upload.filename, actor=user, case=case)
    return {"id": row.id, "sha256": row.sha256, "size": row.size, "filename": row.filename,
            "content_type": row.content_type}


@blp.route("/<int:case_id>/transitions", methods=["POST"])
@authenticated
@blp.arguments(TransitionArgs)
@blp.response(200, CaseDetail)
@document_errors(blp, 401, 403, 404, 409, 422)
def post_transition(body: dict, case_id: int):
    """Fire a trigger with its fields; ``version`` must be the version you saw (else 409 version_conflict)."""
    user = api_user()
    case = case_get(user, case_id)
    if not isinstance(body.get("trigger"), str):
        raise InvalidField(field="trigger")
    if user.role not in {r for t in TRIGGERS.values() for r in t.roles}:
        raise Forbidden()
    data = {k: v for k, v in body.items() if k not in ("trigger", "version")}
    case = case_transition(case=case, trigger=body["trigger"], actor=user, data=data,
                           expected_version=body["version"])
    return serialize_detail(case, user)
