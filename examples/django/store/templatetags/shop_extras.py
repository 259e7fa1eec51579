from django import template

register = template.Library()


@register.filter
def stars(rating):
    """4.5 -> "★★★★☆". Bug: a product without reviews has rating None, and int(None) fails
    while the template renders (TypeError inside {{ rating|stars }})."""
    full = int(rating)
    return "★" * full + "☆" * (5 - full)
