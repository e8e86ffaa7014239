"""The materialised touch points stay exact: late events, campaigns created, edited or
deleted after the events, anonymous events stitched at ingestion, merged contacts
(random journeys: `random_world`, checked in test_attribution_days.py)."""

import base64
import datetime as dt
import random

import pytest
from django.test import Client

from smarketing.campaigns.attribution import attribution
from smarketing.campaigns.models import TouchPoint
from smarketing.campaigns.services import campaign_delete, campaign_update
from smarketing.campaigns.tests.factories import make_asset, make_campaign, make_event
from smarketing.campaigns.touches import touches_sync
from smarketing.people.merge import contact_merge
from smarketing.people.models import Contact
from smarketing.pipeline.services import deal_win
from smarketing.pipeline.tests.factories import make_deal
from smarketing.testing.factories import make_contact
from smarketing.tracking.services import source_create

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
START, END = dt.datetime(2026, 3, 1, tzinfo=dt.UTC), dt.datetime(2026, 5, 1, tzinfo=dt.UTC)


def day(n: float) -> dt.datetime:
    return T0 + dt.timedelta(days=n)


def amounts(model="linear", basis="revenue", by="campaign"):
    result = attribution(start=START, end=END, model=model, basis=basis, by=by)
    return {i.key: str(i.amount) for i in result.items}


def won_deal(users, contact, amount="100.00", created=3, won=10):
    deal = make_deal(users["rep"], amount=amount, contacts=[contact], at=day(created))
    deal_win(deal=deal, actor=users["rep"], at=day(won))
    return deal


def test_a_late_event_dated_before_the_win_changes_the_attribution(users):
    make_campaign("Ads", utm_campaign="ads")
    make_campaign("Mail", utm_campaign="mail")
    ann = make_contact(at=day(1))
    make_event(ann, day(0), utm_campaign="ads")
    won_deal(users, ann)
    assert amounts() == {"Ads": "100.00"}
    make_event(ann, day(2), utm_campaign="mail")  # arrives now, happened before the win
    assert amounts() == {"Ads": "50.00", "Mail": "50.00"}


def test_a_campaign_created_after_its_events_gets_their_touches(users):
    ann = make_contact(at=day(1))
    make_event(ann, day(0), utm_campaign="Spring-Sale", utm_source="google")
    won_deal(users, ann)
    assert amounts() == {"(none)": "100.00"}
    make_campaign("Spring", utm_campaign="spring-sale")
    assert amounts() == {"Spring": "100.00"}


def test_editing_or_deleting_a_campaign_resolves_the_touches_again(users):
    broad = make_campaign("Broad", utm_campaign="spring")
    ann = make_contact(at=day(1))
    make_event(ann, day(0), utm_campaign="spring", utm_source="google")
    won_deal(users, ann)
    narrow = make_campaign("Narrow", utm_campaign="spring", utm_source="google")
    assert amounts() == {"Narrow": "100.00"}
    campaign_update(campaign=narrow, actor=None, utm_source="bing")
    assert amounts() == {"Broad": "100.00"}
    campaign_delete(campaign=broad, actor=None)
    assert amounts() == {"(none)": "100.00"}


def test_an_anonymous_visit_stitched_at_ingestion_becomes_a_touch(users):
    make_campaign("Ads", utm_campaign="ads")
    touches_sync()  # the anonymous page view below arrives after this point
    _, key = source_create(actor=None, name="Site", kind="website")
    auth = "Basic " + base64.b64encode(f"{key}:".encode()).decode()
    batch = [
        {"type": "page", "anonymousId": "a1", "timestamp": day(0).isoformat(),
         "context": {"campaign": {"name": "ads", "source": "google"}}},
        {"type": "identify", "anonymousId": "a1", "userId": "u1",
         "timestamp": day(1).isoformat(), "traits": {"email": "ann@acme.example"}},
    ]
    response = Client().post("/v1/batch", {"batch": batch}, content_type="application/json",
                             headers={"Authorization": auth})
    assert response.status_code == 200, response.content
    ann = Contact.objects.get(email="ann@acme.example")
    assert TouchPoint.objects.filter(contact=ann).count() == 1
    won_deal(users, ann)
    assert amounts() == {"Ads": "100.00"}


def test_a_merged_contact_brings_its_touches_to_the_primary(users):
    make_campaign("Ads", utm_campaign="ads")
    make_campaign("Mail", utm_campaign="mail")
    ann, twin = make_contact(at=day(1)), make_contact(at=day(1))
    make_event(ann, day(0), utm_campaign="ads")
    make_event(twin, day(1), utm_campaign="mail")
    won_deal(users, ann)
    assert amounts() == {"Ads": "100.00"}
    contact_merge(primary=ann, duplicate=twin, actor=users["admin"])
    assert amounts() == {"Ads": "50.00", "Mail": "50.00"}


def test_an_asset_deleted_stops_counting_as_a_touch(users):
    asset = make_asset("Guide", campaign=make_campaign("Content", utm_campaign="content"))
    ann = make_contact(at=day(1))
    make_event(ann, day(0), type="track", name="Asset Viewed",
               properties={"asset_id": str(asset.pk)})
    make_event(ann, day(0.5), type="track", name="Odd", properties={"asset_id": 12.5})
    won_deal(users, ann)
    assert amounts() == {"Content": "100.00"}
    asset.delete()
    assert amounts() == {"(none)": "100.00"}


def random_world(users, seed: int) -> None:
    rng = random.Random(seed)
    campaigns = [make_campaign(f"C{i}", utm_campaign=f"c{i}") for i in range(4)]
    assets = [make_asset(f"A{i}", campaign=rng.choice([None, *campaigns])) for i in range(3)]
    contacts = [make_contact(at=day(rng.uniform(0, 20))) for _ in range(12)]
    for contact in contacts:
        for _ in range(rng.randint(0, 6)):
            at = day(rng.choice([rng.uniform(-10, 40), 5.0]))  # some share a moment
            if rng.random() < 0.3:
                make_event(contact, at, type="track", name="Asset Viewed",
                           properties={"asset_id": rng.choice(assets).pk})
            else:
                make_event(contact, at, utm_campaign=rng.choice(["c0", "C1", "c2", "c3", "x"]))
    for n in range(14):
        deal_contacts = rng.sample(contacts, rng.randint(1, 3))
        created = rng.uniform(0, 30)
        deal = make_deal(users["rep"], amount=f"{rng.randint(0, 99999)}.{rng.randint(0, 99):02}",
                         contacts=deal_contacts, at=day(created))
        if n % 3:
            deal_win(deal=deal, actor=users["rep"], at=day(created + rng.uniform(0, 25)))
