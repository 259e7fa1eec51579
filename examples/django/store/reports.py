"""Numbers for the daily sales report. The bug lives in conversion_rate()."""

from django.conf import settings
from django.core.cache import cache

from .models import Order


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
    return round(100 * orders / visits, 1)
