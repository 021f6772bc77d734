"""The inventory ledger and catalog rules, whoever calls the services."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from apps.core.exceptions import ConflictError, ValidationFailed
from apps.core.testing import assert_if_match_guards, run_concurrently
from apps.products import services
from apps.products.models import Product, StockMovement
from apps.products.selectors import stock_reconciliation
from apps.stores.tests.factories import StoreFactory
from apps.users.tests.factories import UserFactory

from .factories import ProductFactory

Reason = StockMovement.Reason


@pytest.mark.django_db
def test_each_adjustment_writes_a_movement_with_the_balance_after(user):
    product = ProductFactory(stock=10)
    services.product_stock_adjust(
        product=product, actor=user, delta=5, reason=Reason.RESTOCK
    )
    services.product_stock_adjust(
        product=product, actor=user, delta=-12, reason=Reason.ADJUSTMENT, note="broken"
    )
    product.refresh_from_db()
    assert product.stock_quantity == 3
    movements = list(
        product.stock_movements.order_by("id").values_list(
            "delta", "reason", "balance_after"
        )
    )
    assert movements == [
        (10, "initial", 10),
        (5, "restock", 15),
        (-12, "adjustment", 3),
    ]
    assert not stock_reconciliation().exists()


@pytest.mark.django_db
def test_stock_never_goes_below_zero(user):
    product = ProductFactory(stock=2)
    with pytest.raises(ConflictError) as excinfo:
        services.product_stock_adjust(
            product=product, actor=user, delta=-3, reason=Reason.ADJUSTMENT
        )
    assert excinfo.value.code == "insufficient_stock"
    assert excinfo.value.extra == {"available": 2}
    product.refresh_from_db()
    assert product.stock_quantity == 2
    assert product.stock_movements.count() == 1


@pytest.mark.django_db
def test_the_database_itself_refuses_negative_stock():
    product = ProductFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(pk=product.pk).update(stock_quantity=-1)


@pytest.mark.django_db
def test_reconciliation_reports_a_product_whose_ledger_drifted():
    product = ProductFactory(stock=4)
    Product.objects.filter(pk=product.pk).update(
        stock_quantity=7
    )  # a write around the ledger
    drifted = list(
        stock_reconciliation().values_list("pk", "ledger_total", "stock_quantity")
    )
    assert drifted == [(product.pk, 4, 7)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("currency", "price", "ok"),
    [
        ("EUR", "9.99", True),
        ("EUR", "9.999", False),
        ("JPY", "100", True),
        ("JPY", "100.5", False),
        ("KWD", "1.234", True),
    ],
)
def test_prices_must_fit_the_store_currency(user, currency, price, ok):
    store = StoreFactory(currency=currency)

    def create():
        return services.product_create(
            store=store, actor=user, sku="A-1", name="A", price=Decimal(price)
        )

    if ok:
        assert create().price == Decimal(price)
    else:
        with pytest.raises(ValidationFailed) as excinfo:
            create()
        assert excinfo.value.errors[0]["code"] == "precision"


@pytest.mark.django_db
def test_sku_is_unique_per_store_whatever_the_casing_but_free_after_delete(user):
    store = StoreFactory()
    first = services.product_create(
        store=store, actor=user, sku="Mug-1", name="Mug", price=Decimal("5")
    )
    with pytest.raises(ValidationFailed):
        services.product_create(
            store=store, actor=user, sku="MUG-1", name="Mug", price=Decimal("5")
        )
    # Another store may use it.
    services.product_create(
        store=StoreFactory(), actor=user, sku="MUG-1", name="Mug", price=Decimal("5")
    )
    services.product_delete(product=first)
    again = services.product_create(
        store=store, actor=user, sku="mug-1", name="Mug 2", price=Decimal("6")
    )
    assert again.pk != first.pk


@pytest.mark.django_db
def test_initial_stock_is_the_first_movement(user):
    product = services.product_create(
        store=StoreFactory(),
        actor=user,
        sku="X",
        name="X",
        price=Decimal("1"),
        initial_stock=7,
    )
    assert list(product.stock_movements.values_list("delta", "reason", "actor")) == [
        (7, "initial", user.pk)
    ]


@pytest.mark.django_db
def test_a_category_of_another_store_is_refused(user):
    from .factories import CategoryFactory

    foreign = CategoryFactory()
    with pytest.raises(ValidationFailed) as excinfo:
        services.product_create(
            store=StoreFactory(),
            actor=user,
            sku="X",
            name="X",
            price=Decimal("1"),
            category_id=foreign.pk,
        )
    assert excinfo.value.errors[0]["field"] == "category"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_adjustments_keep_stock_equal_to_the_ledger_and_never_negative():
    product = ProductFactory(stock=20)
    actor = UserFactory()
    deltas = [-3, 5, -7, -4, 2, -6, -5, 8, -9, -2, 4, -8] * 2

    outcomes = run_concurrently(
        *[
            (
                lambda d=d: services.product_stock_adjust(
                    product=product, actor=actor, delta=d, reason=Reason.ADJUSTMENT
                )
            )
            for d in deltas
        ]
    )

    assert set(outcomes) <= {"ok", "insufficient_stock"}, outcomes
    product.refresh_from_db()
    applied = [
        d for d, outcome in zip(deltas, outcomes, strict=True) if outcome == "ok"
    ]
    assert product.stock_quantity == 20 + sum(applied)
    assert product.stock_quantity >= 0
    assert not stock_reconciliation().exists()
    balances = list(
        product.stock_movements.order_by("id").values_list("balance_after", flat=True)
    )
    assert all(b >= 0 for b in balances)
    assert balances[-1] == product.stock_quantity


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_removals_of_the_last_units_sell_each_unit_once():
    product = ProductFactory(stock=5)
    actor = UserFactory()
    outcomes = run_concurrently(
        *[
            (
                lambda: services.product_stock_adjust(
                    product=product, actor=actor, delta=-1, reason=Reason.ADJUSTMENT
                )
            )
            for _ in range(12)
        ]
    )
    assert outcomes.count("ok") == 5
    assert outcomes.count("insufficient_stock") == 7
    product.refresh_from_db()
    assert product.stock_quantity == 0
    assert not stock_reconciliation().exists()


@pytest.mark.django_db
def test_the_reconcile_stock_command_fails_on_drift():
    from io import StringIO

    from django.core.management import CommandError, call_command

    product = ProductFactory(stock=3)
    out = StringIO()
    call_command("reconcile_stock", stdout=out)
    assert "sums to its stock" in out.getvalue()
    Product.objects.filter(pk=product.pk).update(stock_quantity=9)
    with pytest.raises(CommandError, match="1 product"):
        call_command("reconcile_stock", stdout=out)
    assert f"{product.sku}: stock 9, ledger 3" in out.getvalue()


# --- If-Match: compared with the locked row -------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "write",
    [
        lambda item, if_match: services.product_update(
            product=item, if_match=if_match, description="Edited"
        ),
        lambda item, if_match: services.product_delete(product=item, if_match=if_match),
    ],
    ids=["update", "delete"],
)
def test_product_writes_check_if_match_against_the_locked_row(write):
    product = ProductFactory()
    assert_if_match_guards(product, "name", lambda tag: write(product, tag))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "write",
    [
        lambda item, if_match: services.category_update(
            category=item, if_match=if_match, description="Edited"
        ),
        lambda item, if_match: services.category_delete(
            category=item, if_match=if_match
        ),
    ],
    ids=["update", "delete"],
)
def test_category_writes_check_if_match_against_the_locked_row(write):
    from .factories import CategoryFactory

    category = CategoryFactory()
    assert_if_match_guards(category, "name", lambda tag: write(category, tag))


@pytest.mark.django_db
def test_stock_levels_are_set_for_exactly_the_given_products(
    django_assert_num_queries,
):
    from apps.products.services.bulk_sql import set_stock_levels

    store = StoreFactory()
    moved = [ProductFactory(store=store, stock=5), ProductFactory(store=store, stock=9)]
    untouched = ProductFactory(store=store, stock=7)
    moved[0].stock_quantity, moved[1].stock_quantity = 0, 12
    with django_assert_num_queries(1):  # one statement, whatever the count
        set_stock_levels(moved)
    assert [
        Product.objects.get(pk=p.pk).stock_quantity for p in (*moved, untouched)
    ] == [0, 12, 7]
