"""Web and engagement KPIs (KPI.md "Marketing KPIs"): visitors, sessions, page views,
bounce rate, visitor-to-lead rate, email open and click rates, social engagement.

visitors, sessions, page_views and bounce_rate are tracking's definition
(tracking/selectors.py web_metrics: sessions derived from event timestamps, split
at gaps over 30 minutes, counted where they start), read from the exact rollups
that database triggers keep (analytics/webrollup.py), once per period.

Email rates: a message is the event's `email_id` property (Segment's email spec;
events without one count as one message per contact); a rate is the distinct
(message, contact) pairs with "Email Opened" (or "Email Link Clicked") in P over
the distinct pairs with "Email Delivered" in P.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Case, Count, F, IntegerField, Max, Min, TextField, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce

from smarketing.analytics import leadvisits, webqueue, webrollup
from smarketing.analytics.measures import Measure, Ratio, Rows, ratio, register_measure
from smarketing.analytics.registry import Kpi, KpiResult, Records, Unit, register, shared
from smarketing.campaigns.models import ChannelMetric
from smarketing.core.periods import Period
from smarketing.tracking import selectors as tracking
from smarketing.tracking.models import Event
from smarketing.tracking.names import EMAIL_DELIVERED, EMAIL_LINK_CLICKED, EMAIL_OPENED

FAMILY, SECTION = "web", "marketing"
SESSION_COLUMNS = ("visitor", "started", "events", "page_views", "bounce")


@shared
def metrics(period: Period) -> tracking.WebMetrics:
    """From the exact rollups (analytics/webrollup.py); directly for an unaligned range."""
    bounds = period.bounds()
    return webrollup.web_metrics(*bounds) or tracking.web_metrics(*bounds)


def page_events(period: Period) -> Any:
    start, end = period.bounds()
    return Event.objects.filter(type="page", timestamp__gte=start, timestamp__lt=end)


def visitor_rows(period: Period) -> Any:
    """One row per visitor with a page view in P: first view, views, and whether the
    visitor (a contact) reached lead in P."""
    start, end = period.bounds()
    lead = Case(When(contact__became_lead_at__gte=start, contact__became_lead_at__lt=end,
                     then=Value(1)), default=Value(0), output_field=IntegerField())
    return page_events(period).annotate(visitor=RawSQL(tracking.VISITOR, [])).order_by(
        "visitor").values("visitor").annotate(
        first_view=Min("timestamp"), views=Count("pk"), became_lead=Max(lead),
    ).values_list("visitor", "first_view", "views", "became_lead")


def visitor_records(period: Period) -> Records:
    return Records(("visitor", "first_view", "page_views", "became_lead"), visitor_rows(period))


def session_records(period: Period) -> Records:
    rows = tracking.session_rows(*period.bounds())
    return Records(SESSION_COLUMNS, Rows([(rows, lambda r: (*r, int(r[2] == 1 == r[3])))]))


def page_view_records(period: Period) -> Records:
    return Records(("event_id", "timestamp", "contact_id", "anonymous_id", "page_path",
                    "utm_campaign"),
                   page_events(period).order_by("timestamp", "pk").values_list(
                       "pk", "timestamp", "contact_id", "anonymous_id", "page_path",
                       "utm_campaign"))


def _web(name: str, unit: Unit, value: Callable[[Period], Any],
         records: Callable[[Period], Records], label: str) -> None:
    register(Kpi(name=name, family=FAMILY, unit=unit, section=SECTION, label=label,
                 compute=lambda period: KpiResult(value(period)), records=records))


def bounce_rate(period: Period) -> Any:
    figures = metrics(period)
    if figures.bounce_rate is None:
        return None
    return ratio(round(figures.bounce_rate * figures.sessions), figures.sessions)


@shared
def visitors_who_became_leads(period: Period) -> int:
    """From the exact per-lead visit buckets (analytics/leadvisits.py) once the visit
    rollup is applied; directly for an unaligned range."""
    start, end = period.bounds()
    if webrollup.aligned(start, end):
        webqueue.apply()
        return leadvisits.count(start, end)
    return page_events(period).filter(
        contact__became_lead_at__gte=start, contact__became_lead_at__lt=end,
    ).values("contact_id").distinct().count()


_web("visitors", Unit.COUNT, lambda p: metrics(p).visitors, visitor_records, "Visitors")
_web("sessions", Unit.COUNT, lambda p: metrics(p).sessions, session_records, "Sessions")
_web("page_views", Unit.COUNT, lambda p: metrics(p).page_views, page_view_records,
     "Page views")
_web("bounce_rate", Unit.RATE, bounce_rate, session_records, "Bounce rate")
_web("visitor_to_lead_rate", Unit.RATE,
     lambda p: ratio(visitors_who_became_leads(p), metrics(p).visitors), visitor_records,
     "Visitor-to-lead rate")


# ---- email ----------------------------------------------------------------------

def email_pairs(name: str) -> Measure:
    def rows(period: Period) -> Any:
        start, end = period.bounds()
        return Event.objects.filter(
            type="track", name=name, timestamp__gte=start, timestamp__lt=end,
            contact__isnull=False,
        ).annotate(message=Coalesce(KT("properties__email_id"), Value(""),
                                  output_field=TextField())).values(
            "contact_id", "message").distinct()

    return Measure(rows, {"contact_id": "contact_id", "message": "message"},
                   order=("contact_id", "message"))


DELIVERED = email_pairs(EMAIL_DELIVERED)
register_measure("email_open_rate", FAMILY, SECTION, Ratio(email_pairs(EMAIL_OPENED), DELIVERED),
                 unit=Unit.RATE, label="Email open rate")
register_measure("email_click_rate", FAMILY, SECTION,
                 Ratio(email_pairs(EMAIL_LINK_CLICKED), DELIVERED), unit=Unit.RATE,
                 label="Email click rate")


# ---- social ---------------------------------------------------------------------

def metric_days(period: Period) -> Any:
    return ChannelMetric.objects.filter(day__gte=period.start, day__lt=period.end).annotate(
        engagement=F("likes") + F("shares") + F("comments"))


register_measure(
    "social_engagement", FAMILY, SECTION,
    Measure(metric_days, {"campaign": "campaign__name", "channel": "campaign__channel",
                          "day": "day", "likes": "likes", "shares": "shares",
                          "comments": "comments", "amount": "engagement"},
            amount=F("likes") + F("shares") + F("comments"), zero=0,
            dimensions={"campaign": "campaign__name", "channel": "campaign__channel"}),
    unit=Unit.COUNT, label="Social engagement",
)
