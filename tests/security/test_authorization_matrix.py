"""Authorization matrix: every route of the URL map × every role plus anonymous.

Routes are enumerated from ``app.url_map`` (all endpoints but ``static``), so a new route
fails ``test_every_route_is_in_the_table`` until it is given an expectation here. URL
parameters point at objects of unit B; the unit leader leads unit A and the monitor's
station watches unit A, so their rows test object-level scope.

Answer classes:
- ``allow``: 2xx/3xx (not a redirect to the login page), or a form error 400/409/422 for
  an empty POST — never 401/403/404/500;
- ``deny``: 403 or 404; for anonymous, a redirect to the login page or 401;
- a 5xx is always a failure.
"""
from __future__ import annotations

import io
import re

import pytest

from caseflow import clock
from caseflow.extensions import limiter
from caseflow.services.eligibility import AWARDS
from caseflow.services.input_kinds import KINDS
from tests.conftest import csrf_token
from tests.security.conftest import ROLES, bearer, login

ANON = "anonymous"
ALL_ROLES = frozenset(ROLES)
PUBLIC = "public"
# Shorthands for the roles an answer is `allow` for (everyone else: `deny`).
AD, OF, SU, UL, MO, AU = "admin", "officer", "supervisor", "unit_leader", "monitor", "auditor"
LOGGED_IN = ALL_ROLES
STAFF = frozenset({OF, SU})

