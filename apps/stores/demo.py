"""Demo data for ``make run``: one store with a member of each role and a shopper.

Idempotent: running it again updates the same rows and resets the demo
passwords, so the printed credentials always work.
"""

from django.contrib.auth.models import Group, Permission

from apps.users.models import User

from .models import Membership, Store

DEMO_PASSWORD = "orderly-demo-2024"  # noqa: S105 - public demo credentials
DEMO_STORE_SLUG = "demo-coffee"

DEMO_USERS = [
    # email, first name, role in the demo store (None: shopper), admin access
    ("admin@orderly.test", "Ada", None, True),
    ("owner@orderly.test", "Olivia", Membership.Role.OWNER, True),
    ("manager@orderly.test", "Marco", Membership.Role.MANAGER, True),
    ("staff@orderly.test", "Sam", Membership.Role.STAFF, False),
    ("shopper@orderly.test", "Shay", None, False),
]


ADMIN_GROUP = "Store team (admin access)"
ADMIN_GROUP_PERMISSIONS = ["view_store", "change_store", "view_membership"]


def _admin_group() -> Group:
    """Model permissions for members who work in the admin; rows stay per store."""
    group, _ = Group.objects.get_or_create(name=ADMIN_GROUP)
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="stores", codename__in=ADMIN_GROUP_PERMISSIONS
        )
    )
    return group


def _demo_user(
    email: str, first_name: str, *, admin_access: bool, superuser: bool
) -> User:
    user = User.objects.filter(email=email).first() or User(email=email)
    user.first_name = first_name
    user.last_name = "Demo"
    user.is_staff = admin_access
    user.is_superuser = superuser
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def seed() -> list[str]:
    """Create or refresh the demo store and users; return lines to print."""
    store, _ = Store.objects.get_or_create(
        slug=DEMO_STORE_SLUG,
        defaults={
            "name": "Demo Coffee Roasters",
            "currency": "EUR",
            "timezone": "Europe/Paris",
        },
    )
    lines = [
        "",
        "Demo data is ready.",
        f"  store: {store.name} (slug {store.slug})",
        "",
    ]
    lines.append(f"  Every demo account uses the password: {DEMO_PASSWORD}")
    group = _admin_group()
    for email, first_name, role, admin_access in DEMO_USERS:
        user = _demo_user(
            email,
            first_name,
            admin_access=admin_access,
            superuser=email.startswith("admin@"),
        )
        if admin_access and not user.is_superuser:
            user.groups.add(group)
        if role is not None:
            Membership.objects.update_or_create(
                store=store, user=user, defaults={"role": role}
            )
        label = "superuser" if user.is_superuser else (role or "shopper")
        lines.append(f"  {label:<10} {email}")
    return lines
