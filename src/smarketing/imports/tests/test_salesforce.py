import pytest

from smarketing.imports.services import import_file
from smarketing.imports.tests.files import bank_rows, salesforce_leads, salesforce_opportunities
from smarketing.people.models import Contact, StageChange
from smarketing.pipeline.models import Deal

pytestmark = pytest.mark.django_db


def test_salesforce_leads_and_opportunities_import_without_a_mapping_into_a_funnel(
        tmp_path, users):
    rows = bank_rows(45)
    converted = [i for i, r in enumerate(rows, start=1) if r["y"] == "yes"]
    leads = import_file(actor=users["admin"], path=salesforce_leads(tmp_path / "l.csv", rows))
    assert (leads.run.preset, leads.run.created, leads.run.errors) == (
        "salesforce_leads", 45, 0)
    assert Contact.objects.filter(lifecycle_stage="sql").count() == len(converted)
    opps = import_file(actor=users["admin"],
                       path=salesforce_opportunities(tmp_path / "o.csv", rows))
    assert (opps.run.preset, opps.run.created, opps.run.errors) == (
        "salesforce_opportunities", len(converted), 0)
    won = [i for i in converted if i % 2 == 0]
    assert Deal.objects.filter(status="won").count() == len(won)
    assert Deal.objects.filter(status="lost").count() == len(converted) - len(won)
    # the funnel: every lead, the converted ones at sql, and opportunity/customer from deals
    reached = {s: Contact.objects.filter(**{f"became_{s}_at__isnull": False}).count()
               for s in ("lead", "mql", "sql", "opportunity", "customer")}
    assert reached == {"lead": 45, "mql": len(converted), "sql": len(converted),
                       "opportunity": len(converted), "customer": len(won)}
    customer = Contact.objects.get(email=f"lead{won[0]}@bank.example")
    deal = Deal.objects.get(deal_contacts__contact=customer)
    assert customer.became_sql_at <= customer.became_opportunity_at == deal.created_at
    assert customer.became_customer_at == deal.closed_at
    for contact in Contact.objects.all():  # history and denormalised dates agree
        firsts = {}
        for change in StageChange.objects.filter(contact=contact).order_by("at", "id"):
            firsts.setdefault(change.to_stage, change.at)
        assert all(contact.reached_at(s) <= at for s, at in firsts.items())


def test_the_funnel_api_shows_the_imported_salesforce_history(tmp_path, users, api_as):
    rows = bank_rows(30)
    import_file(actor=users["admin"], path=salesforce_leads(tmp_path / "l.csv", rows))
    import_file(actor=users["admin"], path=salesforce_opportunities(tmp_path / "o.csv", rows))
    converted = [i for i, r in enumerate(rows, start=1) if r["y"] == "yes"]
    won = [i for i in converted if i % 2 == 0]
    funnel = api_as("admin").get("/api/v1/funnel", start="2024-01-01", end="2026-01-01",
                                 view="cohort").json()
    counts = {step["stage"]: step["count"] for step in funnel["steps"]}
    assert counts == {"lead": 30, "mql": len(converted), "sql": len(converted),
                      "opportunity": len(converted), "customer": len(won)}
    velocity = {step["stage"]: step["median_days"] for step in funnel["steps"]}
    # created 10:30 on the day contacted, converted (a date: midnight) 7 days later:
    # lead -> mql 6.6 days; mql -> sql none (converted straight to sql: the same instant)
    assert (float(velocity["mql"]), float(velocity["sql"])) == (6.6, 0.0)
