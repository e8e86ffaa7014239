"""The Products page (admins and sales managers): the catalogue, add a product, edit
one, deactivate or reactivate it. Writes go through the product services; a bad
value is shown on its field with a 400; anyone else gets a 403."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from smarketing.core.errors import DomainError
from smarketing.core.export import queryset_csv
from smarketing.pipeline import permissions as perms
from smarketing.pipeline import selectors, services
from smarketing.pipeline.exports import PRODUCT_COLUMNS
from smarketing.pipeline.forms import ProductForm
from smarketing.pipeline.models import Product


def _require_catalogue(user: Any) -> None:
    if not perms.catalogue_can_change(user):
        raise PermissionDenied("Products are kept by admins and sales managers.")


def _product(product_id: int) -> Product:
    product = Product.objects.filter(pk=product_id).first()
    if product is None:
        raise Http404(f"product {product_id} not found")
    return product


def _saved(request: HttpRequest, form: ProductForm, product: Product | None) -> Product | None:
    """Create or update from a valid form; a domain error lands on its field."""
    try:
        if product is None:
            return services.product_create(actor=request.user, **form.cleaned_data)
        return services.product_update(product=product, actor=request.user,
                                       **form.cleaned_data)
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return None


def _form_page(
    request: HttpRequest, form: ProductForm, product: Product | None
) -> HttpResponse:
    context = {"form": form, "product": product,
               "products": Product.objects.annotate(lines=Count("line_items"))
               .order_by("family", "name")}
    return render(request, "pipeline/products.html", context,
                  status=400 if form.is_bound and form.errors else 200)


@login_required
def product_list(request: HttpRequest) -> HttpResponse:
    """The catalogue and the "Add a product" form."""
    _require_catalogue(request.user)
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _saved(request, form, None):
        messages.success(request, f"Added {form.cleaned_data['name']}.")
        return redirect("pipeline:products")
    return _form_page(request, form, None)


@login_required
def product_edit(request: HttpRequest, product_id: int) -> HttpResponse:
    _require_catalogue(request.user)
    product = _product(product_id)
    initial = {"name": product.name, "family": product.family,
               "list_price": product.list_price, "active": product.active}
    form = ProductForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid() and _saved(request, form, product):
        messages.success(request, f"Saved {product.name}.")
        return redirect("pipeline:products")
    return _form_page(request, form, product)


@login_required
@require_POST
def product_toggle(request: HttpRequest, product_id: int) -> HttpResponse:
    """Deactivate an active product (kept on its deals, no longer offered) or reactivate."""
    _require_catalogue(request.user)
    product = _product(product_id)
    services.product_update(product=product, actor=request.user, active=not product.active)
    state = "active again" if product.active else "inactive: no longer offered on new lines"
    messages.success(request, f"{product.name} is {state}.")
    return redirect("pipeline:products")


@login_required
@require_GET
def product_export(request: HttpRequest) -> StreamingHttpResponse:
    """The catalogue (filters q, family, active as the API's) as CSV."""
    _require_catalogue(request.user)
    active = {"true": True, "false": False}.get(request.GET.get("active", ""))
    qs = selectors.product_list(q=request.GET.get("q", ""), family=request.GET.get("family"),
                                active=active)
    return queryset_csv("products.csv", qs, PRODUCT_COLUMNS)
