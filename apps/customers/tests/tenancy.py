"""Store-scoped endpoints of this app, for the tenancy matrix (tests/)."""

ENDPOINTS: list = []


def build(world):
    """Add the objects the routes need to world.params / world.foreign."""
