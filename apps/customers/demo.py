"""Demo customers of the demo store, each with an address.

The demo shopper (``shopper@orderly.test``, made by ``apps.stores.demo``) is
one of them, linked to their account; the others are customers without
accounts, as staff create them for phone orders. Idempotent: customers are
keyed by (store, email) and addresses by (customer, kind), so a second run
creates nothing new and restores the demo values.
"""

from django.contrib.auth.models import Group, Permission

from apps.stores.demo import ADMIN_GROUP, DEMO_STORE_SLUG
from apps.stores.models import Store
from apps.users.models import User

from .models import Address, Customer

DEMO_SHOPPER_EMAIL = "shopper@orderly.test"

# email, first name, last name, phone; shipping address: line1, city, postcode, country
DEMO_CUSTOMERS = [
    (DEMO_SHOPPER_EMAIL, "Shay", "Demo", "",
        ("4 Rue Oberkampf", "Paris", "75011", "FR")),
    ("ines.moreau@example.com", "Inès", "Moreau", "+33 6 12 34 56 78",
        ("18 Quai Saint-Vincent", "Lyon", "69001", "FR")),
    ("tom.becker@example.com", "Tom", "Becker", "+49 30 1234567",
        ("Torstraße 12", "Berlin", "10119", "DE")),
    ("aiko.sato@example.com", "Aiko", "Sato", "",
        ("2-1 Jingumae", "Tokyo", "150-0001", "JP")),
    ("lucia.romano@example.com", "Lucia", "Romano", "+39 02 1234567",
        ("Via Tortona 27", "Milano", "20144", "IT")),
]  # fmt: skip

# Admin users who are store members may read customers and keep their
# addresses up to date; which rows they see is decided per store by the admin.
ADMIN_GROUP_PERMISSIONS = [
    "view_customer",
    "change_customer",
    "view_address",
    "add_address",
    "change_address",
    "delete_address",
]


def seed() -> list[str]:
    """Create or refresh the demo store's customers; return lines to print."""
    store = Store.objects.get(slug=DEMO_STORE_SLUG)
    shopper = User.objects.get(email=DEMO_SHOPPER_EMAIL)
    for email, first_name, last_name, phone, address in DEMO_CUSTOMERS:
        customer, _ = Customer.objects.update_or_create(
            store=store,
            email=email,
            defaults={
                "user": shopper if email == DEMO_SHOPPER_EMAIL else None,
                "first_name": first_name,
                "last_name": last_name,
                "phone": phone,
            },
        )
        line1, city, postal_code, country = address
        Address.objects.update_or_create(
            customer=customer,
            kind=Address.Kind.SHIPPING,
            defaults={
                "line1": line1,
                "city": city,
                "postal_code": postal_code,
                "country": country,
            },
        )
    group = Group.objects.get(name=ADMIN_GROUP)
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="customers", codename__in=ADMIN_GROUP_PERMISSIONS
        )
    )
    count = Customer.objects.filter(store=store).count()
    return [f"  customers: {count} in the demo store ({DEMO_SHOPPER_EMAIL} is one)", ""]
