"""One module per KPI family; importing this package registers every KPI."""
