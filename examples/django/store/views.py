import logging

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .forms import CheckoutForm
from .models import Order, Product
from .pricing import order_totals

logger = logging.getLogger(__name__)


def home(request):
    featured = Product.objects.filter(featured=True).select_related("category")
    return render(request, "store/home.html", {"featured": featured})


def product_list(request):
    """The slow page: an N+1 query pattern, one category and one review query per product.

    The fix would be `.select_related("category")` and an annotated review average;
    it is left in on purpose so performance monitoring has something to find.
    """
    rows = []
    for product in Product.objects.all():
        reviews = list(product.reviews.all())
        rating = sum(r.rating for r in reviews) / len(reviews) if reviews else None
        rows.append({"product": product, "category": product.category.name, "rating": rating})
    logger.info("Rendered product list with %d products", len(rows))
    return render(request, "store/product_list.html", {"rows": rows})


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
        logger.warning("Checkout form invalid: %s", ", ".join(form.errors))
    else:
        form = CheckoutForm(initial={"product": request.GET.get("product")})
    return render(request, "store/checkout.html", {"form": form})


def thanks(request, order_id):
    order = get_object_or_404(Order.objects.select_related("product"), pk=order_id)
    return render(request, "store/thanks.html", {"order": order})


@never_cache
@require_GET
def health_check(request):
    """For uptime monitors: 200 when the database and cache answer, 503 otherwise."""
    checks = {"database": _database_status(), "cache": _cache_status()}
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


def _cache_status():
    try:
        cache.set("health-check", "ok", timeout=5)
        if cache.get("health-check") != "ok":
            raise RuntimeError("cache did not return the value just written")
    except Exception:
        logger.exception("Health check: cache unavailable")
        return "error"
    return "ok"
