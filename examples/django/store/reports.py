"""Numbers for the daily sales report. The bug lives in conversion_rate()."""

import logging

from django.conf import settings
from django.core.cache import cache

from .models import Order

logger = logging.getLogger(__name__)


def visits_on(day, api_key):
    """Visits counted by the analytics service on `day`; 0 when it recorded none.

    A real shop would call the analytics API with `api_key`; here the counter lives in
    the cache, so any day nobody has counted yet has no visits.
    """
    return cache.get(f"visits:{day.isoformat()}", 0)


def conversion_rate(day):
    """Percentage of visits that became orders on `day`.

    Bug: a day without recorded visits (the analytics service was down, or the day has
    just begun) divides by zero, so the report page fails with ZeroDivisionError.
    """
    analytics_api_key = settings.ANALYTICS_API_KEY
    visits = visits_on(day, analytics_api_key)
    orders = Order.objects.filter(created_at__date=day).count()
    if not visits:
        # Logged, then it fails: the log line says what the traceback does not (which day, how many orders).
        logger.error("No visits recorded on %s; %d orders cannot be turned into a conversion rate", day, orders, extra={"report_day": day.isoformat()})
    return round(100 * orders / visits, 1)


# How long the sales report's query takes: a stand-in for a missing index on a large table.
SALES_QUERY_SECONDS = 0.6


def _sqlite_pg_sleep(seconds):
    import time

    time.sleep(float(seconds))
    return 0


def sales_by_product(seconds=None):
    """Revenue per product, with a slow query: PostgreSQL's pg_sleep() in the SELECT, which the SQLite
    connection provides too. Vigil reports it as a slow DB query on /reports/sales/."""
    from django.db import connection

    seconds = SALES_QUERY_SECONDS if seconds is None else seconds
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        connection.connection.create_function("pg_sleep", 1, _sqlite_pg_sleep)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT o.product_id, SUM(o.total), pg_sleep(%s) FROM store_order o GROUP BY o.product_id",
            [seconds],
        )
        rows = cursor.fetchall()
        if not rows:
            # No orders yet: the query still takes its time, once.
            cursor.execute("SELECT pg_sleep(%s)", [seconds])
    return [{"product": product_id, "revenue": str(total)} for product_id, total, _ in rows]
