"""CSV rendering of daily reports, chosen by ``Accept: text/csv`` or ``?format=csv``.

Every column is a date, a code, a count or an amount (no free text), so a
spreadsheet never reads a cell as a formula. Top products are not exported:
they are a list per day, which one flat row cannot hold.
"""

import csv
import io
from collections.abc import Mapping
from typing import Any

from rest_framework.renderers import BaseRenderer

COLUMNS = (
    "date",
    "currency",
    "orders_placed",
    "orders_paid",
    "gross_sales",
    "refunds",
    "net_sales",
    "average_order_value",
    "items_sold",
    "new_customers",
)


class DailyReportCSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        rows = [data] if isinstance(data, Mapping) else list(data or [])
        out = io.StringIO()
        writer = csv.DictWriter(
            out, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\r\n"
        )
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue().encode(self.charset)
