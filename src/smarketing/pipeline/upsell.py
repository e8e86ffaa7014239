"""Customers, what they own, their lifetime revenue, and explained upsell / cross-sell
suggestions by simple co-occurrence.

A customer is an account (a company) with at least one won deal; it owns the
products of its won deals' line items. For a product P the customer does not
own, two signals are computed over all customers:
- products: for each product O it owns, the share of O's owners that also own P
  ("12 of 30 customers who own Analytics add-on also bought Premium support");
- industry: the share of customers in its industry that own P.
The suggestion's score is the best share (with at least MIN_SUPPORT customers
behind it) and its explanation is that signal's sentence. A product of a family
the customer already buys from is an upsell, of a new family a cross-sell.
CLV (KPI.md `clv`): total won revenue of all customers, all time, / customers.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum

from smarketing.core.ordering import check_sort
from smarketing.core.roles import is_sales
from smarketing.people.models import Company
from smarketing.pipeline.models import Deal, DealStatus, DealType, LineItem, Product

MIN_SUPPORT = 2
CENT = Decimal("0.01")
MIN_SHARE = 0.15


@dataclass(frozen=True)
class Suggestion:
    product: Product
    share: float
    explanation: str
    deal_type: str


@dataclass
class Customer:
    company: Company
    revenue: Decimal
    deals_won: int
    owned: set[int] = field(default_factory=set)
    suggestions: list[Suggestion] = field(default_factory=list)


@dataclass
class Ownership:
    by_company: dict[int, set[int]]
    industry: dict[int, str]
    owners_of: Counter[int]
    pairs: Counter[tuple[int, int]]
    industry_owners: Counter[tuple[str, int]]
    industry_size: Counter[str]


def ownership() -> Ownership:
    rows = LineItem.objects.filter(
        deal__status=DealStatus.WON, deal__company__isnull=False
    ).values_list("deal__company_id", "product_id", "deal__company__industry").distinct()
    by_company: dict[int, set[int]] = defaultdict(set)
    industry: dict[int, str] = {}
    for company_id, product_id, company_industry in rows.iterator(chunk_size=10000):
        by_company[company_id].add(product_id)
        industry[company_id] = company_industry
    result = Ownership(dict(by_company), industry, Counter(), Counter(), Counter(), Counter())
    for company_id, owned in by_company.items():
        sector = industry[company_id]
        result.industry_size[sector] += 1
        for product_id in owned:
            result.owners_of[product_id] += 1
            result.industry_owners[(sector, product_id)] += 1
            result.pairs.update((product_id, other) for other in owned if other != product_id)
    return result


def _product_signal(
    data: Ownership, owned: set[int], target: int, products: dict[int, Product]
) -> tuple[float, str]:
    best, text = 0.0, ""
    for product_id in owned:
        base, both = data.owners_of[product_id] - 1, data.pairs[(product_id, target)]
        if both >= MIN_SUPPORT and base > 0 and both / base > best:
            best = both / base
            text = (f"{both} of {base} other customers who own {products[product_id].name} "
                    f"also bought {products[target].name}")
    return best, text


def _industry_signal(
    data: Ownership, sector: str, target: int, products: dict[int, Product]
) -> tuple[float, str]:
    size, owners = data.industry_size[sector] - 1, data.industry_owners[(sector, target)]
    if not sector or owners < MIN_SUPPORT or size <= 0:
        return 0.0, ""
    return owners / size, (f"{owners} of {size} other {sector} customers own "
                           f"{products[target].name}")


def suggest(
    company_id: int, data: Ownership, products: dict[int, Product], limit: int = 3
) -> list[Suggestion]:
    owned = data.by_company.get(company_id, set())
    families = {products[p].family for p in owned if p in products}
    found = []
    for target, product in products.items():
        if target in owned or not product.active:
            continue
        signals = [_product_signal(data, owned, target, products),
                   _industry_signal(data, data.industry.get(company_id, ""), target, products)]
        share, text = max(signals)
        if share >= MIN_SHARE:
            kind = DealType.UPSELL if product.family in families else DealType.CROSS_SELL
            found.append(Suggestion(product, round(share, 3), text, kind))
    return sorted(found, key=lambda s: (-s.share, s.product.name))[:limit]


# the customer list's `sort` values (check_sort), ties by company (the default as before)
CUSTOMER_SORTS: dict[str, tuple[str, ...]] = {
    "-revenue": ("-revenue", "company_id"), "revenue": ("revenue", "company_id"),
    "-deals_won": ("-n", "-company_id"), "deals_won": ("n", "company_id"),
    "company": ("company__name", "company_id"), "-company": ("-company__name", "-company_id"),
}


def customer_totals(
    *, q: str = "", industry: str = "", sort: str = "-revenue"
) -> QuerySet[Any, Any]:
    """One row per customer account (company, name, industry): won revenue and deals won,
    in `sort` order (default: highest revenue first), the company name containing `q`
    (any case), of an `industry`: the customer list's rows and its CSV export's."""
    order = check_sort(sort, CUSTOMER_SORTS)
    won = Deal.objects.filter(status=DealStatus.WON, company__isnull=False)
    if q.strip():
        won = won.filter(company__name__icontains=q.strip())
    if industry:
        won = won.filter(company__industry=industry)
    return won.values("company_id", "company__name", "company__industry").annotate(
        revenue=Sum("amount"), n=Count("id")).order_by(*order)


def customers(
    *, limit: int = 50, offset: int = 0, **filters: str
) -> tuple[list[Customer], int]:
    """Customer accounts (customer_totals' filters and `sort`), with what they own and
    suggestions."""
    totals = customer_totals(**filters)
    count = totals.count()
    rows = list(totals[offset : offset + limit])
    companies = Company.objects.in_bulk([r["company_id"] for r in rows])
    data = ownership()
    products = {p.pk: p for p in Product.objects.all()}
    result = []
    for row in rows:
        company_id = row["company_id"]
        customer = Customer(companies[company_id], row["revenue"].quantize(CENT), row["n"],
                            data.by_company.get(company_id, set()))
        customer.suggestions = suggest(company_id, data, products)
        result.append(customer)
    return result, count


def clv(until: dt.datetime | None = None) -> dict[str, Any]:
    """KPI.md clv, all time (or as of `until`, exclusive): won revenue of all customers /
    number of customers."""
    won = Deal.objects.filter(status=DealStatus.WON)
    if until is not None:
        won = won.filter(closed_at__lt=until)
    revenue = (won.aggregate(total=Sum("amount"))["total"] or Decimal(0)).quantize(CENT)
    accounts = won.filter(company__isnull=False).values("company_id").distinct().count()
    loose = won.filter(company__isnull=True).count()  # a deal without a company: one account
    number = accounts + loose
    value = (revenue / number).quantize(Decimal("0.01")) if number else None
    return {"value": value, "revenue": revenue, "customers": number}


def customer_rows(
    rows: list[Customer], products: dict[int, Product]
) -> list[dict[str, Any]]:
    """Customers as plain rows (the API's shape): owned products and suggestions."""
    return [{
        "company_id": c.company.pk, "company": c.company.name, "industry": c.company.industry,
        "revenue": c.revenue, "deals_won": c.deals_won,
        "owns": sorted((products[p] for p in c.owned if p in products),
                       key=lambda p: (p.family, p.name)),
        "suggestions": [{"product_id": s.product.pk, "product": s.product.name,
                         "deal_type": s.deal_type, "share": s.share,
                         "explanation": s.explanation} for s in c.suggestions],
    } for c in rows]


def suggestion_owner(user: Any, company: Company) -> Any:
    """Who owns a deal opened from a suggestion: the user when in sales, else the
    account's owner, else the owner of its latest won deal, else the user."""
    if is_sales(user):
        return user
    latest = Deal.objects.filter(company=company, status=DealStatus.WON).order_by(
        "-closed_at").select_related("owner").first()
    return company.owner or (latest.owner if latest else user)
