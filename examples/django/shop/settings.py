"""Settings for the example shop.

Everything that differs between a laptop and production comes from the
environment. Monitoring is switched on by one variable, VIGIL_DSN: the DSN shown
on the project's setup page in Vigil.
"""

import os
from pathlib import Path

import sentry_sdk

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

# Plain `logging` to the console. With enable_logs=True below, sentry-sdk's logging
# integration also sends every record at INFO and above to Vigil as a log line.
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
# The official Sentry SDK, pointed at Vigil. DjangoIntegration and LoggingIntegration
# are enabled automatically; nothing is sent unless VIGIL_DSN is set.
VIGIL_DSN = os.environ.get("VIGIL_DSN", "")
# Ship logs over OpenTelemetry (OTLP/HTTP) instead of through the Sentry SDK.
VIGIL_OTLP_LOGS = os.environ.get("VIGIL_OTLP_LOGS") == "1"

if VIGIL_DSN:
    sentry_sdk.init(
        dsn=VIGIL_DSN,
        environment=os.environ.get("VIGIL_ENVIRONMENT", "development"),
        release=os.environ.get("VIGIL_RELEASE", "shop@0.1.0"),
        # Errors: on by default. Performance: one transaction per request.
        traces_sample_rate=1.0,
        # Logs: `logging` records become Vigil log lines, linked to the trace.
        enable_logs=not VIGIL_OTLP_LOGS,
        # Don't send cookies, user IPs or request bodies.
        send_default_pii=False,
    )

    if VIGIL_OTLP_LOGS:
        from shop.otel import otlp_logging_handler

        LOGGING["handlers"]["otlp"] = otlp_logging_handler(VIGIL_DSN)
        LOGGING["root"]["handlers"].append("otlp")
