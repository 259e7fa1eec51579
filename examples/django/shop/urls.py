from django.urls import path

from store import views

urlpatterns = [
    path("", views.home, name="home"),
    path("products/", views.product_list, name="product-list"),
    path("products/<slug:slug>/", views.product_detail, name="product-detail"),
    path("products/<slug:slug>/stock/", views.stock, name="stock"),
    path("checkout/", views.checkout, name="checkout"),
    path("checkout/thanks/<int:order_id>/", views.thanks, name="thanks"),
    path("reports/conversion/", views.conversion_report, name="conversion-report"),
    path("reports/sales/", views.sales_report, name="sales-report"),
    path("suppliers/feed/", views.supplier_feed, name="supplier-feed"),
    path("inventory/sync/", views.inventory_sync, name="inventory-sync"),
    path("payments/webhook/", views.payment_webhook, name="payment-webhook"),
    # [health-check-url]
    path("health-check/", views.health_check, name="health-check"),
    # [/health-check-url]
]
