"""A bar chart of daily net sales, drawn on the server as inline SVG.

No script and no external asset: the admin page stays within its content
security policy and works offline. Every number in the markup is computed
here and every text is escaped by ``format_html``.
"""

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from apps.core.money import format_amount

WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 8, 8, 24, 28
GAP = 2


def _number(value: float) -> str:
    return f"{value:.1f}"


def net_sales_chart(
    *, net_sales: Mapping[date, Decimal], last_day: date, days: int, currency: str
) -> SafeString:
    """Bars of net sales for the ``days`` days up to ``last_day`` (none: zero)."""
    dates = [last_day - timedelta(days=n) for n in range(days - 1, -1, -1)]
    values = [net_sales.get(day, Decimal(0)) for day in dates]
    top = max([*values, Decimal(0)])
    bottom = min([*values, Decimal(0)])
    span = (top - bottom) or Decimal(1)
    plot_height = HEIGHT - TOP - BOTTOM
    step = (WIDTH - LEFT - RIGHT) / days

    def y(value: Decimal) -> float:
        return TOP + float((top - value) / span) * plot_height

    bars = format_html_join(
        "",
        '<rect class="bar{}" x="{}" y="{}" width="{}" height="{}" '
        'fill="{}"><title>{}: {}</title></rect>',
        (
            (
                " negative" if value < 0 else "",
                _number(LEFT + index * step + GAP / 2),
                _number(y(max(value, Decimal(0)))),
                _number(step - GAP),
                _number(
                    max(y(min(value, Decimal(0))) - y(max(value, Decimal(0))), 1.0)
                ),
                "#ba2121" if value < 0 else "#417690",
                f"{day:%a %d %b %Y}",
                format_amount(value, currency),
            )
            for index, (day, value) in enumerate(zip(dates, values, strict=True))
        ),
    )
    return format_html(
        # The width follows the page; the height follows the width.
        '<svg class="net-sales-chart" role="img" viewBox="0 0 {w} {h}" '
        'width="100%" aria-label="{label}">'
        '<line class="baseline" x1="{left}" x2="{right}" y1="{zero}" '
        'y2="{zero}" stroke="#999"/>{bars}'
        '<text x="{left}" y="14" font-size="12" fill="#666">{top_label}</text>'
        '<text x="{left}" y="{h_text}" font-size="12" fill="#666">{first}</text>'
        '<text x="{right}" y="{h_text}" font-size="12" fill="#666" '
        'text-anchor="end">{last}</text></svg>',
        w=WIDTH,
        h=HEIGHT,
        label=f"Net sales per day in {currency}, {dates[0]} to {dates[-1]}",
        left=LEFT,
        right=WIDTH - RIGHT,
        zero=_number(y(Decimal(0))),
        bars=bars,
        top_label=f"max {format_amount(top, currency)}",
        h_text=HEIGHT - 8,
        first=f"{dates[0]:%d %b}",
        last=f"{dates[-1]:%d %b}",
    )
