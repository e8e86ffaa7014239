"""The contact page's Content panel: what the contact viewed and was sent, and a rep
shares an asset (an email activity on the contact's timeline)."""

import datetime as dt

import pytest
from django.test import Client

from smarketing.campaigns.models import AssetShare
from smarketing.campaigns.tests.factories import make_asset, make_event
from smarketing.pipeline.models import Activity
from smarketing.testing.factories import make_contact

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_panel_lists_the_assets_a_contact_viewed_and_was_sent(users):
    guide = make_asset("Pricing guide", type="buyers_guide", url="https://ex.com/guide")
    contact = make_contact()
    for day in (3, 5):
        make_event(contact, dt.datetime(2026, 3, day, tzinfo=dt.UTC), type="track",
                   name="Asset Viewed", properties={"asset_id": guide.pk})
    page = client_for(users["rep"]).get(f"/contacts/{contact.pk}/content/")
    assert page.status_code == 200
    row = page.context["interactions"][0]
    assert (row["asset"], row["count"]) == (guide, 2)
    assert b"No asset sent yet." in page.content


def test_a_rep_shares_an_asset_and_it_is_logged_as_an_email_activity(users):
    guide = make_asset("Pricing guide", type="buyers_guide", url="https://ex.com/guide")
    contact = make_contact()
    done = client_for(users["rep"]).post(f"/contacts/{contact.pk}/content/", {
        "asset_id": str(guide.pk), "note": "As promised"}, HTTP_HX_REQUEST="true")
    assert done.status_code == 200 and "Shared “Pricing guide”." in done.content.decode()
    share = AssetShare.objects.get()
    assert (share.contact, share.shared_by, share.activity.kind) == (
        contact, users["rep"], "email")
    assert Activity.objects.get().body == "As promised\n\nhttps://ex.com/guide"


def test_sharing_without_choosing_an_asset_is_a_400_naming_the_field(users):
    make_asset("Pricing guide")
    contact = make_contact()
    refused = client_for(users["rep"]).post(f"/contacts/{contact.pk}/content/",
                                            {"asset_id": ""})
    assert refused.status_code == 400
    assert b'data-testid="error-asset_id"' in refused.content
    assert not AssetShare.objects.exists()


def test_a_missing_contact_is_404(users):
    assert client_for(users["rep"]).get("/contacts/999999/content/").status_code == 404
