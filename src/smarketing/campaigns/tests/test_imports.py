import datetime as dt
from decimal import Decimal

import pytest

from smarketing.campaigns.imports import import_costs, import_metrics
from smarketing.campaigns.models import CampaignCost, ChannelMetric
from smarketing.campaigns.tests.factories import make_campaign
from smarketing.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign():
    return make_campaign("Spring search", utm_campaign="spring")


def test_generic_costs_import_by_name_or_utm_campaign(campaign):
    text = ("campaign,kind,amount,start_date,end_date,note\n"
            "Spring Search,lump_sum,500.00,2026-03-01,,agency fee\n"
            "SPRING,daily,\"1,000.50\",2026-03-01,2026-03-31,\n")
    assert import_costs(actor=None, text=text) == 2
    assert sorted(CampaignCost.objects.values_list("kind", "amount")) == [
        ("daily", Decimal("1000.50")), ("lump_sum", Decimal("500.00"))]


def test_a_bad_cost_names_the_line_and_column_and_nothing_is_stored(campaign):
    text = ("campaign,kind,amount,start_date,end_date\n"
            "spring,lump_sum,10,2026-03-01,\n"
            "spring,daily,10,2026-03-01,\n")
    with pytest.raises(ValidationFailed) as err:
        import_costs(actor=None, text=text)
    assert err.value.message.startswith("line 3, column end_date:")
    assert err.value.field == "end_date"
    assert not CampaignCost.objects.exists()


def test_an_unknown_campaign_or_a_bad_date_names_its_line(campaign):
    with pytest.raises(ValidationFailed) as err:
        import_costs(actor=None,
                     text="campaign,kind,amount,start_date\nwinter,lump_sum,1,2026-03-01\n")
    assert (err.value.message.split(":")[0], err.value.field) == ("line 2, column campaign",
                                                                   "campaign")
    with pytest.raises(ValidationFailed) as err:
        import_metrics(actor=None, text="campaign,day,clicks\nspring,31/03/2026,4\n")
    assert err.value.message.startswith("line 2, column day:")


def test_a_missing_required_column_is_reported_on_the_header_line(campaign):
    with pytest.raises(ValidationFailed) as err:
        import_metrics(actor=None, text="campaign,clicks\nspring,3\n")
    assert (err.value.message, err.value.field) == (
        "line 1, column day: missing from the header", "day")


def test_generic_metrics_with_a_column_mapping(campaign):
    text = "Name,Date,Views,Cost\nspring,2026-03-01,\"12,000\",3.20\n"
    stored = import_metrics(actor=None, text=text, mapping={
        "Name": "campaign", "Date": "day", "Views": "impressions", "Cost": "spend"})
    assert stored == 1
    metric = ChannelMetric.objects.get()
    assert (metric.impressions, metric.spend) == (12000, Decimal("3.20"))


def test_a_facebook_ads_export_imports_impressions_clicks_and_spent(campaign):
    text = ("\ufeffCampaign name,Day,Impressions,Clicks,Spent,Post reactions\n"
            "Spring search,2026-03-01,1500,42,$17.35,8\n"
            "Spring search,2026-03-02,1600,40,18.00,\n")
    assert import_metrics(actor=None, text=text, format="facebook") == 2
    day = ChannelMetric.objects.get(day=dt.date(2026, 3, 1))
    assert (day.impressions, day.clicks, day.spend, day.likes) == (
        1500, 42, Decimal("17.35"), 8)


def test_a_facebook_reporting_export_with_a_currency_column_and_link_clicks(campaign):
    text = ("Reporting starts,Reporting ends,Campaign name,Reach,Impressions,Link clicks,"
            "Amount spent (USD),Post shares,Post comments,Video plays\n"
            '2026-03-01,2026-03-01,Spring search,"8,120","12,400",310,$152.40,3,2,900\n')
    assert import_metrics(actor=None, text=text, format="facebook") == 1
    day = ChannelMetric.objects.get()
    assert (day.day, day.impressions, day.clicks, day.spend, day.shares, day.comments,
            day.video_views) == (dt.date(2026, 3, 1), 12400, 310, Decimal("152.40"), 3, 2, 900)


def test_a_negative_count_in_a_facebook_export_stores_nothing(campaign):
    text = ("Campaign name,Day,Impressions,Clicks,Spent\n"
            "Spring search,2026-03-01,1500,42,17.35\n"
            "Spring search,2026-03-02,1600,-4,18.00\n")
    with pytest.raises(ValidationFailed) as err:
        import_metrics(actor=None, text=text, format="facebook")
    assert err.value.message.startswith("line 3, column clicks:")
    assert not ChannelMetric.objects.exists()


def test_the_spend_command_imports_a_facebook_export_and_reports_a_bad_line(
    campaign, tmp_path
):
    from django.core.management import CommandError, call_command

    good = tmp_path / "fb.csv"
    good.write_text("Campaign name,Day,Impressions,Clicks,Spent\n"
                    "spring,2026-03-01,100,5,2.00\n")
    call_command("spend", "import", "metrics", str(good), "--format", "facebook")
    assert ChannelMetric.objects.get().clicks == 5
    bad = tmp_path / "costs.csv"
    bad.write_text("campaign,kind,amount,start_date\nspring,weekly,1,2026-03-01\n")
    with pytest.raises(CommandError, match="line 2, column kind"):
        call_command("spend", "import", "costs", str(bad))


def test_a_word_where_money_belongs_is_an_error_not_zero(campaign):
    with pytest.raises(ValidationFailed) as err:
        import_metrics(actor=None, text="campaign,day,spend\nspring,2026-03-01,ten\n")
    assert err.value.message.startswith("line 2, column spend:")


def test_a_cost_file_imported_again_adds_nothing(campaign):
    text = ("campaign,kind,amount,start_date,end_date,note\n"
            "spring,lump_sum,500.00,2026-03-01,,agency fee\n"
            "spring,daily,20,2026-03-01,2026-03-31,boost\n")
    assert import_costs(actor=None, text=text) == 2
    assert import_costs(actor=None, text=text) == 0
    assert CampaignCost.objects.count() == 2


def test_the_import_engine_reads_a_facebook_export_and_refuses_a_bad_line_alone(
    campaign, tmp_path, users
):
    from smarketing.imports.models import ImportIssue
    from smarketing.imports.services import import_file

    path = tmp_path / "fb.csv"
    path.write_text("Reporting starts,Campaign name,Impressions,Link clicks,Amount spent (EUR)\n"
                    "2026-03-01,Spring search,1000,10,5.00\n"
                    "2026-03-02,Spring search,1000,ten,5.00\n")
    result = import_file(actor=users["marketing"], path=path, kind="channel_metrics")
    assert (result.run.created, result.run.errors) == (1, 1)
    assert [(i.line, i.column) for i in ImportIssue.objects.all()] == [(3, "clicks")]
    stored = ChannelMetric.objects.get()
    assert (stored.day, stored.clicks, stored.spend) == (dt.date(2026, 3, 1), 10,
                                                         Decimal("5.00"))
