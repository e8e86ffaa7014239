import datetime as dt

import pytest

from smarketing.imports.models import ExternalId, ImportRun
from smarketing.imports.services import import_file
from smarketing.imports.tests.files import bank_rows, hubspot_contacts, hubspot_deals
from smarketing.people.models import Contact, StageChange
from smarketing.pipeline.models import Deal

pytestmark = pytest.mark.django_db


def test_a_hubspot_contacts_export_imports_without_a_mapping_with_its_history(tmp_path, users):
    rows = bank_rows(60)
    won = sum(r["y"] == "yes" for r in rows)
    result = import_file(actor=users["admin"], path=hubspot_contacts(tmp_path / "c.csv", rows))
    assert result.run.preset == "hubspot_contacts"
    assert (result.run.created, result.run.errors) == (60, 0)
    assert Contact.objects.filter(lifecycle_stage="sql").count() == won
    assert ExternalId.objects.filter(system="hubspot", kind="contact").count() == 60
    sql = Contact.objects.filter(lifecycle_stage="sql").first()
    assert sql.became_mql_at - sql.became_lead_at == dt.timedelta(days=1)
    assert list(sql.stage_changes.values_list("to_stage", flat=True)) == ["lead", "mql", "sql"]


def test_a_hubspot_deals_export_links_contacts_and_makes_customers_at_the_close_date(
        tmp_path, users):
    rows = bank_rows(60)
    import_file(actor=users["admin"], path=hubspot_contacts(tmp_path / "c.csv", rows))
    result = import_file(actor=users["admin"], path=hubspot_deals(tmp_path / "d.csv", rows))
    won = sum(r["y"] == "yes" for r in rows)
    assert result.run.preset == "hubspot_deals"
    assert (result.run.created, result.run.errors) == (won, 0)
    assert Deal.objects.filter(status="won").count() == won
    customer = Contact.objects.filter(lifecycle_stage="customer").first()
    deal = Deal.objects.get(deal_contacts__contact=customer)
    assert customer.became_customer_at == deal.closed_at
    assert customer.became_opportunity_at == deal.created_at
    assert StageChange.objects.filter(to_stage="customer").count() == won


def test_rerunning_a_finished_file_creates_no_duplicates(tmp_path, users):
    path = hubspot_contacts(tmp_path / "c.csv", bank_rows(20))
    import_file(actor=users["admin"], path=path)
    again = import_file(actor=users["admin"], path=path)
    assert (again.run.created, again.run.updated) == (0, 20)
    assert Contact.objects.count() == 20
    assert ImportRun.objects.count() == 2


def test_the_kpis_and_funnel_show_the_imported_hubspot_history(tmp_path, users, api_as):
    from decimal import Decimal

    from smarketing.imports.tests.files import contacted_at

    rows = bank_rows(45)
    import_file(actor=users["admin"], path=hubspot_contacts(tmp_path / "c.csv", rows))
    import_file(actor=users["admin"], path=hubspot_deals(tmp_path / "d.csv", rows))
    won = [r for r in rows if r["y"] == "yes"]
    closed_2024 = [r for r in won if (contacted_at(r) + dt.timedelta(days=30)).year == 2024]
    api = api_as("manager")
    kpis = api.get("/api/v1/kpis", start="2024-01-01", end="2025-01-01").json()
    assert (kpis["new_leads"]["value"], kpis["mqls"]["value"]) == (45, len(won))
    assert kpis["deals_won"]["value"] == len(closed_2024)
    assert Decimal(kpis["sales_revenue"]["value"]) == sum(
        Decimal(abs(int(r["balance"])) + 100) for r in closed_2024)
    funnel = api.get("/api/v1/funnel", start="2024-01-01", end="2025-01-01",
                     view="cohort").json()
    assert {s["stage"]: s["count"] for s in funnel["steps"]} == {
        "lead": 45, "mql": len(won), "sql": len(won), "opportunity": len(won),
        "customer": len(won)}
