"""Every check of schemathesis as officer: ``schemathesis_contract``."""

from .schemathesis_contract import keeps_its_schema_as

test_the_api_keeps_its_schema = keeps_its_schema_as("officer")
