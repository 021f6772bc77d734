"""The floor: Orderly's benchmarked endpoints as a bare WSGI app on raw psycopg.

    gunicorn -c config/gunicorn.conf.py --pythonpath scripts/bench floor:application

It answers the same URLs with the same JSON and issues the statements Orderly
issues for them (the caller's user row, the store with the caller's role, the
page or the order; a placement's locks, updates and inserts), with no
framework between the socket and the database: what Python and PostgreSQL
can do on this machine, the limit Orderly is measured against. It checks the
JWT's signature and expiry itself, keeps the storefront pages in Redis under
a catalog version as Orderly does, and answers problem+json on the errors
the benchmark can meet. It reads ``DATABASE_URL``, ``REDIS_URL`` and
``DJANGO_SECRET_KEY`` and is never part of the product.
"""

import base64
import binascii
import hashlib
import hmac
import json
import os
import re
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, quote

import psycopg
import redis

Response = tuple[str, list[tuple[str, str]], bytes]
CENT = Decimal("0.01")
PAGE = 25
STORE_PATH = re.compile(r"^/api/v1/stores/(?P<slug>[^/]+)/(?P<rest>.*)$")
ORDER_PATH = re.compile(r"^orders/(?P<id>[0-9a-f-]{36})/$")

_connection: psycopg.Connection[Any] | None = None
_redis: redis.Redis | None = None
_secret = os.environ.get("DJANGO_SECRET_KEY", "").encode()
_store_ids: dict[str, tuple[Any, float]] = {}  # slug -> (store id, until)
_queries = 0  # statements of the current request (BEGIN and COMMIT included)


def db() -> psycopg.Connection[Any]:
    """This worker's connection, opened on first use (after the fork)."""
    global _connection
    if _connection is None or _connection.closed:
        _connection = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
        _connection.execute("SET TIME ZONE 'UTC'")
    return _connection


def sql(query: str, params: Any = ()) -> psycopg.Cursor[Any]:
    """Run one statement, counted for the ``X-Queries`` header."""
    global _queries
    _queries += 1
    return db().execute(query, params)


def cache() -> redis.Redis:
    global _redis
    if _redis is None:
        _redis = redis.Redis.from_url(os.environ["REDIS_URL"])
    return _redis


class Problem(Exception):
    def __init__(self, status: int, code: str, detail: str) -> None:
        self.status, self.code, self.detail = status, code, detail


