from django import forms

from .models import Product

COUNTRIES = [
    ("US", "United States"),
    ("GB", "United Kingdom"),
    ("DE", "Germany"),
    ("IE", "Ireland"),
]


class CheckoutForm(forms.Form):
    product = forms.ModelChoiceField(queryset=Product.objects.all(), empty_label=None)
    quantity = forms.IntegerField(min_value=1, max_value=20, initial=1)
    country = forms.ChoiceField(choices=COUNTRIES, initial="US")
    email = forms.EmailField()
