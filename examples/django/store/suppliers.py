"""The coffee supplier's stock feed: three ways it fails, each reported differently.

- load_feed(): the feed is not valid JSON; the JSON error is re-raised as a
  SupplierFeedError (`raise ... from exc`), so Vigil shows both exceptions.
- stock_level(): a handled error; the page still answers, and the exception is
  reported with sentry_sdk.capture_exception().
- sync_inventory(): no exception at all, a logger.error() call; the SDK's logging
  integration turns ERROR records into events.
"""

import json
import logging

import sentry_sdk
from django.conf import settings

logger = logging.getLogger(__name__)

# What the supplier's endpoint returned during their last outage: an HTML error page.
LAST_FEED_RESPONSE = "<html><body><h1>502 Bad Gateway</h1></body></html>"

# Stock as the supplier reports it: counts, except "n/a" for discontinued lines.
SUPPLIER_STOCK = {"coffee-1": "12", "coffee-2": "0", "coffee-3": "n/a"}


class SupplierFeedError(Exception):
    """The supplier's feed could not be used."""


def load_feed():
    feed_token = settings.SUPPLIER_FEED_TOKEN
    body = LAST_FEED_RESPONSE
    try:
        return json.loads(body)
    except json.JSONDecodeError as exc:
        raise SupplierFeedError(f"supplier feed is not JSON ({len(body)} bytes)") from exc


def stock_level(slug):
    """Units in stock at the supplier, or None when it cannot be told (reported, not raised)."""
    reported = SUPPLIER_STOCK.get(slug, "0")
    try:
        return int(reported)
    except ValueError:
        sentry_sdk.capture_exception()
        return None


def sync_inventory(slugs, timeout_s=30):
    """Pretend to sync stock for `slugs`; the supplier times out, which is logged, not raised."""
    skipped = len(slugs)
    logger.error("Inventory sync skipped %d products: supplier timed out after %d s", skipped, timeout_s)
    return {"synced": 0, "skipped": skipped}
