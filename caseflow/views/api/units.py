"""Units: list with filters and one unit; a unit leader sees only their own."""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from caseflow.models import UNIT_KINDS
from caseflow.permissions import require
from caseflow.selectors.units import current_result, unit_get, units_page
from caseflow.views.api.common import PageArgs, api_user, as_dumped, authenticated, document_errors

blp = Blueprint("api_units", __name__, url_prefix="/api/v1/units", description="Units under supervision")


class UnitArgs(PageArgs):
    kind = fields.String(validate=validate.OneOf(list(UNIT_KINDS)))
    q = fields.String(validate=validate.Length(max=100))


class UnitSchema(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    colour = fields.String(allow_none=True, required=True)
    index = fields.Float(allow_none=True)
    parent_id = fields.Integer(allow_none=True)
    peer_group = fields.String()
    headcount = fields.Integer()
    principal_leader = fields.String(allow_none=True)


class UnitPage(Schema):
    items = fields.List(fields.Nested(UnitSchema), required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer()


def serialize_unit(unit, colour=None, index=None) -> dict:
    """A unit as the API shows it."""
    return {
        "id": unit.id, "code": unit.code, "name": unit.name, "kind": unit.kind,
        "colour": colour, "index": float(index) if index is not None else None,
        "parent_id": unit.parent_id, "peer_group": unit.peer_group, "headcount": unit.headcount,
        "principal_leader": unit.principal_leader,
    }


@blp.route("", methods=["GET"])
@authenticated
@blp.arguments(UnitArgs, location="query")
@blp.response(200, UnitPage)
@document_errors(blp, 401, 403, 422)
def list_units(args: dict):
    """List units, filtered by kind and a name/code search."""
    user = api_user()
    require(user, "units.read")
    page = units_page(user, kind=args.get("kind"), q=args.get("q"), page=args["page"], per_page=args["per_page"],
                      with_town=False)  # the API shows parent_id, not the town's row
    return as_dumped({
        "items": [serialize_unit(u, c, i) for u, c, i in page.items],
        "total": page.total, "page": page.page, "per_page": page.per_page,
    })


@blp.route("/<int:unit_id>", methods=["GET"])
@authenticated
@blp.response(200, UnitSchema)
@document_errors(blp, 401, 403, 404)
def get_unit(unit_id: int):
    """One unit with its current colour."""
    user = api_user()
    unit = unit_get(user, unit_id)
    result = current_result(unit.id)
    return serialize_unit(unit, result.colour if result else None, result.index if result else None)
