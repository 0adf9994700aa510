"""POST /api/v1/tokens: exchange a username and password for a bearer token."""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from caseflow.extensions import limiter
from caseflow.services.accounts import authenticate, token_issue
from caseflow.views.api.common import document_errors

blp = Blueprint("api_tokens", __name__, url_prefix="/api/v1/tokens", description="Bearer tokens")


class TokenRequest(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256))


class TokenResponse(Schema):
    token = fields.String(required=True)


@blp.route("", methods=["POST"])
@limiter.limit(lambda: __import__("flask").current_app.config["LOGIN_RATE_LIMIT"])
@blp.arguments(TokenRequest)
@blp.response(201, TokenResponse)
@document_errors(blp, 401, 422, 429)
@blp.doc(security=[])
def create_token(body: dict):
    """Issue a bearer token for valid credentials."""
    user = authenticate(body["username"], body["password"])
    return {"token": token_issue(user=user)}
