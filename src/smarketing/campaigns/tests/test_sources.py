"""Contacts' latest source and campaign follow their newest touch (UTM fields, or a
page view from outside the site); the original source stays; moving inside the site
changes nothing; the tracking events listener runs it."""

import datetime as dt

import pytest

from smarketing.campaigns.sources import latest_source_refresh
from smarketing.campaigns.tests.factories import make_event
from smarketing.core.jobs import run_burst
from smarketing.testing.factories import make_contact
from smarketing.tracking.hooks import notify_events_ingested

pytestmark = pytest.mark.django_db
SITE = "https://www.example.com/pricing"


def at(day):
    return dt.datetime(2026, 3, day, tzinfo=dt.UTC)


def latest(contact):
    contact.refresh_from_db()
    return contact.latest_source, contact.latest_campaign


def test_the_newest_touch_sets_the_latest_source_and_campaign():
    contact = make_contact(original_source="paid_search", original_campaign="spring")
    make_event(contact, at(1), utm_campaign="spring", utm_source="google", utm_medium="cpc",
               page_url=SITE)
    make_event(contact, at(5), referrer="https://www.facebook.com/", page_url=SITE)
    latest_source_refresh([contact.pk])
    assert latest(contact) == ("organic_social", "")
    assert contact.original_source == "paid_search"
    make_event(contact, at(6), type="track", name="Email Link Clicked", utm_campaign="News",
               utm_medium="email")
    latest_source_refresh([contact.pk])
    assert latest(contact) == ("email", "News")


@pytest.mark.parametrize(("referrer", "expected"), [
    ("https://example.com/blog", ("email", "news")),  # inside the site: no touch
    ("", ("direct", "")),  # no referrer: a direct visit
    ("https://www.bing.com/search?q=x", ("organic_search", "")),
    ("https://partner.example.org/", ("referral", "")),
    ("https://mail.google.com/mail/u/0/", ("email", "")),  # a webmail client
    ("https://mail.yahoo.com/d/folders/1", ("email", "")),  # not Yahoo search
])
def test_a_later_page_view_is_a_touch_unless_it_comes_from_the_site(referrer, expected):
    contact = make_contact()
    make_event(contact, at(1), utm_campaign="news", utm_medium="email", page_url=SITE)
    make_event(contact, at(2), referrer=referrer, page_url=SITE)
    latest_source_refresh([contact.pk])
    assert latest(contact) == expected


def test_the_tracking_listener_queues_the_refresh_and_the_worker_runs_it(
    django_capture_on_commit_callbacks
):
    contact = make_contact()
    make_event(contact, at(3), utm_campaign="webinar-q1", utm_medium="webinar",
               page_url=SITE)
    with django_capture_on_commit_callbacks(execute=True):
        notify_events_ingested({contact.pk})
    assert latest(contact) == ("", "")  # the request only queued a job
    run_burst("test")
    assert latest(contact) == ("event", "webinar-q1")