# (method, rule) -> PUBLIC or the set of roles allowed. Object parameters point at unit B.
EXPECT: dict[tuple[str, str], object] = {
    ("GET", "/"): LOGGED_IN,
    ("GET", "/access-log"): {SU},
    ("GET", "/account/password"): LOGGED_IN,
    ("POST", "/account/password"): LOGGED_IN,
    ("GET", "/admin/calendar"): {AD},
    ("POST", "/admin/calendar"): {AD},
    ("GET", "/admin/stations"): {AD},
    ("GET", "/admin/stations/<int:station_id>"): {AD},
    ("POST", "/admin/stations/<int:station_id>"): {AD},
    ("GET", "/admin/stations/new"): {AD},
    ("POST", "/admin/stations/new"): {AD},
    ("GET", "/admin/units/<int:unit_id>/edit"): {AD},
    ("POST", "/admin/units/<int:unit_id>/edit"): {AD},
    ("GET", "/admin/units/new"): {AD},
    ("POST", "/admin/units/new"): {AD},
    ("GET", "/admin/users"): {AD},
    ("GET", "/admin/users/<int:user_id>"): {AD},
    ("POST", "/admin/users/<int:user_id>"): {AD},
    ("POST", "/admin/users/<int:user_id>/active"): {AD},
    ("POST", "/admin/users/<int:user_id>/password"): {AD},
    ("GET", "/admin/users/new"): {AD},
    ("POST", "/admin/users/new"): {AD},
    ("GET", "/analysis/half-year"): {OF, SU, AU},
    ("GET", "/analysis/quarterly"): {OF, SU, AU},
    # --- API (bearer tokens) ---
    ("GET", "/api/v1/cases"): {OF, SU, UL, AU},
    ("GET", "/api/v1/cases/<int:case_id>"): {OF, SU, AU},
    ("POST", "/api/v1/cases/<int:case_id>/attachments"): {OF, SU},
    ("POST", "/api/v1/cases/<int:case_id>/transitions"): {OF, SU},
    ("GET", "/api/v1/documents"): {AD, OF, SU, UL, AU},
    # A case's documents are case data: not for the administrator (units/users/schemes only).
    ("GET", "/api/v1/documents/<int:document_id>"): {OF, SU, AU},
    ("GET", "/api/v1/eligibility"): {AD, OF, SU, AU},  # asked about unit B
    ("GET", "/api/v1/openapi.json"): PUBLIC,
    ("POST", "/api/v1/public/complaints"): PUBLIC,
    ("GET", "/api/v1/public/complaints/<string:receipt>"): PUBLIC,
    ("POST", "/api/v1/public/complaints/<string:receipt>/replies"): PUBLIC,
    ("POST", "/api/v1/signals"): {OF, SU},  # a hotline record: monitors file monitoring_station reports only
    ("GET", "/api/v1/signals"): {OF, SU, MO, AU},
    ("GET", "/api/v1/signals/<int:signal_id>"): {OF, SU, AU},
    ("POST", "/api/v1/signals/<int:signal_id>/assign"): {OF, SU},
    ("POST", "/api/v1/signals/<int:signal_id>/triage"): {OF, SU},
    ("POST", "/api/v1/tokens"): PUBLIC,
    ("GET", "/api/v1/units"): {AD, OF, SU, UL, AU},
    ("GET", "/api/v1/units/<int:unit_id>"): {AD, OF, SU, AU},
    ("GET", "/api/v1/units/<int:unit_id>/index"): {AD, OF, SU, AU},
    ("GET", "/api/v1/units/<int:unit_id>/what-if"): {OF, SU},
    ("GET", "/api/v1/years/<int:year>/grades"): {AD, OF, SU, AU},  # unpublished year: no unit leader
    ("POST", "/api/v1/years/<int:year>/grades/approve"): {SU},
    ("POST", "/api/v1/years/<int:year>/grades/compute"): {SU},
    ("POST", "/api/v1/years/<int:year>/grades/publish"): {SU},
    # --- web ---
    ("GET", "/board/"): {AD, OF, SU, AU},
    ("GET", "/board/print"): {AD, OF, SU, AU},
    ("GET", "/cases/"): {OF, SU, UL, AU},
    ("GET", "/cases/<int:case_id>"): {OF, SU, AU},
    ("POST", "/cases/<int:case_id>/attachments"): {OF, SU},
    ("GET", "/cases/<int:case_id>/attachments/<int:attachment_id>"): {OF, SU, AU},
    ("GET", "/cases/<int:case_id>/diagram.svg"): {OF, SU, AU},
    ("POST", "/cases/<int:case_id>/fire/<trigger>"): {OF, SU},
    ("GET", "/cases/diagram"): {OF, SU, UL, AU},
    ("GET", "/cases/diagram.svg"): {OF, SU, UL, AU},
    ("POST", "/cases/new"): {OF, SU},
    ("GET", "/documents/"): {AD, OF, SU, UL, AU},
    ("GET", "/documents/<int:document_id>"): {OF, SU, AU},
    ("POST", "/documents/<int:document_id>/correct"): {OF, SU},
    ("GET", "/documents/<int:document_id>/info"): {OF, SU, AU},
    ("GET", "/documents/reports"): {OF, SU, AU},
    ("POST", "/documents/reports"): {OF, SU},
    ("GET", "/eligibility"): {AD, OF, SU, UL, AU},
    ("GET", "/exports/cases.xlsx"): {OF, SU, UL, AU},
    ("GET", "/exports/grades.xlsx"): {AD, OF, SU, UL, AU},
    ("GET", "/exports/signals.xlsx"): {OF, SU, MO, AU},
    ("GET", "/exports/units.xlsx"): {AD, OF, SU, UL, AU},  # a unit leader's file holds their unit only
    ("GET", "/grades"): {AD, OF, SU, UL, AU},
    ("POST", "/grades/<int:year>/<action>"): {SU},
    ("POST", "/grades/<int:year>/revise"): {SU},
    ("GET", "/inputs/"): {OF, SU},
    ("GET", "/inputs/<kind>"): {OF, SU},
    ("GET", "/inputs/<kind>/import"): {OF, SU},
    ("POST", "/inputs/<kind>/import"): {OF, SU},
    ("GET", "/inputs/<kind>/new"): {OF, SU},
    ("POST", "/inputs/<kind>/new"): {OF, SU},
    ("GET", "/inputs/<kind>/template.xlsx"): {OF, SU},
    ("GET", "/intake/mine"): {MO},
    ("GET", "/intake/rapid"): {MO},
    ("POST", "/intake/rapid"): {MO},
    ("GET", "/intake/record"): {OF, SU},
    ("POST", "/intake/record"): {OF, SU},
    ("POST", "/lang"): PUBLIC,
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("POST", "/logout"): LOGGED_IN,
    ("GET", "/notifications/"): LOGGED_IN,
    # Someone else's notification: a no-op redirect (tests/test_notifications.py checks it stays unread).
    ("POST", "/notifications/<int:notification_id>/read"): LOGGED_IN,
    ("POST", "/notifications/read"): LOGGED_IN,
    ("GET", "/public/complaint"): PUBLIC,
    ("POST", "/public/complaint"): PUBLIC,
    ("POST", "/public/complaint/add"): PUBLIC,
    ("GET", "/public/complaint/track"): PUBLIC,
    ("POST", "/public/complaint/track"): PUBLIC,
    ("GET", "/public/grades"): PUBLIC,
    ("GET", "/schemes"): {AD},
    ("POST", "/schemes"): {AD},
    ("GET", "/schemes/<int:year>.json"): {AD},
    ("GET", "/signals/"): {OF, SU, MO, AU},
    ("GET", "/signals/<int:signal_id>"): {OF, SU, AU},
    ("POST", "/signals/<int:signal_id>/assign"): {OF, SU},
    ("GET", "/signals/<int:signal_id>/attachments/<int:attachment_id>"): {OF, SU, AU},
    ("POST", "/signals/<int:signal_id>/reply"): {OF, SU},
    # Reporter identity: supervisors, and only the officer handling the signal (not this one).
    ("POST", "/signals/<int:signal_id>/reporter"): {SU},
    ("POST", "/signals/<int:signal_id>/triage/<action>"): {OF, SU},
    ("GET", "/stations/statistics"): {OF, SU, AU},
    ("GET", "/units/"): {AD, OF, SU, UL, AU},
    ("GET", "/units/<int:unit_id>"): {AD, OF, SU, AU},
    ("GET", "/units/<int:unit_id>/index"): {AD, OF, SU, AU},
    ("GET", "/units/mine"): {UL},
}

