"""Where a visit came from: the page, its referrer, its UTM campaign fields, and the
source channel (people.models.SourceChannel) they add up to. Rules in docs/tracking.md."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs, urlsplit

from smarketing.people.models import SourceChannel

UTM_KEYS = ("source", "medium", "campaign", "term", "content")
MAX_UTM = 200

SEARCH_ENGINES = (
    "google.", "bing.", "duckduckgo.", "yahoo.", "baidu.", "yandex.", "ecosia.", "qwant.",
    "search.brave.", "startpage.",
)
SOCIAL_NETWORKS = (
    "facebook.", "fb.com", "instagram.", "linkedin.", "lnkd.in", "twitter.", "t.co", "x.com",
    "youtube.", "reddit.", "pinterest.", "tiktok.", "threads.net", "mastodon.", "bsky.",
)
# Webmail clients: a visit referred by one came from an email (before search engines:
# mail.yahoo.com is Yahoo's mail, not its search).
EMAIL_CLIENTS = (
    "mail.google.", "outlook.live.", "outlook.office.", "outlook.office365.", "mail.yahoo.",
    "mail.aol.", "mail.proton.", "webmail.", "mail.zoho.", "icloud.com", "fastmail.",
)
SOCIAL_SOURCES = (
    "facebook", "instagram", "linkedin", "twitter", "youtube", "reddit", "pinterest", "tiktok",
    "meta", "x",
)
PAID_SEARCH_MEDIA = frozenset({"cpc", "ppc", "paid_search", "paidsearch", "sem", "paid-search"})
PAID_SOCIAL_MEDIA = frozenset(
    {"paid_social", "paidsocial", "paid-social", "social_paid", "social-paid"}
)
SOCIAL_MEDIA = frozenset({
    "social", "organic_social", "social-network", "social_network", "sm", "social-media",
    "social_media",
})
EMAIL_MEDIA = frozenset({"email", "e-mail", "e_mail", "newsletter"})
EVENT_MEDIA = frozenset({"event", "events", "webinar", "conference", "tradeshow", "trade_show"})
REFERRAL_MEDIA = frozenset({"referral", "partner", "affiliate"})
ORGANIC_MEDIA = frozenset({"organic", "seo"})


@dataclass(frozen=True)
class PageFacts:
    """What an event says about the page it happened on."""

    url: str = ""
    path: str = ""
    referrer: str = ""
    utm_source: str = ""
    utm_medium: str = ""
    utm_campaign: str = ""
    utm_term: str = ""
    utm_content: str = ""


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def page_facts(type: str, properties: dict[str, Any], context: dict[str, Any]) -> PageFacts:
    """Page URL, path and referrer from context.page (or a page message's properties);
    UTM fields from context.campaign, else from the page URL's query string."""
    found = context.get("page")
    page: dict[str, Any] = found if isinstance(found, dict) else {}
    own: dict[str, Any] = properties if type == "page" else {}
    url = _text(own.get("url")) or _text(page.get("url"))
    path = _text(own.get("path")) or _text(page.get("path"))
    referrer = _text(own.get("referrer")) or _text(page.get("referrer"))
    if url and not path:
        path = urlsplit(url).path
    utm = _campaign(context.get("campaign")) or _utm_from_url(url, _text(page.get("search")))
    return PageFacts(url=url, path=path, referrer=referrer, **utm)


def _campaign(value: Any) -> dict[str, str]:
    """Segment's context.campaign: {name, source, medium, term, content}."""
    if not isinstance(value, dict):
        return {}
    found = {
        f"utm_{key}": _text(value.get("name" if key == "campaign" else key))[:MAX_UTM]
        for key in UTM_KEYS
    }
    if not found["utm_campaign"]:
        found["utm_campaign"] = _text(value.get("campaign"))[:MAX_UTM]
    return found if any(found.values()) else {}


@lru_cache(maxsize=4096)  # a site's landing URLs repeat; callers only read the dict
def _utm_from_url(url: str, search: str) -> dict[str, str]:
    query = urlsplit(url).query if url else ""
    query = query or search.lstrip("?")
    if "utm_" not in query:
        return {}
    values = parse_qs(query)
    return {
        f"utm_{key}": values.get(f"utm_{key}", [""])[0].strip()[:MAX_UTM] for key in UTM_KEYS
    }


def url_host(url: str) -> str:
    """The URL's host, lower case, without www.; empty when there is none."""
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:
        return ""
    return host.lower().removeprefix("www.")


def _matches(host: str, names: tuple[str, ...]) -> bool:
    return any(host.startswith(name) or f".{name}" in f".{host}" for name in names)


def channel_for(
    *, utm_medium: str, utm_source: str, utm_campaign: str, referrer: str, page_url: str
) -> str:
    """The SourceChannel of one touch: UTM medium first, then the referrer's host."""
    medium = utm_medium.strip().lower()
    if medium or utm_campaign or utm_source:
        return _channel_of_medium(medium, utm_source.strip().lower())
    if "gclid=" in page_url or "msclkid=" in page_url:
        return SourceChannel.PAID_SEARCH
    host = url_host(referrer)
    if not host or host == url_host(page_url):
        return SourceChannel.DIRECT
    if _matches(host, EMAIL_CLIENTS):
        return SourceChannel.EMAIL
    if _matches(host, SEARCH_ENGINES):
        return SourceChannel.ORGANIC_SEARCH
    if _matches(host, SOCIAL_NETWORKS):
        return SourceChannel.ORGANIC_SOCIAL
    return SourceChannel.REFERRAL


def _channel_of_medium(medium: str, source: str) -> str:
    by_medium = (
        (PAID_SEARCH_MEDIA, SourceChannel.PAID_SEARCH),
        (PAID_SOCIAL_MEDIA, SourceChannel.PAID_SOCIAL),
        (SOCIAL_MEDIA, SourceChannel.ORGANIC_SOCIAL),
        (EMAIL_MEDIA, SourceChannel.EMAIL),
        (EVENT_MEDIA, SourceChannel.EVENT),
        (REFERRAL_MEDIA, SourceChannel.REFERRAL),
        (ORGANIC_MEDIA, SourceChannel.ORGANIC_SEARCH),
    )
    for media, channel in by_medium:
        if medium in media:
            return channel
    if medium in ("paid", "cpm", "display", "banner") and source in SOCIAL_SOURCES:
        return SourceChannel.PAID_SOCIAL
    return SourceChannel.OTHER_CAMPAIGNS
