from django.urls import path

from store import views

urlpatterns = [
    path("", views.home, name="home"),
    path("products/", views.product_list, name="product-list"),
    path("checkout/", views.checkout, name="checkout"),
    path("checkout/thanks/<int:order_id>/", views.thanks, name="thanks"),
    path("health-check/", views.health_check, name="health-check"),
]
