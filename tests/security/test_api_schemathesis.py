"""Schemathesis against /api/v1/openapi.json through the WSGI app, as every role.

Each operation gets ``MAX_EXAMPLES`` (env SECURITY_FUZZ_EXAMPLES, default 5) generated requests per role (derandomized: a fixed
seed), sent with that role's bearer token (plus one anonymous pass). Checks: no 5xx, the
status code is one the spec documents, and the body conforms to the documented schema.
The rate limiter is reset before every request so the public complaint POST is judged on
its input, not on the limit.
"""
from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from caseflow.extensions import limiter
from tests.security.conftest import ROLES, bearer

MAX_EXAMPLES = int(os.environ.get("SECURITY_FUZZ_EXAMPLES", "5"))
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance, content_type_conformance]
COUNTS: dict[str, int] = {}


def _operations(app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def _run(operation, headers: dict, key: str) -> None:
    @settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck), print_blob=True)
    @given(case=operation.as_strategy())
    def check(case):
        limiter.reset()
        COUNTS[key] = COUNTS.get(key, 0) + 1
        case.call_and_validate(headers=headers, checks=CHECKS)

    check()


@pytest.mark.parametrize("role", ("anonymous", *ROLES))
def test_every_operation_as_every_role(app, world, role):
    headers = {} if role == "anonymous" else bearer(world.users[role])
    operations = _operations(app)
    assert len(operations) >= 20
    failures = []
    for operation in operations:
        key = f"{role} {operation.method.upper()} {operation.path}"
        try:
            _run(operation, headers, key)
        except Exception as error:  # noqa: BLE001 - collected so one run reports every operation
            failures.append(f"{key}: {str(error)[:1500]}")
    total = sum(v for k, v in COUNTS.items() if k.startswith(f"{role} "))
    print(f"schemathesis {role}: {len(operations)} operations, {total} requests")
    assert failures == [], "\n\n".join(failures)
