"""Fixtures of the hostile-input tests: the inbound test hub (tests/integration)."""

from tests.integration.test_inbound import hub  # noqa: F401
