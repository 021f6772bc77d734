"""The catalog admin: scoped per store, stock changed only through the action."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission

from apps.core.testing import assert_request_queries, count_queries
from apps.products.models import STOCK_LIMIT, Product
from apps.stores.tests.factories import MembershipFactory
from apps.users.tests.factories import UserFactory

from .factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/products/product/"


def _staff(store, role):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="products",
            codename__in=[
                "view_product",
                "add_product",
                "change_product",
                "view_stockmovement",
            ],
        )
    )
    MembershipFactory(store=store, user=user, role=role)
    return user


def test_members_see_only_their_stores_products(client, store):
    mine = ProductFactory(store=store, name="Mine")
    ProductFactory(name="Someone else's")
    client.force_login(_staff(store, "manager"))
    content = client.get(CHANGELIST).content.decode()
    assert "Mine" in content
    assert "Someone else" not in content
    assert client.get(f"{CHANGELIST}{mine.pk}/change/").status_code == 200


def test_low_stock_is_highlighted(client, store):
    store.low_stock_threshold = 5
    store.save()
    ProductFactory(store=store, stock=2)
    ProductFactory(store=store, stock=50)
    client.force_login(_staff(store, "manager"))
    assert client.get(CHANGELIST).content.decode().count('class="low-stock"') == 1


def test_the_stock_field_is_read_only(client, store):
    product = ProductFactory(store=store, stock=4)
    client.force_login(_staff(store, "owner"))
    page = client.get(f"{CHANGELIST}{product.pk}/change/").content.decode()
    assert 'name="stock_quantity"' not in page
    client.post(
        f"{CHANGELIST}{product.pk}/change/",
        {
            "sku": product.sku,
            "name": "Renamed",
            "price": "9.90",
            "is_active": "on",
            "stock_quantity": 999,
            "stock_movements-TOTAL_FORMS": "0",
            "stock_movements-INITIAL_FORMS": "0",
        },
    )
    product.refresh_from_db()
    assert (product.name, product.stock_quantity) == ("Renamed", 4)


def test_adding_a_product_goes_through_the_service(client, store):
    category = CategoryFactory(store=store)
    client.force_login(_staff(store, "manager"))
    response = client.post(
        f"{CHANGELIST}add/",
        {
            "store": store.pk,
            "sku": "ADM-1",
            "name": "From admin",
            "price": "3.50",
            "category": category.pk,
            "is_active": "on",
            "stock_movements-TOTAL_FORMS": "0",
            "stock_movements-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    product = Product.objects.get(sku="ADM-1")
    assert (product.store, product.price, product.stock_quantity) == (
        store,
        Decimal("3.50"),
        0,
    )


def test_the_admin_refuses_a_price_the_currency_cannot_hold(client, store):
    client.force_login(_staff(store, "manager"))
    response = client.post(
        f"{CHANGELIST}add/",
        {
            "store": store.pk,
            "sku": "ADM-2",
            "name": "Bad",
            "price": "3.505",
            "is_active": "on",
            "stock_movements-TOTAL_FORMS": "0",
            "stock_movements-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "decimal place" in response.content.decode()
    assert not Product.objects.filter(sku="ADM-2").exists()


def test_the_adjust_stock_action_writes_the_ledger(client, store):
    low = ProductFactory(store=store, stock=1)
    high = ProductFactory(store=store, stock=10)
    client.force_login(_staff(store, "manager"))
    data = {"action": "adjust_stock", "_selected_action": [str(low.pk), str(high.pk)]}
    form_page = client.post(CHANGELIST, data)
    assert form_page.status_code == 200
    assert "Adjust stock" in form_page.content.decode()

    response = client.post(
        CHANGELIST,
        {**data, "apply": "1", "delta": "-3", "reason": "adjustment", "note": "count"},
        follow=True,
    )
    content = response.content.decode()
    assert "Stock adjusted for 1 product(s)." in content
    assert "Only 1 in stock" in content
    low.refresh_from_db()
    high.refresh_from_db()
    assert (low.stock_quantity, high.stock_quantity) == (1, 7)
    assert high.stock_movements.order_by("-id").first().note == "count"


def test_the_adjust_stock_action_holds_to_the_stock_ceiling(client, store):
    product = ProductFactory(store=store, stock=0)
    client.force_login(_staff(store, "manager"))
    data = {
        "action": "adjust_stock",
        "_selected_action": [str(product.pk)],
        "apply": "1",
        "reason": "restock",
    }
    refused = client.post(CHANGELIST, {**data, "delta": str(STOCK_LIMIT + 1)})
    assert refused.status_code == 200  # the form again, with the error
    assert f"less than or equal to {STOCK_LIMIT}" in refused.content.decode()
    product.refresh_from_db()
    assert product.stock_quantity == 0

    client.post(CHANGELIST, {**data, "delta": str(STOCK_LIMIT)})
    product.refresh_from_db()
    assert product.stock_quantity == STOCK_LIMIT


def test_the_admin_holds_the_low_stock_threshold_to_the_stock_ceiling(client, store):
    product = ProductFactory(store=store)
    client.force_login(_staff(store, "manager"))
    response = client.post(
        f"{CHANGELIST}{product.pk}/change/",
        {
            "sku": product.sku,
            "name": product.name,
            "price": str(product.price),
            "low_stock_threshold": str(STOCK_LIMIT + 1),
            "is_active": "on",
            "stock_movements-TOTAL_FORMS": "0",
            "stock_movements-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert f"less than or equal to {STOCK_LIMIT}" in response.content.decode()
    product.refresh_from_db()
    assert product.low_stock_threshold is None


def test_staff_members_cannot_adjust_stock(client, store):
    product = ProductFactory(store=store, stock=5)
    client.force_login(_staff(store, "staff"))
    client.post(
        CHANGELIST,
        {
            "action": "adjust_stock",
            "_selected_action": [str(product.pk)],
            "apply": "1",
            "delta": "5",
            "reason": "restock",
        },
    )
    product.refresh_from_db()
    assert product.stock_quantity == 5


def test_the_changelist_query_count_does_not_grow(client, store):
    client.force_login(_staff(store, "owner"))
    ProductFactory(store=store, category=CategoryFactory(store=store))
    first, _ = count_queries(lambda: client.get(CHANGELIST))
    for _ in range(25):
        ProductFactory(store=store, category=CategoryFactory(store=store), stock=3)
    assert_request_queries(client, CHANGELIST, expected=first)


def test_the_change_page_query_count_does_not_grow_with_the_ledger(client, store):
    from apps.products.services import product_stock_adjust

    product = ProductFactory(store=store, stock=1)
    client.force_login(_staff(store, "owner"))
    first, _ = count_queries(lambda: client.get(f"{CHANGELIST}{product.pk}/change/"))
    for _ in range(20):
        product_stock_adjust(product=product, actor=None, delta=1, reason="restock")
    assert_request_queries(client, f"{CHANGELIST}{product.pk}/change/", expected=first)


def test_staff_members_cannot_delete_in_the_admin(client, store):
    product = ProductFactory(store=store)
    category = CategoryFactory(store=store)
    user = _staff(store, "staff")
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["delete_product", "delete_category", "view_category"]
        )
    )
    client.force_login(user)
    assert (
        client.post(f"{CHANGELIST}{product.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert (
        client.post(
            f"/admin/products/category/{category.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    product.refresh_from_db()
    assert product.deleted_at is None
    assert category.__class__.objects.filter(pk=category.pk).exists()


def test_deleting_a_product_with_a_ledger_is_a_soft_delete(client, store):
    product = ProductFactory(store=store, stock=3)
    user = _staff(store, "manager")
    user.user_permissions.add(Permission.objects.get(codename="delete_product"))
    client.force_login(user)
    response = client.post(f"{CHANGELIST}{product.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.deleted_at is not None
    assert product.stock_movements.count() == 1  # the ledger is kept


def test_renaming_a_category_in_the_admin_refreshes_the_storefront(
    client, api_client, store, django_capture_on_commit_callbacks
):
    from django.contrib.auth.models import Permission as P

    category = CategoryFactory(store=store, name="Old name")
    ProductFactory(store=store, category=category)
    url = f"/api/v1/stores/{store.slug}/products/"
    assert "Old name" in api_client.get(url).content.decode()
    user = _staff(store, "manager")
    user.user_permissions.add(
        *P.objects.filter(codename__in=["view_category", "change_category"])
    )
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/products/category/{category.pk}/change/",
            {"name": "New name", "description": ""},
        )
    assert response.status_code == 302
    fresh = api_client.get(url)
    assert fresh["X-Cache"] == "MISS"
    assert "New name" in fresh.content.decode()


@pytest.mark.parametrize(
    ("currency", "shown", "hidden"),
    [("EUR", "21.00", "21.000"), ("JPY", "1500", "1500.00"), ("KWD", "2.125", None)],
)
def test_prices_read_with_the_currency_minor_unit(client, currency, shown, hidden):
    from apps.stores.tests.factories import StoreFactory

    store = StoreFactory(currency=currency)
    price = Decimal(shown)
    product = ProductFactory(store=store, price=price)
    client.force_login(_staff(store, "owner"))
    listing = client.get(CHANGELIST).content.decode()
    assert f"{shown} {currency}" in listing
    form = client.get(f"{CHANGELIST}{product.pk}/change/").content.decode()
    assert f'value="{shown}"' in form
    if hidden:
        assert f"{hidden} {currency}" not in listing
        assert f'value="{hidden}"' not in form
