"""The admin's main flows for a store manager, in headless Chromium."""

import re

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import expect

from apps.customers.tests.factories import CustomerFactory
from apps.products.models import Product
from apps.products.tests.factories import CategoryFactory
from apps.stores.tests.factories import MembershipFactory, StoreFactory
from apps.users.tests.factories import UserFactory
from tests.e2e.conftest import SCREENSHOTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def manager():
    store = StoreFactory(name="Corner Shop", slug="corner-shop", currency="EUR")
    CategoryFactory(store=store, name="Mugs")
    user = UserFactory(email="manager@corner.test", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label__in=["products", "customers"],
            codename__in=[
                "view_product",
                "add_product",
                "change_product",
                "view_stockmovement",
                "view_category",
                "view_customer",
                "view_address",
            ],
        )
    )
    MembershipFactory(store=store, user=user, role="manager")
    CustomerFactory(store=store, email="ada.lovelace@example.com", first_name="Ada")
    CustomerFactory(store=store, email="grace.hopper@example.com", first_name="Grace")
    CustomerFactory(
        email="ada.other.store@example.com", first_name="Ada"
    )  # another store
    return user


def test_manager_creates_a_product_adjusts_its_stock_and_finds_a_customer(
    page, manager, log_in
):
    log_in(manager)

    # Create a product: stock is not a field of the form.
    page.goto("/admin/products/product/add/")
    expect(page.locator("input[name=stock_quantity]")).to_have_count(0)
    page.select_option("#id_store", label="Corner Shop")
    page.fill("#id_sku", "MUG-42")
    page.fill("#id_name", "Speckled mug")
    page.fill("#id_price", "18.50")
    page.select_option("#id_category", label="Mugs")
    page.click("input[name=_save]")
    expect(page.locator("ul.messagelist")).to_contain_text("was added successfully")
    product = Product.objects.get(sku="MUG-42")
    assert product.stock_quantity == 0

    # Adjust its stock with the admin action.
    row = page.locator("#result_list tbody tr", has_text="MUG-42")
    row.locator("input.action-select").check()
    page.select_option("select[name=action]", "adjust_stock")
    page.click("button[name=index]")
    expect(page.locator("h1")).to_have_text("Adjust stock")
    page.fill("#id_delta", "12")
    page.select_option("#id_reason", "restock")
    page.fill("#id_note", "First delivery")
    page.click("input[type=submit][value='Apply the adjustment']")
    expect(page.locator("ul.messagelist")).to_contain_text(
        "Stock adjusted for 1 product(s)."
    )
    expect(page.locator("#result_list tbody tr", has_text="MUG-42")).to_contain_text(
        "12"
    )

    # The movement is in the product's ledger inline.
    page.click("#result_list a:has-text('MUG-42')")
    inline = page.locator("#stock_movements-group")
    expect(inline).to_contain_text("Restock")
    expect(inline).to_contain_text("First delivery")
    expect(inline).to_contain_text("12")
    product.refresh_from_db()
    assert product.stock_quantity == 12
    assert list(product.stock_movements.values_list("delta", "reason", "actor")) == [
        (12, "restock", manager.pk)
    ]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "product-ledger.png"), full_page=True)

    # Search a customer: only this store's matching customer is listed.
    page.goto("/admin/customers/customer/")
    page.fill("#searchbar", "ada")
    page.press("#searchbar", "Enter")
    results = page.locator("#result_list tbody tr")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("ada.lovelace@example.com")
    expect(page.locator("#result_list")).not_to_contain_text("ada.other.store")
    expect(page).to_have_url(re.compile(r"\?q=ada"))


def test_manager_ships_a_paid_order_and_sees_it_on_the_timeline(page, manager, log_in):
    from apps.orders.services import order_pay
    from apps.orders.tests.factories import place_order
    from apps.products.tests.factories import ProductFactory

    manager.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="orders",
            codename__in=["view_order", "change_order"],
        )
    )
    store = manager.memberships.get().store
    order = place_order(
        store=store, products=[(ProductFactory(store=store, stock=5), 2)]
    )
    order_pay(order=order, actor=None)
    log_in(manager)

    # Open the order: lines and the timeline so far.
    page.goto("/admin/orders/order/")
    page.click(f"#result_list a:has-text('{order.number}')")
    expect(page.locator("#items-group")).to_contain_text(order.items.get().sku)
    expect(page.locator("#events-group")).to_contain_text("Paid")

    # Ship it with the action, from the list.
    page.goto("/admin/orders/order/")
    row = page.locator("#result_list tbody tr", has_text=str(order.number))
    row.locator("input.action-select").check()
    page.select_option("select[name=action]", "ship")
    page.click("button[name=index]")
    expect(page.locator("ul.messagelist")).to_contain_text("Ship: 1 order(s) done.")
    expect(
        page.locator("#result_list tbody tr", has_text=str(order.number))
    ).to_contain_text("Shipped")

    # The event is on the timeline, with the manager as its actor.
    page.click(f"#result_list a:has-text('{order.number}')")
    events = page.locator("#events-group")
    expect(events).to_contain_text("Shipped")
    expect(events).to_contain_text(manager.email)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "order-timeline.png"), full_page=True)
    order.refresh_from_db()
    assert order.status == "shipped"
