"""Settings for the example shop.

Everything that differs between a laptop and production comes from the
environment. Monitoring is switched on by one variable, VIGIL_DSN: the DSN shown
on the project's setup page in Vigil.
"""

import logging
import os
from pathlib import Path

import sentry_sdk
from django.core.exceptions import ImproperlyConfigured
from sentry_sdk.integrations.logging import LoggingIntegration, ignore_logger

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "insecure-example-key-change-me")
DEBUG = os.environ.get("DJANGO_DEBUG", "0") == "1"
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "store",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "store.middleware.CustomerMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# Milliseconds added to every database query, as a database across the network would (0 = SQLite's own speed).
SHOP_DB_LATENCY_MS = float(os.environ.get("SHOP_DB_LATENCY_MS", "0"))

ROOT_URLCONF = "shop.urls"
WSGI_APPLICATION = "shop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("SHOP_DB_PATH", BASE_DIR / "db.sqlite3"),
    }
}

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "shop",
    }
}

SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
MESSAGE_STORAGE = "django.contrib.messages.storage.cookie.CookieStorage"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Credentials for the services the shop talks to. They end up in local variables of
# failing frames, which is why Vigil scrubs secret-looking values before storing them.
ANALYTICS_API_KEY = os.environ.get("ANALYTICS_API_KEY", "ak_live_4f9c2e7b1d8a6035")
SUPPLIER_FEED_TOKEN = os.environ.get("SUPPLIER_FEED_TOKEN", "sft_8d1e6b0a9c3f4725")

# Plain `logging` to the console. Where records also go in Vigil depends on VIGIL_LOGS below.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "{asctime} {levelname} {name} {message}", "style": "{"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
    },
}

# --- Vigil -------------------------------------------------------------------
# How `logging` records reach Vigil as log lines, one of:
#   "sdk"  sentry-sdk's own logs (enable_logs=True), linked to the request's trace (the default);
#   "otlp" OpenTelemetry's OTLP/HTTP exporter (shop/otel.py), for apps that already use OpenTelemetry;
#   "http" shop/vigil_logging.py: gzip NDJSON to /api/<id>/logs/ with the standard library only;
#   "off"  no log lines (errors and performance are still sent).
# VIGIL_OTLP_LOGS=1 is the older spelling of VIGIL_LOGS=otlp.
VIGIL_LOGS = os.environ.get("VIGIL_LOGS", "otlp" if os.environ.get("VIGIL_OTLP_LOGS") == "1" else "sdk")
if VIGIL_LOGS not in {"sdk", "otlp", "http", "off"}:
    raise ImproperlyConfigured(f"VIGIL_LOGS must be sdk, otlp, http or off, not {VIGIL_LOGS!r}")

# [sentry]
# The official Sentry SDK, pointed at Vigil. DjangoIntegration and LoggingIntegration
# are enabled automatically; nothing is sent unless VIGIL_DSN is set.
VIGIL_DSN = os.environ.get("VIGIL_DSN", "")

if VIGIL_DSN:
    sentry_sdk.init(
        dsn=VIGIL_DSN,
        environment=os.environ.get("VIGIL_ENVIRONMENT", "development"),
        release=os.environ.get("VIGIL_RELEASE", "shop@0.1.0"),
        # Errors: on by default. Performance: one transaction per request.
        traces_sample_rate=1.0,
        # Logs: `logging` records (and sentry_sdk.logger calls) become Vigil log lines,
        # each with the trace id of the request it was written in.
        enable_logs=VIGIL_LOGS == "sdk",
        integrations=[
            # The SDK's defaults, spelled out: INFO and up become log lines (with enable_logs)
            # and breadcrumbs; ERROR and up also become error events (issues).
            LoggingIntegration(sentry_logs_level=logging.INFO, level=logging.INFO, event_level=logging.ERROR),
        ],
        # Don't send cookies, user IPs or request bodies.
        send_default_pii=False,
    )
    # store.reports logs an error just before the exception it describes is raised; the
    # exception is the issue, so that logger's records stay log lines and not a second event.
    ignore_logger("store.reports")
    # [/sentry]

    # [log-handlers]
    if VIGIL_LOGS == "otlp":
        from shop.otel import otlp_logging_handler

        LOGGING["handlers"]["otlp"] = otlp_logging_handler(VIGIL_DSN)
        LOGGING["root"]["handlers"].append("otlp")
    elif VIGIL_LOGS == "http":
        LOGGING["handlers"]["vigil"] = {"class": "shop.vigil_logging.VigilHandler", "dsn": VIGIL_DSN, "service": "shop"}
        LOGGING["root"]["handlers"].append("vigil")
    # [/log-handlers]
