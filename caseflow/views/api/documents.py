"""Documents over the API: the issued file as PDF, DOCX or the printable HTML page (pinned route)."""
from __future__ import annotations

from flask import request
from flask_smorest import Blueprint

from caseflow.documents import FORMATS
from caseflow.selectors.documents import document_get
from caseflow.services.documents import document_download
from caseflow.views.api.common import api_user, authenticated, document_errors
from caseflow.views.documents import file_response, requested_format

blp = Blueprint("api_documents", __name__, url_prefix="/api/v1/documents", description="Issued official documents")


@blp.route("/<int:document_id>", methods=["GET"])
@authenticated
@blp.doc(parameters=[{"in": "query", "name": "format", "schema": {"type": "string", "enum": list(FORMATS),
                                                                  "default": "pdf"}}],
         responses={"200": {"description": "The document file, with a Content-Disposition filename",
                            "content": {ct: {"schema": {"type": "string", "format": "binary"}}
                                        for ct in FORMATS.values()}}})
@document_errors(blp, 401, 403, 404, 422)
def get_document(document_id: int):
    """Download an issued document; 404 unknown, 403 not yours to see, 422 for an unknown format."""
    user = api_user()
    document = document_get(user, document_id)
    fmt = requested_format()
    data = document_download(document=document, fmt=fmt, user=user, address=request.remote_addr)
    return file_response(document, data, fmt, inline=False)
