"""Store-scoped endpoints of the reports app, for the tenancy matrix (tests/).

Reports are for owners and managers: staff are refused (403), anyone who is
not a member of the store is told it does not exist (404). A report is named
by its date within its store: store B has no report of store A's day, so A's
day through B's URL is a 404.
"""

from datetime import date

from apps.core.testing import members_only

from .factories import DailySalesReportFactory

PREFIX = "api/v1/stores/<str:store_slug>/reports/"
DAY = date(2026, 3, 10)
DAY_OF_B = date(2026, 3, 9)

ENDPOINTS = [
    ("GET", PREFIX + "daily/", None, members_only(200, 200, 403)),
    ("GET", PREFIX + "daily/<isodate:date>/", None, members_only(200, 200, 403)),
    ("GET", PREFIX + "today/", None, members_only(200, 200, 403)),
]


def build(world):
    DailySalesReportFactory(store=world.store_a, date=DAY)
    DailySalesReportFactory(store=world.store_b, date=DAY_OF_B)
    world.params["date"] = DAY
    world.foreign["date"] = DAY_OF_B
