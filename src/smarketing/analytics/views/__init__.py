"""The analytics pages: dashboards, drill-down records, the alignment report download."""
