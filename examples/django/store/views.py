import json
import logging
from datetime import date

import sentry_sdk
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from . import suppliers
from .forms import CheckoutForm
from .models import Order, Product
from .pricing import order_totals
from .reports import conversion_rate, sales_by_product

logger = logging.getLogger(__name__)


def home(request):
    featured = Product.objects.filter(featured=True).select_related("category")
    return render(request, "store/home.html", {"featured": featured})


def product_list(request):
    """The slow page: an N+1 query pattern, one review query per product.

    The fix would be `.prefetch_related("reviews")` (or an annotated review average);
    it is left in on purpose so performance monitoring has something to find.
    """
    rows = []
    for product in Product.objects.select_related("category"):
        reviews = list(product.reviews.all())
        rating = sum(r.rating for r in reviews) / len(reviews) if reviews else None
        rows.append({"product": product, "category": product.category.name, "rating": rating})
    # [product-list-log]
    # One line per request; the `extra` fields become attributes Vigil can search (attr.products:12).
    logger.info(
        "Rendered product list with %d products",
        len(rows),
        extra={"products": len(rows), "unrated": sum(1 for r in rows if r["rating"] is None), "customer": request.customer_id or "anonymous"},
    )
    # [/product-list-log]
    return render(request, "store/product_list.html", {"rows": rows})


def product_detail(request, slug):
    """Renders the rating with the `stars` filter, which fails for products without reviews."""
    product = get_object_or_404(Product.objects.select_related("category"), slug=slug)
    reviews = list(product.reviews.all())
    rating = sum(r.rating for r in reviews) / len(reviews) if reviews else None
    return render(request, "store/product_detail.html", {"product": product, "reviews": reviews, "rating": rating})


def checkout(request):
    if request.method == "POST":
        form = CheckoutForm(request.POST)
        if form.is_valid():
            product = form.cleaned_data["product"]
            quantity = form.cleaned_data["quantity"]
            country = form.cleaned_data["country"]
            logger.info("Checkout started for %s x%d to %s", product.slug, quantity, country)
            totals = order_totals(product, quantity, country)
            order = Order.objects.create(product=product, quantity=quantity, country=country, **totals)
            logger.info("Order %d placed, total %s", order.id, order.total)
            return redirect("thanks", order_id=order.id)
        logger.warning("Checkout form invalid: %s", ", ".join(form.errors), extra={"invalid_fields": sorted(form.errors)})
    else:
        form = CheckoutForm(initial={"product": request.GET.get("product")})
    return render(request, "store/checkout.html", {"form": form})


def thanks(request, order_id):
    order = get_object_or_404(Order.objects.select_related("product"), pk=order_id)
    return render(request, "store/thanks.html", {"order": order})


@require_GET
def conversion_report(request):
    """`?day=YYYY-MM-DD` (default today). Raises ZeroDivisionError for a day without visits."""
    try:
        day = date.fromisoformat(request.GET["day"]) if "day" in request.GET else timezone.now().date()
    except ValueError:
        return HttpResponseBadRequest("day must be YYYY-MM-DD")
    rate = conversion_rate(day)
    return JsonResponse({"day": day.isoformat(), "conversion_rate": rate})


@require_GET
def sales_report(request):
    """The slow page: its one query takes 0.6 s (see reports.sales_by_product)."""
    return JsonResponse({"sales": sales_by_product()})


@require_GET
def supplier_feed(request):
    """Raises SupplierFeedError, chained from the JSONDecodeError that caused it."""
    return JsonResponse({"products": suppliers.load_feed()})


@require_GET
def stock(request, slug):
    """Always 200: when the supplier's stock can't be read, the error is reported and stock is null."""
    product = get_object_or_404(Product, slug=slug)
    return JsonResponse({"product": product.slug, "stock": suppliers.stock_level(product.slug)})


@require_GET
def inventory_sync(request):
    """Always 200; the supplier's timeout is logged with logger.error (an event in Vigil)."""
    slugs = list(Product.objects.values_list("slug", flat=True))
    return JsonResponse(suppliers.sync_inventory(slugs))


@csrf_exempt
@require_POST
def payment_webhook(request):
    """The payment provider posts `{"order": 1234, "status": "declined", "reference": "..."}`.

    A declined payment is not an exception, but worth knowing about: it is reported with
    sentry_sdk.capture_message(). The text carries the order id and reference, which differ
    every time; Vigil still groups all of them into one issue.
    """
    try:
        payload = json.loads(request.body)
        order_id, status, reference = int(payload["order"]), str(payload["status"]), str(payload["reference"])
    except (ValueError, KeyError, TypeError):
        return HttpResponseBadRequest("expected JSON with order, status and reference")
    # [sdk-logger]
    # sentry-sdk's own logger: each {placeholder} is kept as an attribute of the line
    # (sentry.message.parameter.status ...), `attributes` are added as they are.
    sentry_sdk.logger.info(
        "Payment webhook: order {order_id} {status}", order_id=order_id, status=status, attributes={"payment.reference": reference}
    )
    # [/sdk-logger]
    if status == "declined":
        sentry_sdk.capture_message(f"Payment declined for order {order_id} (reference {reference})", level="warning")
    return JsonResponse({"received": True})


# [health-check]
@never_cache
@require_GET
def health_check(request):
    """For uptime monitors: 200 when the database and cache answer and every migration is applied, 503 otherwise."""
    checks = {"database": _database_status(), "cache": _cache_status(), "migrations": _migrations_status()}
    healthy = all(status == "ok" for status in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)


def _database_status():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("Health check: database unavailable")
        return "error"
    return "ok"
# [/health-check]


def _migrations_status():
    """"pending" after a deploy that forgot `manage.py migrate`: the code expects tables that are not there yet."""
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception:
        logger.exception("Health check: cannot read the migration state")
        return "error"
    if pending:
        logger.error("Health check: %d migrations not applied", len(pending))
        return "pending"
    return "ok"


def _cache_status():
    try:
        cache.set("health-check", "ok", timeout=5)
        if cache.get("health-check") != "ok":
            raise RuntimeError("cache did not return the value just written")
    except Exception:
        logger.exception("Health check: cache unavailable")
        return "error"
    return "ok"
