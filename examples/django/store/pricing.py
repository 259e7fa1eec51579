"""Order totals. The bug lives here: see SHIPPING_RATES."""

from decimal import Decimal

# Per-kilogram shipping rates by destination. Ireland was added to the checkout
# form's country list for the EU launch, but nobody added its rate here — so every
# Irish order fails with KeyError('IE'). Developers test with the default country
# (US), so it only ever happens in production.
SHIPPING_RATES = {
    "US": Decimal("4.50"),
    "GB": Decimal("6.00"),
    "DE": Decimal("5.50"),
}

FREE_SHIPPING_OVER = Decimal("150.00")


def shipping_cost(country, weight_kg, subtotal):
    if subtotal >= FREE_SHIPPING_OVER:
        return Decimal("0.00")
    rate_per_kg = SHIPPING_RATES[country]
    return (rate_per_kg * weight_kg).quantize(Decimal("0.01"))


def order_totals(product, quantity, country):
    subtotal = product.price * quantity
    weight_kg = product.weight_kg * quantity
    shipping = shipping_cost(country, weight_kg, subtotal)
    return {"subtotal": subtotal, "shipping": shipping, "total": subtotal + shipping}
