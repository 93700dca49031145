"""Schemathesis against the OpenAPI document: generated requests to every endpoint of the
API, signed in as an admin, on a small hub. No answer may be a server error, and every
documented answer must match its schema. (SQLite only: what is checked here is the API's
handling of input, which does not depend on the database.)"""

import shutil

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from aidhub.services.context import open_context
from aidhub.web.app import create_app
from tests.helpers import make_outbound_hub, signed_in

EXAMPLES = 25  # per operation; the suite must stay well inside CI's time


@pytest.fixture(scope="module")
def api(tmp_path_factory, sqlite_template):
    path = tmp_path_factory.mktemp("contract") / "aidhub.sqlite3"
    shutil.copy(sqlite_template, path)
    ctx = open_context(f"sqlite:///{path}")
    make_outbound_hub(ctx)
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app(ctx))
    return schema, signed_in(ctx, "admin", username="contract-tester")


def operations():
    """Every operation of the document, by label, for parametrising (the document is read
    from a throwaway app: its shape does not depend on the data)."""
    from aidhub.services.context import Context
    from aidhub.store import database

    app = create_app(Context(database.create("sqlite://")))
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    return sorted(op.ok().label for op in schema.get_all_operations())


@pytest.mark.parametrize("label", operations())
def test_no_server_error_and_no_schema_violation(api, label):
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import response_schema_conformance

    schema, headers = api
    operation = next(op.ok() for op in schema.get_all_operations() if op.ok().label == label)

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def run(case):
        case.call_and_validate(headers={**headers, "Idempotency-Key": "contract"},
                               checks=[not_a_server_error, response_schema_conformance])

    run()
