"""Source channel of a touch, from UTM fields and the referrer."""

from __future__ import annotations

import pytest

from smarketing.tracking.attribution import channel_for, page_facts


@pytest.mark.parametrize(("medium", "source", "referrer", "url", "channel"), [
    ("cpc", "google", "", "", "paid_search"),
    ("paid_social", "linkedin", "", "", "paid_social"),
    ("paid", "facebook", "", "", "paid_social"),
    ("social", "", "", "", "organic_social"),
    ("email", "newsletter", "", "", "email"),
    ("webinar", "", "", "", "event"),
    ("referral", "", "", "", "referral"),
    ("display", "adnet", "", "", "other_campaigns"),
    ("", "", "https://www.google.com/search?q=x", "https://acme.com/", "organic_search"),
    ("", "", "https://duckduckgo.com/", "https://acme.com/", "organic_search"),
    ("", "", "https://t.co/abc", "https://acme.com/", "organic_social"),
    ("", "", "https://blog.example.org/post", "https://acme.com/", "referral"),
    ("", "", "https://acme.com/other", "https://acme.com/", "direct"),
    ("", "", "https://www.bing.com/", "https://acme.com/", "organic_search"),
    ("", "", "https://www.linkedin.com/feed/", "https://acme.com/", "organic_social"),
    ("", "", "https://m.facebook.com/", "https://acme.com/", "organic_social"),
    ("", "", "https://mail.google.com/mail/u/0/", "https://acme.com/", "email"),
    ("", "", "https://outlook.live.com/mail/", "https://acme.com/", "email"),
    ("", "", "https://mail.yahoo.com/", "https://acme.com/", "email"),
    ("", "", "not a url at all", "https://acme.com/", "direct"),
    ("", "", " https://www.acme.com/pricing", "https://acme.com/", "direct"),
    ("", "", "", "https://acme.com/?gclid=1", "paid_search"),
    ("", "", "", "https://acme.com/", "direct"),
])
def test_a_touch_maps_to_its_channel(
    medium: str, source: str, referrer: str, url: str, channel: str
) -> None:
    assert channel_for(utm_medium=medium, utm_source=source, utm_campaign="",
                       referrer=referrer, page_url=url) == channel


def test_utm_fields_come_from_context_campaign_first() -> None:
    facts = page_facts("track", {}, {
        "campaign": {"name": "spring", "source": "news", "medium": "email"},
        "page": {"url": "https://a.com/x?utm_campaign=other", "referrer": "https://b.com/"},
    })
    assert (facts.utm_campaign, facts.utm_source, facts.utm_medium) == ("spring", "news", "email")
    assert (facts.path, facts.referrer) == ("/x", "https://b.com/")


def test_utm_fields_come_from_the_page_url_otherwise() -> None:
    url = "https://a.com/p?utm_source=x&utm_term=crm&utm_content=b"
    facts = page_facts("page", {"url": url}, {})
    assert (facts.utm_source, facts.utm_term, facts.utm_content) == ("x", "crm", "b")
