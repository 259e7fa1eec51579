import time

from django.apps import AppConfig
from django.conf import settings
from django.db.backends.signals import connection_created


def _network_latency(execute, sql, params, many, context):
    """What a database across the network adds to every query; the example's SQLite answers in microseconds."""
    time.sleep(settings.SHOP_DB_LATENCY_MS / 1000)
    return execute(sql, params, many, context)


def _add_latency(sender, connection, **kwargs):
    if _network_latency not in connection.execute_wrappers:
        connection.execute_wrappers.append(_network_latency)


class StoreConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "store"

    def ready(self):
        # SHOP_DB_LATENCY_MS=3 makes the performance pages look like production (see README).
        if settings.SHOP_DB_LATENCY_MS > 0:
            connection_created.connect(_add_latency)
