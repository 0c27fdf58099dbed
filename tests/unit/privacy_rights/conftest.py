from tests.unit.booking_world import world  # noqa: F401