# POSTs that change no case data and are therefore open to the read-only auditor too.
OWN_ACCOUNT_OR_PUBLIC_POSTS = {"/account/password", "/logout", "/notifications/read", "/lang", "/login",
                               "/notifications/<int:notification_id>/read",
                               "/public/complaint", "/public/complaint/add", "/public/complaint/track",
                               "/api/v1/public/complaints", "/api/v1/public/complaints/<string:receipt>/replies",
                               "/api/v1/tokens"}


def minimal_request(rule: str, world) -> dict:
    """The least a request needs to get past input validation to the permission check
    (flask-smorest validates a body before the view runs; an unknown receipt is a 404 by design)."""
    from caseflow.services.input_kinds import KINDS  # noqa: F401 - keeps imports together
    from tests.factories_signals import PNG

    ids, version = world.ids, world.case_b.version
    return {
        "/public/complaint/add": {"data": {"receipt": world.receipt}},
        "/public/complaint/track": {"data": {"receipt": world.receipt}},
        "/cases/<int:case_id>/fire/<trigger>": {"data": {"escalate-version": str(version),
                                                         "escalate-reason": "manual"}},
        "/api/v1/cases/<int:case_id>/transitions": {"json": {"trigger": "escalate", "version": version,
                                                             "reason": "manual"}},
        "/api/v1/cases/<int:case_id>/attachments": {"data": {"file": (io.BytesIO(PNG), "photo.png")}},
        "/api/v1/signals": {"json": {"channel": "citizen_hotline", "unit_id": ids["unit_a"], "category": "finance",
                                     "summary": "矩阵测试", "source_details": {"call_time": "2026-01-05 09:30"}}},
        "/api/v1/signals/<int:signal_id>/assign": {"json": {"department": "第一室",
                                                            "handler_id": world.users["officer"].id}},
        "/api/v1/signals/<int:signal_id>/triage": {"json": {"action": "reject", "reason": "不属实"}},
        "/api/v1/units/<int:unit_id>/what-if": {"query_string": {"case_id": ids["case_b"], "outcome": "escalate"}},
        "/api/v1/eligibility": {"query_string": {"year": clock.today().year - 1, "award": next(iter(AWARDS)),
                                                 "unit_id": ids["unit_b"]}},
    }.get(rule, {})


PARAM = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


def routes(app) -> list[tuple[str, str, str]]:
    """(method, rule, endpoint) of every route but static files."""
    out = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((method, rule.rule, rule.endpoint))
    return sorted(out, key=lambda r: (r[1], r[0]))


def fill(rule: str, endpoint: str, world) -> str:
    year = clock.today().year
    values = {
        "case_id": world.ids["case_b"], "document_id": world.ids["document_b"], "unit_id": world.ids["unit_b"],
        "notification_id": world.ids["notification_b"], "user_id": world.ids["leader_b"],
        "station_id": world.ids["station_b"], "trigger": "escalate", "year": year, "receipt": world.receipt,
        "kind": next(iter(KINDS)),
        "signal_id": world.ids["complaint_b"] if endpoint == "signals.reporter" else world.ids["signal_b"],
        "attachment_id": world.ids["signal_attachment_b"] if endpoint.startswith("signals.")
        else world.ids["case_attachment_b"],
        "action": "reject" if endpoint.startswith("signals.") else "compute",
    }
    return PARAM.sub(lambda m: str(values[m.group(1)]), rule)


def _is_login_redirect(response) -> bool:
    return response.status_code in (301, 302, 303) and "/login" in response.headers.get("Location", "")


