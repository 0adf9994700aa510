"""Anonymous public complaints (no login): file one, read its status and replies by receipt, add information."""
from __future__ import annotations

from flask import current_app, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from caseflow.errors import TooLarge
from caseflow.extensions import limiter
from caseflow.models import CATEGORIES
from caseflow.services.complaints import (
    CONTACT_MAX,
    DETAILS_MAX,
    PUBLIC_STATUSES,
    REPLY_MAX,
    UNIT_NAME_MAX,
    complaint_add_info,
    complaint_file,
    complaint_lookup,
    public_replies,
)
from caseflow.views.api.common import document_errors
from caseflow.views.public import COMPLAINT_SCOPE, complaint_limit, lookup_limit

blp = Blueprint("api_public", __name__, url_prefix="/api/v1/public", description="Anonymous public complaints")


class ComplaintRequest(Schema):
    unit_name = fields.String(required=True, validate=validate.Length(min=1, max=UNIT_NAME_MAX))
    category = fields.String(required=True, validate=validate.OneOf(list(CATEGORIES)))
    details = fields.String(required=True, validate=validate.Length(min=1, max=DETAILS_MAX))
    contact = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=CONTACT_MAX))


class ReceiptResponse(Schema):
    receipt = fields.String(required=True, metadata={"description": "16 characters; shown once, keep it"})


class PublicReply(Schema):
    at = fields.DateTime(required=True)
    author = fields.String(required=True, metadata={"description": "`officer` or `reporter`"})
    body = fields.String(required=True)


class ComplaintStatus(Schema):
    number = fields.String(required=True)
    status = fields.String(required=True)
    status_label = fields.String(required=True)
    received_at = fields.DateTime(required=True)
    category = fields.String(required=True)
    unit_name = fields.String(allow_none=True)
    replies = fields.List(fields.Nested(PublicReply), required=True)


class AddInfoRequest(Schema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=REPLY_MAX))


@blp.before_request
def _size_guard() -> None:
    """Refuse oversized bodies before they are parsed."""
    if request.method != "POST":
        return
    limit = current_app.config["PUBLIC_COMPLAINT_MAX_BYTES"]
    if (request.content_length or 0) > limit:
        raise TooLarge()


def serialize_status(signal) -> dict:
    """What the public may know of a complaint: status and replies, nothing about the reporter."""
    from flask_babel import gettext as _

    return {
        "number": signal.number, "status": signal.status, "status_label": _(PUBLIC_STATUSES[signal.status]),
        "received_at": signal.received_at, "category": signal.category, "unit_name": signal.unit_name_given,
        "replies": [{"at": r.created_at, "author": "reporter" if r.from_reporter else "officer", "body": r.body}
                    for r in public_replies(signal)],
    }


@blp.route("/complaints", methods=["POST"])
@limiter.shared_limit(complaint_limit, COMPLAINT_SCOPE)
@blp.arguments(ComplaintRequest)
@blp.response(201, ReceiptResponse)
@document_errors(blp, 413, 422, 429)
@blp.doc(security=[])
def file_complaint(body: dict):
    """File an anonymous complaint; the receipt code in the answer is the only way to follow it."""
    _signal, receipt = complaint_file(unit_name=body["unit_name"], category=body["category"],
                                      details=body["details"], contact=body.get("contact"))
    return {"receipt": receipt}


@blp.route("/complaints/<string:receipt>", methods=["GET"])
@limiter.limit(lookup_limit)
@blp.response(200, ComplaintStatus)
@document_errors(blp, 404, 429)
@blp.doc(security=[])
def complaint_status(receipt: str):
    """The complaint's status and the officers' replies; 404 alike for unknown and malformed codes."""
    return serialize_status(complaint_lookup(receipt))


@blp.route("/complaints/<string:receipt>/replies", methods=["POST"])
@limiter.limit(lookup_limit)
@blp.arguments(AddInfoRequest)
@blp.response(201, ComplaintStatus)
@document_errors(blp, 404, 422, 429)
@blp.doc(security=[])
def add_information(body: dict, receipt: str):
    """The reporter adds information to the complaint."""
    complaint_add_info(receipt=receipt, body=body["body"])
    return serialize_status(complaint_lookup(receipt))
