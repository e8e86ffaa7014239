"""The Products page in a real headless Chromium: a sales manager adds, edits and
deactivates a product; an inactive product is not offered on a deal any more."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from smarketing.pipeline.models import Product
from smarketing.pipeline.tests.factories import make_deal, make_product
from tests.browser.helpers import log_in, snap

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_a_manager_adds_edits_and_deactivates_a_product(
    browser_page: Page, users: dict[str, Any]
) -> None:
    deal = make_deal(users["manager"], name="Seat expansion")
    make_product(name="Support")
    page = browser_page
    page.goto("/products/")
    log_in(page, "manager")
    page.get_by_label("Name").fill("Support")
    page.get_by_label("Family / series").fill("Platform")
    page.get_by_label("List price").fill("12.50")
    page.get_by_role("button", name="Add").click()
    expect(page.locator(".has-error")).to_contain_text("'Support' already exists")
    page.get_by_label("Name").fill("Seats")
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_role("status")).to_contain_text("Added Seats")
    product = Product.objects.get(name="Seats")
    row = page.get_by_test_id(f"product-{product.pk}")
    expect(row).to_contain_text("12.50")
    snap(page, "products")

    row.get_by_role("link", name="Edit").click()
    page.get_by_label("List price").fill("15")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id(f"product-{product.pk}")).to_contain_text("15.00")
    assert Product.objects.get(pk=product.pk).list_price == Decimal("15.00")

    page.goto(f"/deals/{deal.pk}/")
    expect(page.locator("select[name=product] option", has_text="Seats")).to_have_count(1)
    page.goto("/products/")
    page.get_by_test_id(f"product-{product.pk}").get_by_role("button",
                                                             name="Deactivate").click()
    expect(page.get_by_test_id(f"product-{product.pk}")).to_contain_text("Inactive")
    assert Product.objects.get(pk=product.pk).active is False
    page.goto(f"/deals/{deal.pk}/")
    expect(page.locator("select[name=product] option", has_text="Seats")).to_have_count(0)
    snap(page, "products-deactivated")
