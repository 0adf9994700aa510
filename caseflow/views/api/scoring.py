"""Scores API: a unit's explained index, what-if, the annual grades and award eligibility."""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from caseflow.errors import Forbidden
from caseflow.permissions import can, require, unit_scope
from caseflow.selectors.common import current_quarter
from caseflow.selectors.grades import grades_items, may_see_grades, status_of
from caseflow.selectors.scoring import unit_index, what_if
from caseflow.selectors.units import unit_get
from caseflow.services import grading
from caseflow.services.eligibility import AWARDS, eligibility
from caseflow.views.api.common import api_user, authenticated, document_errors

blp = Blueprint("api_scoring", __name__, url_prefix="/api/v1", description="Integrity index, grades, eligibility")


class PeriodArgs(Schema):
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))
    quarter = fields.Integer(validate=validate.Range(min=1, max=4))


class Dimensions(Schema):
    control = fields.Float(required=True)
    stakeholder = fields.Float(required=True)
    performance = fields.Float(required=True)
    incentive = fields.Float(required=True)
    integrity = fields.Float(required=True)


class Source(Schema):
    kind = fields.String(required=True)
    id = fields.Integer(required=True)


class EntrySchema(Schema):
    dimension = fields.String(required=True)
    points = fields.Float(required=True)
    reason = fields.String(required=True)
    detail = fields.String()
    source = fields.Nested(Source, allow_none=True, required=True)


class IndexSchema(Schema):
    unit_id = fields.Integer()
    year = fields.Integer()
    quarter = fields.Integer()
    index = fields.Float(allow_none=True, required=True)
    colour = fields.String(allow_none=True, required=True)
    dimensions = fields.Nested(Dimensions, required=True)
    entries = fields.List(fields.Nested(EntrySchema), required=True)
    scheme = fields.String()
    scheme_id = fields.Integer()
    detail = fields.String()
    stored = fields.Boolean()


@blp.route("/units/<int:unit_id>/index", methods=["GET"])
@authenticated
@blp.arguments(PeriodArgs, location="query")
@blp.response(200, IndexSchema)
@document_errors(blp, 401, 403, 404, 422)
def get_index(args: dict, unit_id: int):
    """A unit's index for a quarter (default: the current one) with every ledger entry."""
    user = api_user()
    require(user, "scores.read")
    unit = unit_get(user, unit_id)
    year, quarter = current_quarter()
    return unit_index(unit.id, args.get("year", year), args.get("quarter", quarter))


class WhatIfArgs(Schema):
    case_id = fields.Integer(required=True)
    outcome = fields.String(required=True, validate=validate.OneOf(["close_on_time", "escalate"]))


@blp.route("/units/<int:unit_id>/what-if", methods=["GET"])
@authenticated
@blp.arguments(WhatIfArgs, location="query")
@blp.response(200)
@document_errors(blp, 401, 403, 404, 409, 422)
def get_what_if(args: dict, unit_id: int):
    """The current quarter's index and colour if an open case were closed on time or escalated (changes nothing)."""
    user = api_user()
    require(user, "scores.what_if")
    unit = unit_get(user, unit_id)
    return what_if(unit.id, args["case_id"], args["outcome"])


class YearStatusSchema(Schema):
    year = fields.Integer(required=True)
    status = fields.String(required=True)
    scheme_id = fields.Integer(allow_none=True)
    computed_by_id = fields.Integer(allow_none=True)
    approved_by_id = fields.Integer(allow_none=True)
    published_by_id = fields.Integer(allow_none=True)


def _status(row) -> dict:
    return {"year": row.year, "status": row.status, "scheme_id": row.scheme_id, "computed_by_id": row.computed_by_id,
            "approved_by_id": row.approved_by_id, "published_by_id": row.published_by_id}


def _grade_action(name: str):
    def view(year: int):
        return _status(getattr(grading, f"grades_{name}")(year=year, actor=api_user()))

    view.__name__ = f"grades_{name}"
    view.__doc__ = {"compute": "Compute the year's grades as a preview (supervisor).",
                    "approve": "Approve computed grades (a supervisor other than the one who computed).",
                    "publish": "Publish approved grades: freeze the year and record the consequences."}[name]
    return view


for _name in ("compute", "approve", "publish"):
    blp.route(f"/years/<int:year>/grades/{_name}", methods=["POST"])(
        authenticated(blp.response(200, YearStatusSchema)(document_errors(blp, 401, 403, 409)(_grade_action(_name)))))


class GradeItem(Schema):
    unit_id = fields.Integer(required=True)
    index = fields.Float(required=True)
    grade = fields.String(required=True)
    colour = fields.String(required=True)


class GradesSchema(Schema):
    year = fields.Integer()
    status = fields.String(required=True)
    items = fields.List(fields.Nested(GradeItem), required=True)


@blp.route("/years/<int:year>/grades", methods=["GET"])
@authenticated
@blp.response(200, GradesSchema)
@document_errors(blp, 401, 403)
def list_grades(year: int):
    """The year's grades: before publication only for the commission; a unit leader sees their unit."""
    user = api_user()
    require(user, "scores.read")
    status = status_of(year).status
    if status != "published" and not may_see_grades(user, status) and unit_scope(user) is not None:
        raise Forbidden()
    items = [{"unit_id": r.unit_id, "index": float(r.index), "grade": r.grade, "colour": r.colour}
             for r, _unit in grades_items(user, year)]
    return {"year": year, "status": status, "items": items}


class EligibilityArgs(Schema):
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    award = fields.String(required=True, validate=validate.OneOf(list(AWARDS)))
    unit_id = fields.Integer()
    person = fields.String(validate=validate.Length(min=1, max=60))


class Reason(Schema):
    reason = fields.String(required=True)
    case_id = fields.Integer(allow_none=True)


class EligibilitySchema(Schema):
    year = fields.Integer(required=True)
    award = fields.String(required=True)
    unit_id = fields.Integer(allow_none=True)
    person = fields.String(allow_none=True)
    status = fields.String(required=True)
    eligible = fields.Boolean(allow_none=True, required=True)
    reasons = fields.List(fields.Nested(Reason), required=True)


@blp.route("/eligibility", methods=["GET"])
@authenticated
@blp.arguments(EligibilityArgs, location="query")
@blp.response(200, EligibilitySchema)
@document_errors(blp, 401, 403, 404, 422)
def get_eligibility(args: dict):
    """May this unit or person be nominated for the award in the year, and if not, why not."""
    user = api_user()
    require(user, "scores.read")
    if args.get("unit_id") is not None:
        unit_get(user, args["unit_id"])
    elif unit_scope(user) is not None or not can(user, "grades.preview"):
        raise Forbidden()
    return eligibility(year=args["year"], award=args["award"], unit_id=args.get("unit_id"), person=args.get("person"))
