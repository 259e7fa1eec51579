"""Email-style summary of yesterday's orders, run nightly from cron:

    0 3 * * *  cd /srv/shop && .venv/bin/python manage.py nightly_report

Each run sends check-ins to Vigil (in progress, then ok or error), so a run that
fails, hangs or never starts raises an alert. Without VIGIL_DSN the monitor is a no-op.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Sum
from django.utils import timezone
from sentry_sdk.crons import monitor

from store.models import Order

logger = logging.getLogger(__name__)

# [monitor]
MONITOR_CONFIG = {
    "schedule": {"type": "crontab", "value": "0 3 * * *"},
    # The crontab is read in the site's timezone: 03:00 in Paris when TIME_ZONE is "Europe/Paris".
    "timezone": settings.TIME_ZONE,
    "checkin_margin": 10,  # minutes late before the run counts as missed
    "max_runtime": 30,  # minutes in progress before it counts as timed out
}


class Command(BaseCommand):
    help = "Summarise the last 24 hours of orders."

    def add_arguments(self, parser):
        parser.add_argument("--fail", action="store_true", help="Simulate a failing run.")

    @monitor(monitor_slug="nightly-report", monitor_config=MONITOR_CONFIG)
    def handle(self, *args, fail=False, **options):
        since = timezone.now() - timedelta(days=1)
        summary = Order.objects.filter(created_at__gte=since).aggregate(orders=Count("id"), revenue=Sum("total"))
        if fail:
            raise CommandError("Report mailer unavailable (simulated with --fail)")
        logger.info("Nightly report: %d orders, revenue %s", summary["orders"], summary["revenue"] or 0)
        self.stdout.write(f"{summary['orders']} orders, revenue {summary['revenue'] or 0}")
# [/monitor]
