"""The contract tests call the app in-process, on the unit tier's AWS fixtures."""

from tests.unit.conftest import aws, client  # noqa: F401 - fixtures
