"""Documents over the API: the list the caller may see, and the issued file (pinned route)."""
from __future__ import annotations

from flask import request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from caseflow.documents import FORMATS, KINDS
from caseflow.selectors.documents import document_get, documents_page
from caseflow.services.documents import document_download
from caseflow.views.api.common import PageArgs, api_user, authenticated, document_errors
from caseflow.views.documents import file_response, requested_format

blp = Blueprint("api_documents", __name__, url_prefix="/api/v1/documents", description="Issued official documents")


class DocumentArgs(PageArgs):
    kind = fields.String(validate=validate.OneOf(list(KINDS)))
    year = fields.Integer(validate=validate.Range(min=2000, max=2100), metadata={"description": "year of issue"})
    unit_id = fields.Integer(validate=validate.Range(min=1))


class DocumentOut(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    number = fields.String(allow_none=True, required=True)
    version = fields.Integer(required=True)
    supersedes_id = fields.Integer(allow_none=True)
    correction_reason = fields.String(allow_none=True)
    title = fields.String(required=True)
    year = fields.Integer(required=True)
    period = fields.String(allow_none=True)
    unit_id = fields.Integer(allow_none=True)
    unit_name = fields.String(allow_none=True)
    case_id = fields.Integer(allow_none=True)
    sha256 = fields.String(required=True)
    created_at = fields.DateTime(required=True)


class DocumentPage(Schema):
    items = fields.List(fields.Nested(DocumentOut), required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer()


@blp.route("", methods=["GET"])
@authenticated
@blp.arguments(DocumentArgs, location="query")
@blp.response(200, DocumentPage)
@document_errors(blp, 401, 403, 422)
def list_documents(args: dict):
    """The latest version of each document the caller may see, newest first; unit leaders see their unit's."""
    page = documents_page(api_user(), kind=args.get("kind"), year=args.get("year"), unit_id=args.get("unit_id"),
                          page=args["page"], per_page=args["per_page"])
    items = [{**{k: getattr(d, k) for k in DocumentOut().fields if k != "unit_name"}, "unit_name": unit_name}
             for d, unit_name in page.items]
    return {"items": items, "total": page.total, "page": page.page, "per_page": page.per_page}


@blp.route("/<int:document_id>", methods=["GET"])
@authenticated
@blp.doc(parameters=[{"in": "query", "name": "format", "schema": {"type": "string", "enum": list(FORMATS),
                                                                  "default": "pdf"}}],
         responses={"200": {"description": "The document file, with a Content-Disposition filename",
                            "content": {ct: {"schema": {"type": "string", "format": "binary"}}
                                        for ct in FORMATS.values()}}})
@document_errors(blp, 401, 403, 404, 409, 422)
def get_document(document_id: int):
    """Download an issued document: 404 unknown, 403 not yours to see, 422 unknown format,
    409 ``document_integrity`` when the stored document no longer matches its hash."""
    user = api_user()
    document = document_get(user, document_id)
    fmt = requested_format()
    data = document_download(document=document, fmt=fmt, user=user, address=request.remote_addr)
    return file_response(document, data, fmt, inline=False)
