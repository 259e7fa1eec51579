"""A small catalog so every page has something to show right after `migrate`."""

from decimal import Decimal

from django.db import migrations

CATALOG = {
    "Coffee": ["Ethiopia Yirgacheffe", "Colombia Huila", "Kenya AA", "House Espresso", "Decaf Swiss Water", "Guatemala Antigua"],
    "Brewing": ["Pour-over Dripper", "Paper Filters (100)", "Gooseneck Kettle", "Hand Grinder", "French Press", "Scale with Timer"],
    "Tea": ["Sencha", "Assam Breakfast", "Earl Grey", "Chamomile", "Oolong", "Rooibos"],
    "Mugs": ["Stoneware Mug", "Travel Tumbler", "Espresso Cups (2)", "Glass Mug", "Enamel Camp Mug", "Double-wall Cup"],
}


def seed(apps, schema_editor):
    Category = apps.get_model("store", "Category")
    Product = apps.get_model("store", "Product")
    Review = apps.get_model("store", "Review")
    n = 0
    for category_name, names in CATALOG.items():
        category = Category.objects.create(name=category_name, slug=category_name.lower())
        for name in names:
            n += 1
            product = Product.objects.create(
                name=name,
                slug=f"{category.slug}-{n}",
                category=category,
                price=Decimal(8 + (n * 7) % 40) + Decimal("0.99"),
                weight_kg=Decimal("0.25") * (1 + n % 4),
                featured=n % 5 == 0,
            )
            for i in range(n % 4):
                Review.objects.create(product=product, rating=3 + (n + i) % 3, body="Good.")


def unseed(apps, schema_editor):
    apps.get_model("store", "Review").objects.all().delete()
    apps.get_model("store", "Product").objects.all().delete()
    apps.get_model("store", "Category").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("store", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
