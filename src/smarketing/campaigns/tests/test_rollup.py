"""The per-deal attribution rows are computed again whenever what they were computed
from changes, so reads stay exact: amount, win and reopen, contacts added, a contact
reaching lead earlier, a deal moved out of the period."""

import datetime as dt

import pytest

from smarketing.campaigns.attribution import attribution
from smarketing.campaigns.models import DealAttributionState
from smarketing.campaigns.tests.factories import make_campaign, make_event
from smarketing.people.models import Cause, Contact, Stage, StageChange
from smarketing.pipeline.models import Deal, DealContact
from smarketing.pipeline.services import deal_contact_add, deal_reopen, deal_update, deal_win
from smarketing.pipeline.tests.factories import make_deal
from smarketing.testing.factories import make_contact

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
START, END = dt.datetime(2026, 3, 1, tzinfo=dt.UTC), dt.datetime(2026, 5, 1, tzinfo=dt.UTC)


def day(n: float) -> dt.datetime:
    return T0 + dt.timedelta(days=n)


def amounts(model="linear", basis="revenue"):
    result = attribution(start=START, end=END, model=model, basis=basis)
    return {i.key: str(i.amount) for i in result.items}


@pytest.fixture
def ann_deal(users):
    make_campaign("Ads", utm_campaign="ads")
    make_campaign("Mail", utm_campaign="mail")
    ann = make_contact(at=day(1))
    make_event(ann, day(0), utm_campaign="ads")
    make_event(ann, day(2), utm_campaign="mail")
    deal = make_deal(users["rep"], amount="100.00", contacts=[ann], at=day(3))
    deal_win(deal=deal, actor=users["rep"], at=day(10))
    assert amounts() == {"Ads": "50.00", "Mail": "50.00"}
    return deal


def test_a_changed_amount_is_attributed_again(users, ann_deal):
    Deal.objects.filter(pk=ann_deal.pk).update(amount="300.01")  # even without save()
    assert amounts() == {"Ads": "150.01", "Mail": "150.00"}


def test_a_reopened_deal_leaves_the_revenue(users, ann_deal):
    deal_reopen(deal=Deal.objects.get(pk=ann_deal.pk), actor=users["rep"])
    assert amounts() == {}
    assert amounts(basis="pipeline") == {"Ads": "50.00", "Mail": "50.00"}


def test_a_contact_added_to_the_deal_brings_their_touches(users, ann_deal):
    bob = make_contact(at=day(1))
    make_event(bob, day(1), utm_campaign="ads")
    deal_contact_add(deal=Deal.objects.get(pk=ann_deal.pk), contact=bob, actor=users["rep"])
    assert amounts() == {"Ads": "66.67", "Mail": "33.33"}


def test_a_new_stage_history_entry_moves_the_lead_creation_touch(users, ann_deal):
    assert amounts("u_shaped") == {"Ads": "80.00", "Mail": "20.00"}  # ads: first and lead
    ann = Contact.objects.get(deal_links__deal=ann_deal)
    # An import correcting when Ann reached lead writes the date and its history.
    Contact.objects.filter(pk=ann.pk).update(became_lead_at=day(2.5))
    StageChange.objects.create(contact=ann, from_stage="", to_stage=Stage.LEAD, at=day(2.5),
                               cause=Cause.IMPORT)
    assert amounts("u_shaped") == {"Ads": "50.00", "Mail": "50.00"}  # mail: lead creation


def test_a_contact_removed_from_the_deal_takes_their_touches_away(users, ann_deal):
    bob = make_contact(at=day(1))
    make_event(bob, day(1), utm_campaign="ads")
    deal_contact_add(deal=Deal.objects.get(pk=ann_deal.pk), contact=bob, actor=users["rep"])
    assert amounts() == {"Ads": "66.67", "Mail": "33.33"}
    DealContact.objects.filter(deal=ann_deal, contact=bob).delete()
    assert amounts() == {"Ads": "50.00", "Mail": "50.00"}


def test_a_deal_moved_out_of_the_period_is_no_longer_counted(users, ann_deal):
    deal_update(deal=Deal.objects.get(pk=ann_deal.pk), actor=users["rep"], amount="100.00")
    Deal.objects.filter(pk=ann_deal.pk).update(closed_at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC))
    assert amounts() == {}
    assert not DealAttributionState.objects.filter(stale=True).exists()
