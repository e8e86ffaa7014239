"""One module per KPI family; importing this package registers every KPI."""

from smarketing.analytics.families import (  # noqa: F401
    alignment,
    attribution,
    leads,
    sales,
    web,
)