def moment(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def money(value: Decimal) -> str:
    return str(value.quantize(CENT))


def cursor_link(base: str, tokens: str) -> str:
    encoded = base64.b64encode(tokens.encode()).decode()
    return f"{base}?cursor={quote(encoded, safe='')}"


def user_of(environ: dict[str, Any]) -> str:
    """The user id of a valid access token (HS256, unexpired), or 401."""
    header = environ.get("HTTP_AUTHORIZATION", "")
    try:
        scheme, token = header.split(" ", 1)
        head, payload, signature = token.split(".")
        expected = hmac.new(_secret, f"{head}.{payload}".encode(), hashlib.sha256)
        given = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
        claims = json.loads(
            base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        )
    except (ValueError, binascii.Error):
        raise Problem(401, "not_authenticated", "Sign in first.") from None
    if (
        scheme != "Bearer"
        or not hmac.compare_digest(expected.digest(), given)
        or claims.get("exp", 0) < time.time()
    ):
        raise Problem(401, "token_not_valid", "The token is not valid.")
    return str(claims["user_id"])


def member_store(environ: dict[str, Any], slug: str) -> tuple[Any, str]:
    """The store and the caller's role in it, read with the caller, as Orderly does."""
    user_id = user_of(environ)
    row = sql(
        "SELECT u.is_active, s.id, s.currency, (SELECT m.role FROM stores_membership m"
        " WHERE m.store_id = s.id AND m.user_id = u.id) FROM users_user u"
        " LEFT JOIN stores_store s ON s.slug = %s WHERE u.id = %s",
        (slug, user_id),
    ).fetchone()
    if row is None or not row[0]:
        raise Problem(401, "token_not_valid", "The token is not valid.")
    store = row[1:]
    if store[0] is None or store[2] is None:
        raise Problem(404, "not_found", "Not found.")
    return store, user_id


# --- Products: the public, cached storefront ----------------------------------


def store_by_slug(slug: str) -> tuple[Any, str]:
    store = sql(
        "SELECT id, currency FROM stores_store WHERE slug = %s", (slug,)
    ).fetchone()
    if store is None:
        raise Problem(404, "not_found", "Not found.")
    return store


def products(environ: dict[str, Any], slug: str, url: str) -> Response:
    # As Orderly does (ADR 0067): the store's id, remembered for a few seconds,
    # names the page, so a hit reads nothing from the database; a miss reads
    # the store as Orderly's view does.
    now = time.monotonic()
    known = _store_ids.get(slug)
    store: tuple[Any, str] | None = None
    if known is None or known[1] <= now:
        store = store_by_slug(slug)
        _store_ids[slug] = (store[0], now + 5)
        known = _store_ids[slug]
    version_key = f"floor:catalog:{known[0]}:version"
    version = cache().get(version_key)
    if version is None:
        cache().set(version_key, uuid.uuid4().hex, nx=True)
        version = cache().get(version_key)
    digest = hashlib.sha256(url.encode()).hexdigest()[:40]
    key = f"floor:page:{known[0]}:{version!r}:{digest}"
    cached = cache().get(key)
    if isinstance(cached, bytes):
        return "200 OK", [("X-Cache", "HIT")], cached
    if store is None:
        store = store_by_slug(slug)
    rows = sql(
        "SELECT p.id, p.sku, p.name, p.description, p.price, c.id, c.name,"
        " p.stock_quantity > 0, p.created_at, p.updated_at"
        " FROM products_product p LEFT JOIN products_category c"
        " ON c.id = p.category_id WHERE p.store_id = %s AND p.deleted_at IS NULL"
        " AND p.is_active ORDER BY p.id DESC LIMIT %s",
        (store[0], PAGE + 1),
    ).fetchall()
    results = [
        {
            "id": str(row[0]),
            "sku": row[1],
            "name": row[2],
            "description": row[3],
            "price": money(row[4]),
            "currency": store[1],
            "category": None if row[5] is None else {"id": str(row[5]), "name": row[6]},
            "in_stock": row[7],
            "created_at": moment(row[8]),
            "updated_at": moment(row[9]),
        }
        for row in rows[:PAGE]
    ]
    base = url.split("?", 1)[0]
    page = {
        "next": cursor_link(base, f"p={rows[PAGE - 1][0]}")
        if len(rows) > PAGE
        else None,
        "previous": None,
        "results": results,
    }
    body = json.dumps(page).encode()
    cache().set(key, body, ex=300)
    return "200 OK", [("X-Cache", "MISS")], body


# --- Orders ---------------------------------------------------------------------

ORDER_COLUMNS = (
    "o.id, o.number, o.status, o.currency, o.subtotal, o.total, o.item_count,"
    " c.id, c.email, c.first_name, c.last_name, o.created_at, o.expires_at"
)


def order_row(row: tuple[Any, ...]) -> dict[str, Any]:
    return {
        "id": str(row[0]),
        "number": row[1],
        "status": row[2],
        "currency": row[3],
        "subtotal": money(row[4]),
        "total": money(row[5]),
        "item_count": row[6],
        "customer": {
            "id": str(row[7]),
            "email": row[8],
            "first_name": row[9],
            "last_name": row[10],
        },
        "created_at": moment(row[11]),
        "expires_at": moment(row[12]),
    }


def decode_position(query: dict[str, list[str]]) -> str | None:
    encoded = query.get("cursor", [None])[0]
    if encoded is None:
        return None
    try:
        tokens = parse_qs(base64.b64decode(encoded, validate=True).decode())
        return str(uuid.UUID(tokens["p"][0]))
    except (ValueError, KeyError, binascii.Error):
        raise Problem(400, "invalid_cursor", "The cursor is not valid.") from None


def order_list(environ: dict[str, Any], slug: str, url: str) -> Response:
    store, _ = member_store(environ, slug)
    position = decode_position(parse_qs(environ.get("QUERY_STRING", "")))
    after = "" if position is None else " AND o.id < %s"
    params = (store[0],) if position is None else (store[0], position)
    rows = sql(
        f"SELECT {ORDER_COLUMNS} FROM orders_order o JOIN customers_customer c"  # noqa: S608
        f" ON c.id = o.customer_id WHERE o.store_id = %s{after}"
        " ORDER BY o.id DESC LIMIT %s",
        (*params, PAGE + 1),
    ).fetchall()
    base = url.split("?", 1)[0]
    page = {
        "next": cursor_link(base, f"p={rows[PAGE - 1][0]}")
        if len(rows) > PAGE
        else None,
        "previous": (
            cursor_link(base, f"r=1&p={rows[0][0]}") if position and rows else None
        ),
        "results": [order_row(row) for row in rows[:PAGE]],
    }
    return "200 OK", [], json.dumps(page).encode()


ALLOWED = {
    "pending": ["cancel", "pay"],
    "paid": ["ship", "refund"],
    "shipped": ["deliver"],
    "delivered": ["refund"],
}


def item_json(item: tuple[Any, ...]) -> dict[str, Any]:
    """A line: id, product, sku, name, unit price, quantity, total, restocked."""
    return {
        "id": str(item[0]),
        "product": str(item[1]),
        "sku": item[2],
        "name": item[3],
        "unit_price": money(item[4]),
        "quantity": item[5],
        "line_total": money(item[6]),
        "restocked_quantity": item[7],
    }


def order_detail(store_id: Any, order_id: str) -> dict[str, Any] | None:
    row = sql(
        f"SELECT {ORDER_COLUMNS}, o.shipping_address, o.notes, o.paid_at, o.shipped_at,"  # noqa: S608
        " o.delivered_at, o.cancelled_at, o.refunded_at, o.cancel_reason,"
        " o.carrier, o.tracking_number, o.updated_at FROM orders_order o"
        " JOIN customers_customer c ON c.id = o.customer_id"
        " WHERE o.store_id = %s AND o.id = %s",
        (store_id, order_id),
    ).fetchone()
    if row is None:
        return None
    items = sql(
        "SELECT id, product_id, sku, name, unit_price, quantity, line_total,"
        " restocked_quantity FROM orders_orderitem WHERE order_id = %s ORDER BY id",
        (order_id,),
    ).fetchall()
    events = sql(
        "SELECT e.id, e.type, u.id, u.email, e.data, e.at FROM orders_orderevent e"
        " LEFT JOIN users_user u ON u.id = e.actor_id WHERE e.order_id = %s"
        " ORDER BY e.id",
        (order_id,),
    ).fetchall()
    order = order_row(row)
    order["items"] = [item_json(item) for item in items]
    order.update(
        shipping_address=row[13],
        notes=row[14],
        paid_at=moment(row[15]),
        shipped_at=moment(row[16]),
        delivered_at=moment(row[17]),
        cancelled_at=moment(row[18]),
        refunded_at=moment(row[19]),
        cancel_reason=row[20],
        carrier=row[21],
        tracking_number=row[22],
        allowed_actions=ALLOWED.get(row[2], []),
    )
    order["events"] = [
        {
            "id": str(event[0]),
            "type": event[1],
            "actor": None
            if event[2] is None
            else {"id": str(event[2]), "email": event[3]},
            "data": event[4],
            "at": moment(event[5]),
        }
        for event in events
    ]
    order["updated_at"] = moment(row[23])
    return order


def order_get(environ: dict[str, Any], slug: str, order_id: str) -> Response:
    store, _ = member_store(environ, slug)
    order = order_detail(store[0], order_id)
    if order is None:
        raise Problem(404, "not_found", "Not found.")
    return "200 OK", [], json.dumps(order).encode()


def order_place(environ: dict[str, Any], slug: str) -> Response:
    """Orderly's placement, statement for statement, in one transaction."""
    store, user_id = member_store(environ, slug)
    length = int(environ.get("CONTENT_LENGTH") or 0)
    try:
        body = json.loads(environ["wsgi.input"].read(length))
        lines = {
            str(uuid.UUID(line["product"])): int(line["quantity"])
            for line in body["lines"]
        }
        customer_id = str(uuid.UUID(body["customer"]))
        address = body["shipping_address"]
    except (ValueError, KeyError, TypeError):
        raise Problem(400, "validation_error", "The order is not valid.") from None
    key = environ.get("HTTP_IDEMPOTENCY_KEY", uuid.uuid4().hex)
    fingerprint = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
    now = datetime.now(UTC)
    key_id = uuid.uuid4()
    connection = db()
    sql(
        "INSERT INTO orders_idempotencykey (id, created_at, updated_at, store_id,"
        " user_id, key, fingerprint, state)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, 'in_progress')",
        (key_id, now, now, store[0], user_id, key, fingerprint),
    )
    global _queries
    _queries += 2  # BEGIN and COMMIT, as Django's count has them
    with connection.transaction():
        customer: Any = sql(
            "SELECT id, email, first_name, last_name FROM customers_customer"
            " WHERE id = %s AND store_id = %s",
            (customer_id, store[0]),
        ).fetchone()
        if customer is None:
            raise Problem(400, "validation_error", "No such customer.")
        rows = sql(
            "SELECT id, sku, name, price, stock_quantity FROM products_product"
            " WHERE id = ANY(%s) AND store_id = %s AND is_active"
            " AND deleted_at IS NULL ORDER BY id FOR UPDATE",
            (list(lines), store[0]),
        ).fetchall()
        if len(rows) != len(lines):
            raise Problem(400, "validation_error", "No such product.")
        short = [row for row in rows if row[4] < lines[str(row[0])]]
        if short:
            raise Problem(409, "insufficient_stock", "Not enough in stock.")
        for row in rows:
            sql(
                "UPDATE products_product SET stock_quantity = stock_quantity - %s"
                " WHERE id = %s",
                (lines[str(row[0])], row[0]),
            )
        order_id = uuid.uuid4()
        with connection.cursor() as cursor:
            _queries += len(rows)
            cursor.executemany(
                "INSERT INTO products_stockmovement (id, created_at, updated_at,"
                " product_id, delta, reason, order_id, note, balance_after)"
                " VALUES (%s, %s, %s, %s, %s, 'order_placed', %s, '', %s)",
                [
                    (
                        uuid.uuid4(),
                        now,
                        now,
                        row[0],
                        -lines[str(row[0])],
                        order_id,
                        row[4] - lines[str(row[0])],
                    )
                    for row in rows
                ],
            )
        number = sql("SELECT nextval('orders_order_number_seq')").fetchall()[0]
        subtotal = sum((row[3] * lines[str(row[0])] for row in rows), Decimal(0))
        units = sum(lines.values())
        expires = now + timedelta(minutes=60)
        sql(
            "INSERT INTO orders_order (id, created_at, updated_at, store_id,"
            " customer_id, number, status, currency, subtotal, total, item_count,"
            " notes,"
            " shipping_address, placed_by_id, expires_at, cancel_reason, carrier,"
            " tracking_number) VALUES (%s, %s, %s, %s, %s, %s, 'pending', %s, %s, %s,"
            " %s, '', %s, %s, %s, '', '', '')",
            (
                order_id,
                now,
                now,
                store[0],
                customer_id,
                number[0],
                store[1],
                subtotal,
                subtotal,
                units,
                json.dumps(address),
                user_id,
                expires,
            ),
        )
        items = [
            (
                uuid.uuid4(),
                order_id,
                row[0],
                row[1],
                row[2],
                row[3],
                lines[str(row[0])],
                row[3] * lines[str(row[0])],
            )
            for row in rows
        ]
        with connection.cursor() as cursor:
            _queries += len(rows)
            cursor.executemany(
                "INSERT INTO orders_orderitem (id, order_id, product_id, sku, name,"
                " unit_price, quantity, line_total, restocked_quantity)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 0)",
                items,
            )
        event_id = uuid.uuid4()
        event_data = {"lines": len(rows), "total": money(subtotal)}
        sql(
            "INSERT INTO orders_orderevent (id, order_id, type, actor_id, data, at)"
            " VALUES (%s, %s, 'placed', %s, %s, %s)",
            (event_id, order_id, user_id, json.dumps(event_data), now),
        )
        sql(
            "INSERT INTO core_outboxmessage (id, created_at, updated_at, kind,"
            " dedup_key, payload, status, attempts, last_error, available_at)"
            " VALUES (%s, %s, %s, 'orders.confirmation', %s, %s, 'pending', 0, '', %s)"
            " ON CONFLICT DO NOTHING",
            (
                uuid.uuid4(),
                now,
                now,
                f"order-confirmation:{order_id}",
                json.dumps({"order_id": str(order_id)}),
                now,
            ),
        )
    order = {
        "id": str(order_id),
        "number": number[0],
        "status": "pending",
        "currency": store[1],
        "subtotal": money(subtotal),
        "total": money(subtotal),
        "item_count": units,
        "customer": {
            "id": str(customer[0]),
            "email": customer[1],
            "first_name": customer[2],
            "last_name": customer[3],
        },
        "created_at": moment(now),
        "expires_at": moment(expires),
        "items": [item_json((item[0], *item[2:], 0)) for item in items],
        "shipping_address": address,
        "notes": "",
        "paid_at": None,
        "shipped_at": None,
        "delivered_at": None,
        "cancelled_at": None,
        "refunded_at": None,
        "cancel_reason": "",
        "carrier": "",
        "tracking_number": "",
        "allowed_actions": ALLOWED["pending"],
        "events": [
            {
                "id": str(event_id),
                "type": "placed",
                "actor": {"id": user_id, "email": ""},
                "data": event_data,
                "at": moment(now),
            }
        ],
        "updated_at": moment(now),
    }
    answer = json.dumps(order)
    sql(
        "UPDATE orders_idempotencykey SET state = 'completed', response_status = 201,"
        " response_body = %s, order_id = %s WHERE id = %s",
        (answer, order_id, key_id),
    )
    return "201 Created", [], answer.encode()


# --- WSGI ------------------------------------------------------------------------


def route(environ: dict[str, Any]) -> Response:
    path = environ.get("PATH_INFO", "")
    method = environ.get("REQUEST_METHOD", "GET")
    if path == "/health/ready/":
        sql("SELECT 1")
        return "200 OK", [], b'{"status": "ok"}'
    match = STORE_PATH.match(path)
    if match is None:
        raise Problem(404, "not_found", "Not found.")
    slug, rest = match["slug"], match["rest"]
    query = environ.get("QUERY_STRING", "")
    url = f"https://{environ.get('HTTP_HOST', '')}{path}" + (
        f"?{query}" if query else ""
    )
    if rest == "products/" and method == "GET":
        return products(environ, slug, url)
    if rest == "orders/" and method == "GET":
        return order_list(environ, slug, url)
    if rest == "orders/" and method == "POST":
        return order_place(environ, slug)
    detail = ORDER_PATH.match(rest)
    if detail is not None and method == "GET":
        return order_get(environ, slug, detail["id"])
    raise Problem(404, "not_found", "Not found.")


def application(
    environ: dict[str, Any], start_response: Callable[..., Any]
) -> Iterable[bytes]:
    global _queries
    _queries = 0
    try:
        status, headers, body = route(environ)
        content_type = "application/json"
    except Problem as problem:
        status = f"{problem.status} {problem.code}"
        headers = []
        body = json.dumps(
            {
                "type": f"urn:orderly:problem:{problem.code}",
                "status": problem.status,
                "detail": problem.detail,
                "code": problem.code,
            }
        ).encode()
        content_type = "application/problem+json"
    start_response(
        status,
        [
            ("Content-Type", content_type),
            ("Content-Length", str(len(body))),
            ("X-Queries", str(_queries)),
            *headers,
        ],
    )
    return [body]
