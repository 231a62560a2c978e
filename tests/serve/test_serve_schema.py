"""schemathesis over the workbench's OpenAPI schema (``/openapi.json``): generated requests for
every operation, a bounded number each, on the small bundled helsinki-bridges; no 5xx, and the
status codes, content types and bodies conform to the schema."""

from __future__ import annotations

import tempfile

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from corridor.bundled import bundled_scenarios
from corridor.serve.app import create_app

EXAMPLES = 8
"""Examples per operation in ``make test`` (the schema has 13 operations)."""

# the schema is read when pytest collects this module; the event log goes to a fresh directory
# (schemathesis's ASGI client names the server "testserver": allowed like --allowed-host)
app = create_app(
    [bundled_scenarios()["helsinki-bridges"]],
    tempfile.mkdtemp(prefix="corridor-schemathesis-"),
    allowed_hosts=["testserver"],
)
schema = schemathesis.openapi.from_asgi("/openapi.json", app)
# the examples and random generation, bounded; not the coverage phase (every boundary of every
# field: hundreds of requests per operation)
schema.config.phases.update(phases=["examples", "fuzzing"])


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_conforms_and_never_fails(case: schemathesis.Case) -> None:
    case.call_and_validate(
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ]
    )
