"""The example's own tests: the pages behave as the README describes, without Vigil."""

import json
from io import StringIO
from unittest import mock

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from store.models import Order, Product
from store.suppliers import SupplierFeedError


class PagesTest(TestCase):
    def test_home_lists_featured_products(self):
        response = self.client.get("/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, Product.objects.filter(featured=True).first().name)

    def test_product_list_runs_one_review_query_per_product(self):
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get("/products/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(queries), 1 + Product.objects.count())

    def test_sales_report_is_slow_but_right(self):
        from unittest import mock as m

        with m.patch("store.reports.SALES_QUERY_SECONDS", 0.01):
            response = self.client.get("/reports/sales/")
        self.assertEqual(response.status_code, 200)
        self.assertIn("sales", response.json())

    def test_health_check_reports_database_cache_and_migrations(self):
        response = self.client.get("/health-check/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"status": "ok", "database": "ok", "cache": "ok", "migrations": "ok"})

    def test_health_check_is_503_when_a_migration_is_not_applied(self):
        from django.db import connection
        from django.db.migrations.recorder import MigrationRecorder

        MigrationRecorder(connection).migration_qs.filter(app="store", name="0002_seed_catalog").delete()
        with self.assertLogs("store.views", level="ERROR"):
            response = self.client.get("/health-check/")
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.json()["migrations"], "pending")

    def test_checkout_to_the_us_places_an_order(self):
        product = Product.objects.first()
        response = self.client.post(
            "/checkout/", {"product": product.pk, "quantity": 1, "country": "US", "email": "a@example.com"}
        )
        order = Order.objects.get()
        self.assertRedirects(response, f"/checkout/thanks/{order.pk}/")
        self.assertEqual(order.total, order.subtotal + order.shipping)

    def test_checkout_to_ireland_raises_the_production_bug(self):
        product = Product.objects.order_by("price").first()
        with self.assertRaises(KeyError):
            self.client.post(
                "/checkout/", {"product": product.pk, "quantity": 1, "country": "IE", "email": "a@example.com"}
            )
        self.assertFalse(Order.objects.exists())


class BugsTest(TestCase):
    """The pages that fail on purpose, so Vigil has errors to show (see README)."""

    def test_product_without_reviews_fails_in_the_template(self):
        product = Product.objects.filter(reviews__isnull=True).first()
        with self.assertRaises(TypeError):
            self.client.get(f"/products/{product.slug}/")

    def test_product_with_reviews_renders_stars(self):
        product = Product.objects.filter(reviews__isnull=False).first()
        response = self.client.get(f"/products/{product.slug}/")
        self.assertContains(response, "★")

    def test_conversion_report_divides_by_zero_on_a_day_without_visits(self):
        with self.assertRaises(ZeroDivisionError):
            self.client.get("/reports/conversion/?day=2026-01-05")

    def test_conversion_report_with_visits(self):
        from django.core.cache import cache

        cache.set("visits:2026-01-06", 40)
        response = self.client.get("/reports/conversion/?day=2026-01-06")
        self.assertEqual(response.json(), {"day": "2026-01-06", "conversion_rate": 0.0})

    def test_supplier_feed_raises_a_chained_error(self):
        with self.assertRaises(SupplierFeedError) as raised:
            self.client.get("/suppliers/feed/")
        self.assertIsInstance(raised.exception.__cause__, json.JSONDecodeError)

    def test_stock_reports_the_handled_error_and_answers_200(self):
        with mock.patch("sentry_sdk.capture_exception") as capture:
            response = self.client.get("/products/coffee-3/stock/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"product": "coffee-3", "stock": None})
        capture.assert_called_once_with()

    def test_inventory_sync_logs_an_error(self):
        with self.assertLogs("store.suppliers", "ERROR") as logs:
            response = self.client.get("/inventory/sync/")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Inventory sync skipped", logs.output[0])

    def test_declined_payment_sends_a_message(self):
        with mock.patch("sentry_sdk.capture_message") as capture:
            response = self.client.post(
                "/payments/webhook/",
                {"order": 1234, "status": "declined", "reference": "9f8e7d6c"},
                content_type="application/json",
            )
        self.assertEqual(response.status_code, 200)
        capture.assert_called_once_with("Payment declined for order 1234 (reference 9f8e7d6c)", level="warning")

    def test_customer_headers_set_the_user(self):
        with mock.patch("sentry_sdk.set_user") as set_user:
            self.client.get("/", headers={"X-Customer-Id": "17", "X-Customer-Email": "ann@example.com"})
        set_user.assert_called_once_with({"id": "17", "email": "ann@example.com"})


class VigilTestCommandTest(TestCase):
    def test_without_a_dsn_it_says_so(self):
        with mock.patch("sentry_sdk.get_client") as get_client:
            get_client.return_value.is_active.return_value = False
            with self.assertRaisesMessage(CommandError, "VIGIL_DSN"):
                call_command("vigil_test")


class NightlyReportTest(TestCase):
    def test_reports_orders(self):
        out = StringIO()
        call_command("nightly_report", stdout=out)
        self.assertIn("0 orders", out.getvalue())

    def test_fail_flag_fails_the_run(self):
        with self.assertRaises(CommandError):
            call_command("nightly_report", "--fail")


class LoggingTest(TestCase):
    """The log lines the shop writes for Vigil, and the standard-library handler that can ship them."""

    def test_product_list_logs_one_info_line_with_fields(self):
        with self.assertLogs("store.views", "INFO") as logs:
            self.client.get("/products/", headers={"X-Customer-Id": "17"})
        (record,) = [r for r in logs.records if r.getMessage().startswith("Rendered product list")]
        self.assertEqual(record.products, Product.objects.count())
        self.assertEqual(record.customer, "17")

    def test_conversion_report_logs_an_error_before_failing(self):
        with self.assertLogs("store.reports", "ERROR") as logs, self.assertRaises(ZeroDivisionError):
            self.client.get("/reports/conversion/?day=2026-01-05")
        self.assertIn("No visits recorded on 2026-01-05", logs.output[0])
        self.assertEqual(logs.records[0].report_day, "2026-01-05")

    def test_invalid_checkout_logs_a_warning(self):
        with self.assertLogs("store.views", "WARNING") as logs:
            response = self.client.post("/checkout/", {"quantity": 1, "country": "US", "email": "not-an-email"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(logs.records[0].invalid_fields, ["email", "product"])


class VigilHandlerTest(TestCase):
    def test_endpoint_and_key_come_from_the_dsn(self):
        from shop.vigil_logging import logs_endpoint

        key = "0123456789abcdef0123456789abcdef"
        self.assertEqual(logs_endpoint(f"http://{key}@127.0.0.1:8787/42"), ("http://127.0.0.1:8787/api/42/logs/", key))
        self.assertEqual(logs_endpoint(f"https://{key}@vigil.example.com/vigil/7"), ("https://vigil.example.com/vigil/api/7/logs/", key))

    def test_posts_gzip_ndjson_with_the_key_and_the_extra_fields(self):
        import gzip
        import logging
        import threading
        from http.server import BaseHTTPRequestHandler, HTTPServer

        from shop.vigil_logging import VigilHandler

        received = []

        class Receiver(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((self.path, dict(self.headers), gzip.decompress(body).decode()))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"accepted": 2, "rejected": 0, "errors": []}')

            def log_message(self, *args):
                pass

        server = HTTPServer(("127.0.0.1", 0), Receiver)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.shutdown)
        key = "0123456789abcdef0123456789abcdef"
        handler = VigilHandler(f"http://{key}@127.0.0.1:{server.server_port}/5", service="shop", interval=30)
        log = logging.getLogger("shop.test.vigil")
        log.addHandler(handler)
        self.addCleanup(log.removeHandler, handler)
        log.warning("Stock low for %s", "coffee-1", extra={"sku": "coffee-1", "left": 2})
        try:
            1 / 0
        except ZeroDivisionError:
            log.exception("Report failed")
        handler.flush()

        self.assertEqual(len(received), 1)
        path, headers, body = received[0]
        self.assertEqual(path, "/api/5/logs/")
        self.assertEqual(headers["Authorization"], f"Bearer {key}")
        self.assertEqual(headers["Content-Encoding"], "gzip")
        self.assertEqual(headers["Content-Type"], "application/x-ndjson")
        first, second = [json.loads(line) for line in body.splitlines()]
        self.assertEqual(first["message"], "Stock low for coffee-1")
        self.assertEqual((first["level"], first["logger"], first["service"]), ("WARNING", "shop.test.vigil", "shop"))
        self.assertEqual((first["sku"], first["left"]), ("coffee-1", 2))
        self.assertRegex(first["timestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$")
        self.assertEqual(second["level"], "ERROR")
        self.assertIn("ZeroDivisionError: division by zero", second["message"])
