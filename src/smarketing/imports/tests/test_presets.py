import datetime as dt

import pytest

from smarketing.campaigns.models import CampaignCost, ChannelMetric
from smarketing.campaigns.tests.factories import make_campaign
from smarketing.imports.models import ImportIssue
from smarketing.imports.services import import_file, parse_mapping
from smarketing.imports.tests.files import write
from smarketing.people.models import Company, Contact
from smarketing.pipeline.models import Activity, Deal, LineItem

pytestmark = pytest.mark.django_db


def test_a_sales_navigator_lead_list_becomes_prospects(tmp_path, users):
    path = write(tmp_path / "nav.csv",
                 ["First Name", "Last Name", "Title", "Company", "LinkedIn Profile URL"],
                 [["Ines", "Duarte", "Head of Treasury", "Banco Norte",
                   "https://www.linkedin.com/in/ines-duarte"]])
    result = import_file(actor=users["admin"], path=path)
    assert result.run.preset == "linkedin_sales_navigator"
    contact = Contact.objects.get()
    assert (contact.original_source, contact.lifecycle_stage) == ("sales", "other")
    assert contact.company.name == "Banco Norte"


def test_a_gong_call_export_becomes_calls_on_the_participants(tmp_path, users):
    Contact.objects.create(email="ana@bank.example")
    path = write(tmp_path / "gong.csv",
                 ["Call ID", "Title", "Started", "Participants", "Duration", "Outcome", "Host"],
                 [["77", "Discovery call", "2024-03-15 14:30", "rep@us.example;ana@bank.example",
                   "12:30", "Interested", "admin"],
                  ["78", "Lost call", "2024-03-16 10:00", "nobody@else.example", "60", "", ""]])
    result = import_file(actor=users["admin"], path=path)
    assert (result.run.preset, result.run.created, result.run.errors) == ("gong_calls", 1, 1)
    call = Activity.objects.get()
    assert (call.kind, call.outcome, call.contact.email) == ("call", "Interested",
                                                             "ana@bank.example")
    assert call.body.startswith("Duration: 12:30")
    assert ImportIssue.objects.get().column == "Participants"


def test_an_seo_organic_traffic_export_sums_keywords_per_day(tmp_path, users):
    path = write(tmp_path / "ahrefs.csv", ["Date", "Keyword", "Traffic", "Position"], [
        ["2024-03-01", "term deposit rates", "1,200", "3"],
        ["2024-03-01", "best savings account", "300", "7"],
        ["2024-03-02", "term deposit rates", "900", "4"],
    ])
    result = import_file(actor=users["admin"], path=path)
    assert result.run.preset == "seo_organic_traffic"
    clicks = dict(ChannelMetric.objects.values_list("day", "clicks"))
    assert clicks == {dt.date(2024, 3, 1): 1500, dt.date(2024, 3, 2): 900}
    import_file(actor=users["admin"], path=path)  # again: days replaced, not added
    assert ChannelMetric.objects.get(day=dt.date(2024, 3, 1)).clicks == 1500


def test_campaign_costs_import_through_the_engine_with_campaigns_rules(tmp_path, users):
    make_campaign("Spring search", utm_campaign="spring")
    path = write(tmp_path / "costs.csv", ["campaign", "kind", "amount", "start_date"], [
        ["spring", "lump_sum", "$1,000.50", "2026-03-01"],
        ["spring", "lump_sum", "ten", "2026-03-01"],
        ["autumn", "lump_sum", "5", "2026-03-01"],
    ])
    result = import_file(actor=users["admin"], path=path, kind="campaign_costs")
    assert (result.run.created, result.run.errors) == (1, 2)
    assert [(i.line, i.column) for i in ImportIssue.objects.all()] == [
        (3, "amount"), (4, "campaign")]
    assert str(CampaignCost.objects.get().amount) == "1000.50"


def test_companies_deals_and_line_items_with_create_missing(tmp_path, users):
    write(tmp_path / "co.csv", ["Record ID", "Company name", "Company Domain Name", "Country"],
          [["9", "Banco Norte", "www.banconorte.example", "Portugal"]])
    import_file(actor=users["admin"], path=tmp_path / "co.csv")
    company = Company.objects.get()
    assert (company.domain, company.country) == ("banconorte.example", "PT")
    deals = write(tmp_path / "deals.csv", ["id", "Name", "Stage", "Close", "Company"],
                  [["D1", "Norte expansion", "Won", "15/03/2024", "Banco Norte"]])
    mapping = parse_mapping("""
system: sheet
columns: {id: external_id, Name: name, Stage: stage, Close: close_date, Company: company}
values: {stage: {won: closed won}}
""")
    import_file(actor=users["admin"], path=deals, kind="deals", mapping=mapping)
    deal = Deal.objects.get()
    assert (deal.status, deal.company, deal.closed_at.date()) == (
        "won", company, dt.date(2024, 3, 15))
    lines = write(tmp_path / "lines.csv", ["deal_external_id", "product", "quantity",
                                           "unit_price"], [["D1", "Deposit box", "2", "50"]])
    missing = import_file(actor=users["admin"], path=lines, kind="line_items",
                          mapping=parse_mapping("system: sheet"))
    assert missing.run.errors == 1 and "create_missing" in ImportIssue.objects.get().reason
    import_file(actor=users["admin"], path=lines, kind="line_items",
                mapping=parse_mapping("system: sheet\ncreate_missing: [products]"))
    assert LineItem.objects.get().amount == 100