def classify(response, anonymous: bool) -> str:
    status = response.status_code
    if status >= 500:
        return f"error {status}"
    if anonymous and (_is_login_redirect(response) or status == 401):
        return "deny"
    if not anonymous and status in (403, 404):
        return "deny"
    if status < 400 and not _is_login_redirect(response):
        return "allow"
    if status in (400, 409, 413, 422):
        return "allow"
    return f"other {status}"


def expected(method: str, rule: str, role: str) -> str:
    allowed = EXPECT[(method, rule)]
    if allowed == PUBLIC:
        return "allow"
    return "allow" if role in allowed else "deny"


class Caller:
    """Sends the requests of one role: a logged-in session for pages, a bearer token for the API."""

    def __init__(self, app, role: str, world):
        self.app, self.role, self.world = app, role, world
        if role == ANON:
            self.web = app.test_client()
            self.token = csrf_token(self.web, "/login")
            self.headers = {}
        else:
            user = world.users[role]
            self.web = login(app, user)
            self.token = csrf_token(self.web, "/account/password")
            self.headers = bearer(user)
        self.api = app.test_client()

    def request(self, method: str, url: str, rule: str = ""):
        limiter.reset()
        kwargs = minimal_request(rule, self.world)
        if url.startswith("/api/"):
            if method != "GET" and "data" not in kwargs:
                kwargs.setdefault("json", {})
            return self.api.open(url, method=method, headers=self.headers, **kwargs)
        if method != "GET":
            kwargs["data"] = {"csrf_token": self.token, **kwargs.get("data", {})}
        return self.web.open(url, method=method, **kwargs)


def _ordered(table):
    # Reads first, then writes; logging out last so the session lasts the whole run.
    return sorted(table, key=lambda r: (r[0] != "GET", r[1] == "/logout", r[1]))


@pytest.mark.parametrize("role", (ANON, *ROLES))
def test_route_answers_match_the_table(app, world, role):
    caller = Caller(app, role, world)
    mismatches = []
    checked = 0
    for method, rule, endpoint in _ordered(routes(app)):
        if (method, rule) not in EXPECT:
            continue  # reported by test_every_route_is_in_the_table
        url = fill(rule, endpoint, world)
        response = caller.request(method, url, rule)
        with response:
            got = classify(response, role == ANON)
            if rule == "/logout" and role != ANON and _is_login_redirect(response):
                got = "allow"  # logging out lands on the login page
            want = expected(method, rule, role) if role != ANON else (
                "allow" if EXPECT[(method, rule)] == PUBLIC else "deny")
            if got != want:
                mismatches.append(f"{method} {url} ({rule}) as {role}: want {want}, got {got} "
                                  f"[{response.status_code} {response.headers.get('Location', '')}]")
        checked += 1
    assert checked == len(EXPECT)
    assert mismatches == [], "\n".join(mismatches)


def test_every_route_is_in_the_table(app):
    present = {(m, r) for m, r, _ in routes(app)}
    missing = sorted(present - set(EXPECT))
    stale = sorted(set(EXPECT) - present)
    assert missing == [], f"routes without an expectation (add them to EXPECT): {missing}"
    assert stale == [], f"expectations for routes that no longer exist: {stale}"


def test_auditor_changes_nothing(app):
    """Every state-changing route but own-account and public ones is denied to the auditor."""
    for method, rule, _ in routes(app):
        if method != "GET" and rule not in OWN_ACCOUNT_OR_PUBLIC_POSTS:
            allowed = EXPECT[(method, rule)]
            assert allowed != PUBLIC and AU not in allowed, (method, rule)


def test_table_pins_the_object_level_rules():
    """The cases the issue names explicitly stay in the table as denials."""
    for key in [("GET", "/cases/<int:case_id>"), ("GET", "/documents/<int:document_id>"),
                ("GET", "/cases/<int:case_id>/attachments/<int:attachment_id>"),
                ("GET", "/units/<int:unit_id>/index"), ("GET", "/api/v1/units/<int:unit_id>/index"),
                ("GET", "/signals/<int:signal_id>"), ("GET", "/api/v1/cases/<int:case_id>"),
                ("GET", "/api/v1/signals/<int:signal_id>"), ("GET", "/api/v1/documents/<int:document_id>")]:
        assert UL not in EXPECT[key], key
    for method, rule in EXPECT:
        if rule.startswith(("/cases", "/api/v1/cases", "/exports/cases")):
            assert MO not in EXPECT[(method, rule)], (method, rule)
