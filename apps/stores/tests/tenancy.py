"""Store-scoped endpoints of the stores app, for the tenancy matrix."""

from apps.core.testing import members_only

from .factories import MembershipFactory

STORE = "api/v1/stores/<str:store_slug>/"
MEMBERS = "api/v1/stores/<str:store_slug>/members/"
MEMBER = "api/v1/stores/<str:store_slug>/members/<uuid:membership_id>/"
WEBHOOK_SECRET = "api/v1/stores/<str:store_slug>/webhook-secret/"
WEBHOOK_SECRET_ROTATE = "api/v1/stores/<str:store_slug>/webhook-secret/rotate/"

ENDPOINTS = [
    ("GET", STORE, None, members_only(200, 200, 200)),
    ("PATCH", STORE, lambda world: {"name": "New name"}, members_only(200)),
    ("GET", MEMBERS, None, members_only(200)),
    (
        "POST",
        MEMBERS,
        lambda world: {"email": world.make_user().email, "role": "staff"},
        members_only(201),
    ),
    ("PATCH", MEMBER, lambda world: {"role": "manager"}, members_only(200)),
    ("DELETE", MEMBER, None, members_only(204)),
    ("GET", WEBHOOK_SECRET, None, members_only(200)),
    ("POST", WEBHOOK_SECRET_ROTATE, None, members_only(200)),
]


def build(world):
    """A staff membership in each store, as the target of the member routes."""
    world.params["membership_id"] = MembershipFactory(store=world.store_a).pk
    world.foreign["membership_id"] = MembershipFactory(store=world.store_b).pk
