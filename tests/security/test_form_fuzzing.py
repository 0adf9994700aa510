"""Hypothesis fuzzing of every HTML form through the test client.

Forms are discovered, not listed: every GET page of the app is fetched as each role (and
the case page of unit B as that unit's leader), and every ``<form method="post">`` found is
fuzzed with its own field names — random text, integers, unicode, huge strings, dates out of
range, markup and quotes — with a valid CSRF token, as the user the form was shown to.
Properties: never a 5xx; when the answer is not a success redirect, no table's row count
changed (no partial write); the case event chains stay valid.
"""
from __future__ import annotations

import io
import os
from html.parser import HTMLParser
from urllib.parse import urlsplit

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from caseflow.extensions import limiter
from caseflow.services.audit import verify_chain
from tests.security.conftest import ROLES, login, row_counts
from tests.security.test_authorization_matrix import fill, routes

PHASES = [Phase.explicit, Phase.reuse, Phase.generate]  # no shrinking: a failure is reported at once
EXAMPLES = int(os.environ.get("SECURITY_FORM_EXAMPLES", "4"))
SKIP_ACTIONS = ("/logout",)  # would end the session the run is using
IGNORED_TABLES = {"access_log", "user"}  # a login or a logged read is not a partial write

NASTY = ["", " ", "0", "-1", "99999999999999999999999", "1e309", "NaN", "2026-13-45", "2026-02-30",
         "<script>alert(1)</script>", "' OR '1'='1' --", "\"; DROP TABLE case; --", "\x00", "\u202e\u0000\ud7ff",
         "𠜎𠜱𠝹𠱓" * 50, "镇纪预告〔2026〕1号", "x" * 100_000, "../../etc/passwd", "%s%n%x", "{{7*7}}"]
VALUE = st.one_of(st.sampled_from(NASTY), st.text(max_size=300), st.integers().map(str),
                  st.text(alphabet=st.characters(codec="utf-8"), min_size=1000, max_size=5000))


class FormParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            self._form = {"action": a.get("action") or "", "fields": {}, "files": set()}
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "textarea", "select") and a.get("name"):
            name = a["name"]
            if a.get("type") == "file":
                self._form["files"].add(name)
            elif name != "csrf_token":
                self._form["fields"].setdefault(name, [])
                if a.get("type") in ("hidden", "radio", "checkbox") and a.get("value") is not None:
                    self._form["fields"][name].append(a["value"])
            self._select = name if tag == "select" else None
        elif self._form is not None and tag == "option" and self._select and a.get("value") is not None:
            self._form["fields"][self._select].append(a["value"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _forms_of(client, url: str) -> list[dict]:
    with client.get(url) as response:
        if response.status_code != 200 or response.mimetype != "text/html":
            return []
        html = response.get_data(as_text=True)
    parser = FormParser()
    parser.feed(html)
    for form in parser.forms:
        form["action"] = urlsplit(form["action"]).path or urlsplit(url).path
    return parser.forms


def _csrf(client, url: str) -> str:
    import re
    with client.get(url) as response:
        html = response.get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    return match.group(1) if match else ""


def discover(app, world) -> list[tuple[str, object, dict, str]]:
    """(role, client, form, page) for every distinct (action, fields) form any role is shown."""
    clients = {role: login(app, world.users[role]) for role in ROLES}
    clients["unit_leader_b"] = login(app, world.leader_b)
    clients["anonymous"] = app.test_client()
    pages = [fill(rule, endpoint, world) for method, rule, endpoint in routes(app)
             if method == "GET" and not rule.startswith("/api/")]
    seen, found = set(), []
    for role, client in clients.items():
        own = world.leader_b.id if role == "unit_leader_b" else getattr(world.users.get(role), "id", None)
        for page in (pages if role != "unit_leader_b" else [f"/cases/{world.case_b.id}"]):
            for form in _forms_of(client, page):
                action = form["action"]
                if action.startswith(SKIP_ACTIONS) or (own and f"/admin/users/{own}/" in action):
                    continue
                key = (action, tuple(sorted(form["fields"])), tuple(sorted(form["files"])))
                if key in seen:
                    continue
                seen.add(key)
                found.append((role, client, form, page))
    return found


def _fuzz_form(role, client, form, page, runs) -> None:
    token = _csrf(client, page) if role != "anonymous" else _csrf(client, "/login")
    names = sorted(form["fields"])

    def value_for(name):
        options = form["fields"][name]
        return st.one_of(st.sampled_from(options), VALUE) if options else VALUE

    strategy = st.fixed_dictionaries({n: value_for(n) for n in names}) if names else st.just({})

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None, phases=PHASES,
              suppress_health_check=list(HealthCheck))
    @given(values=strategy, blob=st.binary(max_size=2048))
    def fuzz(values, blob):
        limiter.reset()
        runs["n"] += 1
        data = {"csrf_token": token, **values}
        for name in form["files"]:
            data[name] = (io.BytesIO(blob), "f.pdf")
        before = row_counts()
        with client.post(form["action"], data=data, content_type="multipart/form-data") as response:
            status = response.status_code
            assert status < 500, f"{status} on {form['action']} as {role}"
            if status not in (201, 302):  # 201: the public complaint receipt page
                after = row_counts()
                changed = {t: (before[t], after[t]) for t in before
                           if before[t] != after[t] and t not in IGNORED_TABLES}
                assert changed == {}, f"partial write on {form['action']} ({status}) as {role}: {changed}"

    fuzz()


def test_every_form_survives_fuzzing(app, world):
    forms = discover(app, world)
    actions = {f["action"] for _, _, f, _ in forms}
    assert len(forms) >= 30 and len(actions) >= 20, sorted(actions)
    failures, runs = [], {"n": 0}
    for role, client, form, page in forms:
        try:
            _fuzz_form(role, client, form, page, runs)
        except Exception as error:  # noqa: BLE001 - collect all forms' failures
            failures.append(f"{role} {form['action']} fields={sorted(form['fields'])}: {str(error)[:800]}")
    print(f"form fuzzing: {len(forms)} forms, {len(actions)} actions, {runs['n']} requests")
    assert verify_chain() == []
    assert failures == [], "\n\n".join(failures)
