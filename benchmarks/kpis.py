"""KPI engine cost over a period: each KPI, each family's kpi_values (period and
previous period) and the funnel views, against the raw database counting the rows
the KPIs start from (the lower bound).

    .venv/bin/python benchmarks/kpis.py --data-dir /var/tmp/kpi-1m \
        --start 2025-12-01 --end 2026-12-01 [--kpi visitors ...]

Uses an existing data set (`smarketing generate --contacts N` first); read-only.
Prints figures, asserts nothing (benchmarks are not tests).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import database_label, setup_django  # noqa: E402


def timed(action: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def raw_baseline(period: Any) -> float:
    """The raw cost of reading what the KPIs read: one COUNT per source table range."""
    from django.db import connection

    start, end = (connection.ops.adapt_datetimefield_value(b) for b in period.bounds())
    statements = [
        "SELECT COUNT(*) FROM people_contact WHERE became_lead_at >= %s AND became_lead_at < %s",
        "SELECT COUNT(*) FROM tracking_event WHERE timestamp >= %s AND timestamp < %s",
        "SELECT COUNT(*), SUM(amount) FROM pipeline_deal WHERE closed_at >= %s AND closed_at < %s",
    ]
    total = 0.0
    with connection.cursor() as cursor:
        for sql in statements:
            seconds, _ = timed(lambda s=sql: (cursor.execute(s, [start, end]), cursor.fetchone()))
            total += seconds
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--start", default="2025-12-01")
    parser.add_argument("--end", default="2026-12-01")
    parser.add_argument("--kpi", nargs="*", default=[])
    args = parser.parse_args()
    setup_django(args.data_dir)
    from smarketing.analytics.funnel import funnel
    from smarketing.analytics.registry import FAMILIES, all_kpis, evaluation, kpi_values
    from smarketing.core.periods import Period

    period = Period(dt.date.fromisoformat(args.start), dt.date.fromisoformat(args.end))
    print(f"{database_label()}; period {period.label()}")
    raw = raw_baseline(period)
    print(f"raw baseline (3 range COUNTs): {raw:.2f} s")
    for kpi in all_kpis():
        if args.kpi and kpi.name not in args.kpi:
            continue
        with evaluation():
            seconds, result = timed(lambda k=kpi: k.compute(period))
        print(f"  {kpi.name:32s} {seconds:8.2f} s  value {result.value}", flush=True)
    if args.kpi:
        return
    for family in FAMILIES[:-1]:
        seconds, _ = timed(lambda f=family: kpi_values(period, family=f))
        print(f"kpi_values(family={family!r}) with the previous period: {seconds:.2f} s "
              f"({seconds / raw:.0f}x raw)", flush=True)
    for view in ("period", "cohort"):
        seconds, _ = timed(lambda v=view: funnel(period, view=v))
        print(f"funnel view={view}: {seconds:.2f} s ({seconds / raw:.0f}x raw)", flush=True)


if __name__ == "__main__":
    main()
