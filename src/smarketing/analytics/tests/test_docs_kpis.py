"""Every KPI of shared/KPI.md is registered by its exact name and documented."""

from __future__ import annotations

import re
from pathlib import Path

from smarketing.analytics.registry import all_kpis

ROOT = Path(__file__).resolve().parents[4]
KPI_MD = ROOT.parent / "shared" / "KPI.md"
DOCS = ROOT / "docs" / "kpis.md"
TABLES = ("## Marketing KPIs", "## Sales KPIs", "## Alignment")


def kpi_md_names(text: str) -> set[str]:
    """The names in the first column of KPI.md's three KPI tables (`a, b` is two)."""
    names: set[str] = set()
    for section in text.split("\n## ")[1:]:
        if not any(("## " + section).startswith(title) for title in TABLES):
            continue
        for line in section.splitlines():
            cell = line.split("|")[1].strip() if line.startswith("|") else ""
            if cell and cell != "name" and not set(cell) <= {"-"}:
                cell = re.sub(r"\s*\(.*?\)", "", cell)
                names.update(part.strip() for part in cell.split(","))
    return names


def test_every_kpi_of_kpi_md_is_registered_by_its_exact_name() -> None:
    names = kpi_md_names(KPI_MD.read_text()) if KPI_MD.exists() else set()
    registered = {k.name for k in all_kpis()}
    assert len(registered) == 35
    if names:  # the shared contract sits beside the repository in development
        assert names == registered


def test_every_registered_kpi_is_documented_in_docs_kpis() -> None:
    documented = kpi_md_names(DOCS.read_text().replace("## Alignment KPIs", "## Alignment"))
    assert {k.name for k in all_kpis()} <= documented


def test_the_readme_links_the_kpi_docs() -> None:
    assert "(docs/kpis.md)" in (ROOT / "README.md").read_text()
