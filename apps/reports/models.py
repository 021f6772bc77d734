"""Daily sales reports: one row per store and store-local date.

Invariants:
- A report's ``date`` is a calendar day in the store's time zone; its window
  runs from that day's local midnight to the next one (23 or 25 hours on a
  daylight-saving change day). ``apps.reports.days`` computes the windows.
- A report holds figures only: it is rebuilt from the orders by
  ``daily_sales_report_build``, which upserts it, and is never edited by hand.
- Amounts are in the report's ``currency`` (the store's), stored with three
  decimals like every amount (``apps.core.money``) and shown with the
  currency's minor unit.
"""

from django.db import models

from apps.core.models import BaseModel
from apps.core.money import CURRENCY_CHOICES, money_field, money_total_field
from apps.stores.models import Store


class DailySalesReport(BaseModel):
    store = models.ForeignKey(
        Store, on_delete=models.CASCADE, related_name="daily_sales_reports"
    )
    date = models.DateField(help_text="The day in the store's time zone.")
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    # Orders placed in the window, whatever became of them.
    orders_placed = models.PositiveIntegerField()
    # Orders whose payment was recorded in the window: the day's sales.
    orders_paid = models.PositiveIntegerField()
    gross_sales = money_total_field(help_text="Totals of the orders paid that day.")
    refunds = money_total_field(help_text="Totals of the orders refunded that day.")
    # Gross sales less refunds; negative when refunds of earlier sales exceed them.
    net_sales = money_total_field()
    average_order_value = money_field(help_text="Gross sales per paid order.")
    items_sold = models.PositiveIntegerField(help_text="Units in the orders paid.")
    new_customers = models.PositiveIntegerField(
        help_text="Customers whose first paid order was paid that day."
    )
    # [{"sku", "name", "quantity", "revenue"}], best revenue first.
    top_products = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["store", "-date"]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "date"],
                name="reports_dailysalesreport_store_date_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.store} — {self.date:%Y-%m-%d}"
