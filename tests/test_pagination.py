"""Cursors: only what this server issued is accepted; anything else is 400."""

import base64

import pytest

from apps.stores.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.fixture
def member_client(auth_client, user):
    for _ in range(3):
        MembershipFactory(user=user, role="owner")
    return auth_client(user)


def test_issued_cursors_walk_every_page(member_client):
    seen = []
    url = "/api/v1/stores/?page_size=1"
    while url:
        body = member_client.get(url).json()
        seen += [store["slug"] for store in body["results"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) == 3
    previous = member_client.get(body["previous"]) if body["previous"] else None
    assert previous is None or previous.status_code == 200


@pytest.mark.parametrize(
    "cursor",
    [
        "",  # no issued cursor is empty
        "%00%00",  # not base64 at all
        "%FF",
        "not base64!",
        "A" * 3001,  # base64 alphabet, wrong length
        _b64("x=1"),  # base64 of something that is not a cursor
        _b64("o=-1"),
        _b64("o=1&o=2"),
        _b64("r=maybe"),
        _b64("p=garbage"),  # a position that is not an id
        _b64("p=1' OR '1'='1"),
        _b64("p=" + "9" * 200),
    ],
)
def test_a_cursor_not_issued_here_is_invalid_cursor_without_echo(member_client, cursor):
    response = member_client.get(f"/api/v1/stores/?cursor={cursor}")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid_cursor"
    assert body["errors"] == []
    assert "garbage" not in response.content.decode()
    assert "OR" not in body["detail"]


def test_an_issued_cursor_with_a_changed_page_size_still_works(member_client):
    next_url = member_client.get("/api/v1/stores/?page_size=1").json()["next"]
    response = member_client.get(next_url.replace("page_size=1", "page_size=2"))
    assert response.status_code == 200
    assert len(response.json()["results"]) == 2
