"""Standard event names the code relies on. Every one is documented in docs/tracking.md
(a test fails otherwise): Segment's B2B SaaS and email spec names, and ours."""

from __future__ import annotations

# Segment's B2B SaaS spec
SIGNED_UP = "Signed Up"
ACCOUNT_CREATED = "Account Created"
TRIAL_STARTED = "Trial Started"
# Segment's email spec
EMAIL_DELIVERED = "Email Delivered"
EMAIL_OPENED = "Email Opened"
EMAIL_LINK_CLICKED = "Email Link Clicked"
EMAIL_BOUNCED = "Email Bounced"
UNSUBSCRIBED = "Unsubscribed"
# Smarketing's own
FORM_SUBMITTED = "Form Submitted"
ASSET_DOWNLOADED = "Asset Downloaded"
DEMO_REQUESTED = "Demo Requested"
WEBINAR_REGISTERED = "Webinar Registered"
WEBINAR_ATTENDED = "Webinar Attended"
NEWSLETTER_SUBSCRIBED = "Newsletter Subscribed"

STANDARD_EVENTS: tuple[str, ...] = (
    SIGNED_UP, ACCOUNT_CREATED, TRIAL_STARTED,
    EMAIL_DELIVERED, EMAIL_OPENED, EMAIL_LINK_CLICKED, EMAIL_BOUNCED, UNSUBSCRIBED,
    FORM_SUBMITTED, ASSET_DOWNLOADED, DEMO_REQUESTED, WEBINAR_REGISTERED, WEBINAR_ATTENDED,
    NEWSLETTER_SUBSCRIBED,
)

# A track event with one of these names makes an identified subscriber a lead
# (they gave their details in exchange for something: KPI.md, stage "lead").
CONVERSION_EVENTS = frozenset({
    FORM_SUBMITTED, SIGNED_UP, DEMO_REQUESTED, ASSET_DOWNLOADED, WEBINAR_REGISTERED,
    TRIAL_STARTED,
})
# A "Form Submitted" whose `form_type` property is this value is a newsletter
# sign-up: the contact stays a subscriber.
NEWSLETTER_FORM_TYPE = "newsletter"
