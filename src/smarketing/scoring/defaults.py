"""The default B2B model (docs/scoring.md explains every rule).

Engagement points start from Salesforce Account Engagement's published defaults
(page view +1, form success +50, file download +3) with caps so that a crawler
or a refresh loop cannot qualify anybody alone.
"""

from __future__ import annotations

from typing import Any

FREE_WEBMAIL = r"@(gmail|yahoo|hotmail|outlook|live|aol|icloud|gmx|mail|proton(mail)?)\."
TARGET_COUNTRIES = ["US", "CA", "GB", "DE", "FR", "NL", "SE", "AU"]

DEFAULT_SETTINGS: dict[str, Any] = {
    "name": "Default B2B model",
    "threshold": 60,
    "half_life_days": 30,
    "hand_raise_events": ["Demo Requested", "Contact Sales"],
    "account_aggregate": "max",
}

DEFAULT_FIT_RULES: list[dict[str, Any]] = [
    {"label": "Employees 200-5000", "field": "company.employee_count", "operator": "range",
     "value": {"min": 200, "max": 5000}, "points": 15},
    {"label": "Senior title (VP, Director, Head, Chief)", "field": "title",
     "operator": "contains", "value": ["VP", "Director", "Head of", "Chief"], "points": 10},
    {"label": "Target market", "field": "company.country", "operator": "in",
     "value": TARGET_COUNTRIES, "points": 10},
    {"label": "Free webmail address", "field": "email", "operator": "regex",
     "value": FREE_WEBMAIL, "points": -10},
]

DEFAULT_ENGAGEMENT_RULES: list[dict[str, Any]] = [
    {"label": "Page view", "event_type": "page", "points": 1, "daily_cap": 10,
     "rule_cap": 30},
    {"label": "Pricing page view", "event_type": "page",
     "property_filters": {"page_path": "/pricing*"}, "points": 5, "daily_cap": 10,
     "rule_cap": 30},
    {"label": "Form submitted", "event_type": "track", "event_name": "Form Submitted",
     "points": 50, "daily_cap": 50, "rule_cap": 100},
    {"label": "Asset downloaded", "event_type": "track", "event_name": "Asset Downloaded",
     "points": 3, "daily_cap": 9},
    {"label": "Webinar attended", "event_type": "track", "event_name": "Webinar Attended",
     "points": 15},
    {"label": "Email link clicked", "event_type": "track",
     "event_name": "Email Link Clicked", "points": 3, "daily_cap": 6},
    {"label": "Careers page view", "event_type": "page",
     "property_filters": {"page_path": "/careers*"}, "points": -10, "rule_cap": 30},
    {"label": "Unsubscribed", "event_type": "track", "event_name": "Unsubscribed",
     "points": -20, "rule_cap": 20},
    {"label": "Email bounced", "event_type": "track", "event_name": "Email Bounced",
     "points": -20, "rule_cap": 20},
]
