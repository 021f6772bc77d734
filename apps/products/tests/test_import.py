"""CSV import: upserts by SKU through the ledger, all rows or none."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.products.models import STOCK_LIMIT, Category, Product
from apps.products.selectors import stock_reconciliation

from .factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_client(auth_client, member_of, store):
    return auth_client(member_of(store, "owner"))


def _import(client, store, text):
    return client.generic(
        "POST",
        f"/api/v1/stores/{store.slug}/products/import/",
        text.encode(),
        content_type="text/csv",
    )


def test_import_creates_and_updates_products_through_the_ledger(owner_client, store):
    existing = ProductFactory(store=store, sku="MUG-1", price=Decimal("3.00"), stock=10)
    ProductFactory(store=store, sku="SAME", name="Same", price=Decimal("1.00"))
    csv_text = (
        "sku,name,price,stock,category,active\n"
        "mug-1,Blue mug,4.50,7,Mugs,true\n"
        "TEA-9,Green tea,12,30,Tea,false\n"
        "SAME,Same,1.00,,,true\n"
    )
    response = _import(owner_client, store, csv_text)
    assert response.status_code == 200, response.json()
    assert response.json() == {"created": 1, "updated": 1, "unchanged": 1}

    existing.refresh_from_db()
    assert (existing.name, existing.price, existing.stock_quantity) == (
        "Blue mug",
        Decimal("4.50"),
        7,
    )
    assert existing.category.name == "Mugs"
    movement = existing.stock_movements.order_by("-id").first()
    assert (movement.delta, movement.reason, movement.balance_after) == (
        -3,
        "adjustment",
        7,
    )

    tea = Product.objects.get(store=store, sku="TEA-9")
    assert (tea.stock_quantity, tea.is_active) == (30, False)
    assert list(tea.stock_movements.values_list("delta", "reason")) == [(30, "initial")]
    assert not stock_reconciliation(store=store).exists()


def test_bad_rows_are_reported_by_line_and_nothing_is_applied(owner_client, store):
    ProductFactory(store=store, sku="KEEP", name="Keep", price=Decimal("1.00"))
    csv_text = (
        "sku,name,price,stock\n"
        "KEEP,Changed,2.00,5\n"
        "BAD 1,No spaces,1.00,1\n"
        "OK-2,Fine,abc,1\n"
        "OK-3,,1.00,-4\n"
        "keep,Twice,1.00,1\n"
    )
    response = _import(owner_client, store, csv_text)
    assert response.status_code == 400
    body = response.json()
    fields = {(e["field"], e["code"]) for e in body["errors"]}
    assert ("lines.3.sku", "invalid") in fields
    assert ("lines.4.price", "invalid") in fields
    assert ("lines.5.name", "blank") in fields
    assert ("lines.5.stock", "min_value") in fields
    assert ("lines.6.sku", "duplicate") in fields
    assert body["detail"].startswith("4 line(s) are invalid")
    assert Product.objects.get(store=store, sku="KEEP").name == "Keep"
    assert Product.objects.filter(store=store).count() == 1
    assert not Category.objects.exists()


def test_too_many_decimals_for_the_currency_fail_the_whole_import(
    owner_client, auth_client, member_of
):
    from apps.stores.tests.factories import StoreFactory

    yen = StoreFactory(currency="JPY")
    client = auth_client(member_of(yen, "owner"))
    response = _import(client, yen, "sku,name,price\nA,A,100\nB,B,100.5\n")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "lines.3.price"
    assert not Product.objects.filter(store=yen).exists()


def test_import_accepts_a_multipart_file(owner_client, store):
    upload = SimpleUploadedFile(
        "catalog.csv", b"sku,name,price\nF-1,File,2.00\n", content_type="text/csv"
    )
    response = owner_client.post(
        f"/api/v1/stores/{store.slug}/products/import/",
        {"file": upload},
        format="multipart",
    )
    assert response.status_code == 200
    assert response.json()["created"] == 1


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("name,price\nA,1\n", "invalid_csv"),
        ("sku,name,price,colour\nA,A,1,red\n", "invalid_csv"),
        ("sku,name,price\n", "empty_csv"),
        ("sku,name,price\nA,A,1,extra\n", "validation_error"),
        ('sku,name,price\n"A,A,1\n', "validation_error"),
    ],
)
def test_malformed_files_are_400(owner_client, store, text, code):
    response = _import(owner_client, store, text)
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert not Product.objects.exists()


def test_non_utf8_and_oversized_files_are_refused(owner_client, store, settings):
    response = owner_client.generic(
        "POST",
        f"/api/v1/stores/{store.slug}/products/import/",
        b"sku,name,price\n\xff\xfe,x,1\n",
        content_type="text/csv",
    )
    assert response.status_code == 400
    settings.PRODUCT_IMPORT_MAX_ROWS = 2
    response = _import(owner_client, store, "sku,name,price\nA,A,1\nB,B,1\nC,C,1\n")
    assert response.status_code == 400
    assert response.json()["code"] == "too_many_rows"


def test_a_large_import_runs_in_batches_with_bounded_queries(owner_client, store):
    from apps.core.testing import count_queries

    lines = "".join(f"SKU-{n},Item {n},1.00,{n % 7},Cat {n % 3}\n" for n in range(1200))
    queries, response = count_queries(
        lambda: _import(owner_client, store, "sku,name,price,stock,category\n" + lines)
    )
    assert response.status_code == 200
    assert response.json()["created"] == 1200
    assert Product.objects.filter(store=store).count() == 1200
    assert not stock_reconciliation(store=store).exists()
    assert queries < 60  # batches of 500, not one query per row


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_imports_of_the_same_new_skus_create_each_product_once():
    from apps.core.testing import run_concurrently
    from apps.products.csv_rows import parse_product_csv
    from apps.products.services import product_import
    from apps.stores.tests.factories import StoreFactory

    store = StoreFactory()
    text = "sku,name,price,stock\n" + "".join(
        f"RACE-{n},Item {n},1.00,{n}\n" for n in range(50)
    )

    def run():
        product_import(
            store=store, actor=None, rows=parse_product_csv(text, max_rows=100)
        )

    outcomes = run_concurrently(run, run, run)
    assert outcomes == ["ok", "ok", "ok"]
    assert Product.objects.filter(store=store).count() == 50
    assert not stock_reconciliation(store=store).exists()


def test_every_problem_of_every_line_is_listed(owner_client, store):
    csv_text = (
        "sku,name,price,stock\n"
        "BAD 1,,abc,1\n"  # three problems on one line
        "BAD 1,Again,1.00,1\n"  # repeats a SKU whose first line is itself invalid
        "OK-1,Fine,1.00,1,surplus\n"  # extra cell and nothing else
        "OK-2,,-,x,surplus\n"  # extra cell and bad fields on the same line
    )
    response = _import(owner_client, store, csv_text)
    assert response.status_code == 400
    body = response.json()
    assert {(e["field"], e["code"]) for e in body["errors"]} == {
        ("lines.2.sku", "invalid"),
        ("lines.2.name", "blank"),
        ("lines.2.price", "invalid"),
        ("lines.3.sku", "invalid"),
        ("lines.3.sku", "duplicate"),
        ("lines.4", "extra_columns"),
        ("lines.5", "extra_columns"),
        ("lines.5.name", "blank"),
        ("lines.5.price", "invalid"),
        ("lines.5.stock", "invalid"),
    }
    assert body["detail"].startswith("4 line(s) are invalid")
    assert not Product.objects.filter(store=store).exists()


@pytest.mark.parametrize(
    "form",
    [{}, {"file": "sku,name,price\nA,A,1\n"}, {"csv": "sku,name,price\nA,A,1\n"}],
    ids=["nothing", "file as text", "another field"],
)
def test_a_multipart_form_without_a_file_is_told_to_send_one(owner_client, store, form):
    response = owner_client.post(
        f"/api/v1/stores/{store.slug}/products/import/", form, format="multipart"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_csv"
    assert body["detail"] == "Send the CSV as a text/csv body or as a multipart `file`."
    assert body["errors"] == [
        {"field": "file", "code": "required", "message": "No CSV file was sent."}
    ]
    assert not Product.objects.exists()


def test_an_import_holds_stock_to_the_ceiling(owner_client, store):
    response = _import(
        owner_client, store, f"sku,name,price,stock\nBIG,Big,1,{STOCK_LIMIT + 1}\n"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "lines.2.stock"
    assert response.json()["errors"][0]["code"] == "max_value"
    accepted = _import(
        owner_client, store, f"sku,name,price,stock\nBIG,Big,1,{STOCK_LIMIT}\n"
    )
    assert accepted.status_code == 200, accepted.json()
    assert Product.objects.get(sku="BIG").stock_quantity == STOCK_LIMIT
