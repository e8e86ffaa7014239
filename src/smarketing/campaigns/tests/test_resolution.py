import datetime as dt

import pytest

from smarketing.campaigns.resolution import (
    UtmKeys,
    campaign_ids_for,
    campaign_ids_for_events,
    contact_campaigns,
    resolve_campaign,
)
from smarketing.campaigns.tests.factories import make_campaign, make_event
from smarketing.testing.factories import make_contact
from smarketing.tracking.models import Event

pytestmark = pytest.mark.django_db
AT = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)


@pytest.fixture
def campaigns():
    return {
        "plain": make_campaign("Plain", utm_campaign="spring"),
        "google": make_campaign("Google", utm_campaign="spring", utm_source="google"),
        "cpc": make_campaign("Cpc", utm_campaign="spring", utm_medium="cpc"),
        "google_cpc": make_campaign("Google cpc", utm_campaign="spring", utm_source="google",
                                    utm_medium="cpc"),
        "only_bing": make_campaign("Bing", utm_campaign="fall", utm_source="bing"),
    }


@pytest.mark.parametrize(("utm", "expected"), [
    (("spring", "google", "cpc"), "google_cpc"),
    (("SPRING ", " Google", "CPC"), "google_cpc"),
    (("spring", "google", "email"), "google"),
    (("spring", "bing", "cpc"), "cpc"),
    (("spring", "bing", "email"), "plain"),
    (("spring", "", ""), "plain"),
    (("fall", "bing", "cpc"), "only_bing"),
    (("fall", "google", ""), None),
    (("fall", "", ""), None),
    (("winter", "google", "cpc"), None),
    (("", "google", "cpc"), None),
])
def test_utm_fields_resolve_to_the_most_specific_matching_campaign(campaigns, utm, expected):
    found = resolve_campaign(*utm)
    assert found == (campaigns[expected] if expected else None)
    assert campaign_ids_for([UtmKeys.of(*utm)])[UtmKeys.of(*utm)] == (
        campaigns[expected].pk if expected else None
    )


def test_a_batch_of_events_resolves_in_a_fixed_number_of_queries(
    campaigns, django_assert_max_num_queries
):
    contact = make_contact()
    tagged = [make_event(contact, AT, utm_campaign="Spring", utm_source="google")
              for _ in range(5)]
    make_event(contact, AT, utm_campaign="unknown")
    make_event(contact, AT)
    with django_assert_max_num_queries(2):
        found = campaign_ids_for_events(Event.objects.all())
    assert found == {e.pk: campaigns["google"].pk for e in tagged}


def test_contacts_keep_their_first_and_latest_resolved_campaign(campaigns):
    one, two, none = make_contact(), make_contact(), make_contact()
    make_event(one, AT + dt.timedelta(days=2), utm_campaign="spring", utm_medium="cpc")
    make_event(one, AT, utm_campaign="spring")
    make_event(one, AT + dt.timedelta(days=5), utm_campaign="nothing")
    make_event(two, AT, utm_campaign="fall", utm_source="bing")
    make_event(none, AT, referrer="https://google.com")
    assert contact_campaigns([one.pk, two.pk, none.pk]) == {
        one.pk: (campaigns["plain"].pk, campaigns["cpc"].pk),
        two.pk: (campaigns["only_bing"].pk, campaigns["only_bing"].pk),
    }
