"""Companies: deduplicated by external id, domain, then name (through people's services)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from smarketing.imports.kinds.base import (
    CREATED,
    ERROR,
    SKIPPED,
    UPDATED,
    Context,
    Kind,
    Money,
    Outcome,
    Row,
    RowModel,
    Stamp,
    Whole,
    per_row,
)
from smarketing.people.models import Company
from smarketing.people.services import company_create, company_update

COUNTRIES = {"united states": "US", "usa": "US", "united kingdom": "GB", "uk": "GB",
             "germany": "DE", "france": "FR", "spain": "ES", "italy": "IT", "canada": "CA",
             "netherlands": "NL", "portugal": "PT", "australia": "AU", "india": "IN",
             "brazil": "BR", "japan": "JP", "ireland": "IE", "sweden": "SE",
             "switzerland": "CH", "belgium": "BE", "austria": "AT", "mexico": "MX"}


class CompanyIn(RowModel):
    external_id: str = Field("", max_length=200)
    name: str = Field("", max_length=200)
    domain: str = Field("", max_length=200)
    industry: str = Field("", max_length=100)
    employee_count: Whole = None
    annual_revenue: Money = None
    country: str = ""
    region: str = ""
    owner: str = ""
    created_at: Stamp = None
    properties: dict[str, Any] = Field(default_factory=dict)


def _fields(data: CompanyIn, ctx: Context) -> dict[str, Any]:
    country = COUNTRIES.get(data.country.lower(), data.country)
    fields: dict[str, Any] = {
        "name": data.name, "domain": data.domain.replace("https://", "").replace(
            "http://", "").split("/")[0], "industry": data.industry,
        "employee_count": data.employee_count, "annual_revenue": data.annual_revenue,
        "country": country, "region": data.region, "properties": data.properties,
    }
    fields = {k: v for k, v in fields.items() if v not in ("", None, {})}
    if data.owner:
        fields["owner"] = ctx.lookups.owner(data.owner)
    return fields


def _existing(data: CompanyIn, ctx: Context) -> Company | None:
    if data.external_id:
        pk = ctx.lookups.object_id("company", data.external_id)
        if pk is not None:
            return Company.objects.filter(pk=pk).first()
    if ctx.on_duplicate == "create":
        return None
    domain = data.domain.lower().removeprefix("www.")
    if domain:
        found = Company.objects.filter(domain=domain).first()
        if found:
            return found
    return Company.objects.filter(name__iexact=data.name).order_by("id").first()


def _one(row: Row, ctx: Context) -> Outcome:
    data: CompanyIn = row.data
    if not data.name:
        return Outcome(row.line, ERROR, ctx.column("name"), "a company needs a name")
    company = _existing(data, ctx)
    if company is not None and ctx.on_duplicate == "skip":
        return Outcome(row.line, SKIPPED, reason=f"company {company.pk} exists")
    fields = _fields(data, ctx)
    if company is None:
        company = company_create(actor=ctx.actor, **fields)
        result = CREATED
    else:
        company_update(company=company, actor=ctx.actor, **fields)
        result = UPDATED
    if data.external_id:
        ctx.lookups.remember("company", data.external_id, company.pk)
    return Outcome(row.line, result)


def write_companies(rows: list[Row], ctx: Context) -> list[Outcome]:
    return per_row(rows, ctx, _one)


def _key(data: CompanyIn) -> str:
    if data.external_id:
        return f"id:{data.external_id}"
    return f"domain:{data.domain.lower()}" if data.domain else ""


COMPANIES = Kind(name="companies", model=CompanyIn, write=write_companies, key=_key,
                 key_field="domain", property_object="company")
