"""One module per kind of record an import writes; KINDS maps a kind to its spec."""

from __future__ import annotations

from smarketing.imports.kinds.base import Kind
from smarketing.imports.kinds.companies import COMPANIES
from smarketing.imports.kinds.contacts import CONTACTS
from smarketing.imports.kinds.deals import DEALS, LINE_ITEMS
from smarketing.imports.kinds.other import ACTIVITIES, CAMPAIGNS
from smarketing.imports.kinds.spend import CAMPAIGN_COSTS, CHANNEL_METRICS
from smarketing.imports.kinds.traffic import ORGANIC_TRAFFIC

KINDS: dict[str, Kind] = {k.name: k for k in (
    COMPANIES, CONTACTS, DEALS, LINE_ITEMS, ACTIVITIES, CAMPAIGNS, CAMPAIGN_COSTS,
    CHANNEL_METRICS, ORGANIC_TRAFFIC,
)}
