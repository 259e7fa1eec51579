"""The example's own tests: the pages behave as the README describes, without Vigil."""

from io import StringIO

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from store.models import Order, Product


class PagesTest(TestCase):
    def test_home_lists_featured_products(self):
        response = self.client.get("/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, Product.objects.filter(featured=True).first().name)

    def test_product_list_runs_one_query_per_product_and_relation(self):
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get("/products/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(queries), 1 + 2 * Product.objects.count())

    def test_health_check_reports_database_and_cache(self):
        response = self.client.get("/health-check/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"status": "ok", "database": "ok", "cache": "ok"})

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


class NightlyReportTest(TestCase):
    def test_reports_orders(self):
        out = StringIO()
        call_command("nightly_report", stdout=out)
        self.assertIn("0 orders", out.getvalue())

    def test_fail_flag_fails_the_run(self):
        with self.assertRaises(CommandError):
            call_command("nightly_report", "--fail")
