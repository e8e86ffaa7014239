"""The Products page: admins and sales managers list, add, edit, deactivate products."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from smarketing.pipeline.models import Product
from smarketing.pipeline.services import line_item_add
from smarketing.pipeline.tests.factories import make_deal, make_product

pytestmark = pytest.mark.django_db


def test_a_manager_adds_a_product_and_sees_it_in_the_catalogue(as_user: Any) -> None:
    client = as_user("manager")
    response = client.post("/products/", {"name": "Seats", "family": "Platform",
                                          "list_price": "12.50", "active": "on"})
    assert response.status_code == 302
    product = Product.objects.get(name="Seats")
    assert (product.family, product.list_price, product.active) == (
        "Platform", Decimal("12.50"), True)
    assert b"Seats" in client.get("/products/").content


def test_a_bad_price_or_a_taken_name_is_shown_on_its_field_with_a_400(as_user: Any) -> None:
    make_product(name="Seats")
    client = as_user("admin")
    negative = client.post("/products/", {"name": "Other", "list_price": "-1"})
    assert negative.status_code == 400 and "list_price" in negative.context["form"].errors
    taken = client.post("/products/", {"name": "Seats", "list_price": "1"})
    assert taken.status_code == 400
    assert "already exists" in taken.context["form"].errors["name"][0]


def test_editing_changes_name_family_and_price(as_user: Any) -> None:
    product = make_product(name="Seats", price="10")
    client = as_user("admin")
    assert client.get(f"/products/{product.pk}/").context["form"].initial["name"] == "Seats"
    client.post(f"/products/{product.pk}/", {"name": "Seats v2", "family": "Core",
                                             "list_price": "11", "active": "on"})
    product.refresh_from_db()
    assert (product.name, product.family, product.list_price) == (
        "Seats v2", "Core", Decimal("11.00"))
    assert client.get("/products/999999/").status_code == 404


def test_a_deactivated_product_stays_on_its_deals_but_is_not_offered(
    users: dict[str, Any], as_user: Any
) -> None:
    product = make_product(name="Seats")
    deal = make_deal(users["rep"])
    line_item_add(deal=deal, actor=users["rep"], product=product)
    client = as_user("manager")
    client.post(f"/products/{product.pk}/toggle/")
    product.refresh_from_db()
    assert product.active is False and deal.line_items.count() == 1
    deal_page = as_user("rep").get(f"/deals/{deal.pk}/")
    assert product not in deal_page.context["line_form"].fields["product"].queryset
    client.post(f"/products/{product.pk}/toggle/")
    product.refresh_from_db()
    assert product.active is True


@pytest.mark.parametrize("role", ["rep", "marketing"])
def test_reps_and_marketing_get_a_403(as_user: Any, role: str) -> None:
    product = make_product(name="Seats")
    client = as_user(role)
    assert client.get("/products/").status_code == 403
    assert client.post("/products/", {"name": "X", "list_price": "1"}).status_code == 403
    assert client.post(f"/products/{product.pk}/toggle/").status_code == 403
    assert Product.objects.count() == 1 and Product.objects.get().active
