"""The public grade board: no login, published annual grades only, in Chinese unless switched."""
from __future__ import annotations

from flask import Blueprint, g, render_template, session
from flask_login import current_user

from caseflow.errors import NotFound
from caseflow.models import UNIT_KINDS
from caseflow.selectors.public import grade_counts, published_grades, published_years
from caseflow.views.common import int_arg, str_arg

bp = Blueprint("public_board", __name__, url_prefix="/public")
PUBLIC_KINDS = dict(UNIT_KINDS)


@bp.before_request
def _chinese_unless_switched() -> None:
    """The public page speaks Chinese unless this visitor chose another language."""
    if not session.get("lang") and not getattr(current_user, "locale", None):
        g.forced_locale = "zh_CN"


@bp.route("/grades")
def grades():
    """Published annual grades per unit for a chosen year (grade only)."""
    years = published_years()
    year = int_arg("year", years[0] if years else None, lo=2000, hi=2100)
    if years and year not in years:
        raise NotFound()
    filters = {"q": str_arg("q"), "kind": str_arg("kind", PUBLIC_KINDS)}
    page = published_grades(year, page=int_arg("page", 1), **filters) if years else None
    return render_template("public_board/grades.html", years=years, year=year, page=page, filters=filters,
                           counts=grade_counts(year) if years else {}, kinds=PUBLIC_KINDS)
