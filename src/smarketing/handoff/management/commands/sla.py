"""smarketing sla check|scorecard|route: the SLA from the command line.

- check: warn and notify breaches now (what the worker's periodic check does,
  once each), then list every open breach by rep;
- scorecard: both sides of the SLA for a period (--period preset or START..END);
- route: route the MQLs that have no open assignment (e.g. after adding rules).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from smarketing.core.errors import DomainError
from smarketing.core.periods import parse_range
from smarketing.handoff.notify import scan_sla
from smarketing.handoff.routing import route_mql, unrouted_mqls
from smarketing.handoff.scorecard import all_open_breaches, scorecard


def _rate(value: Any) -> str:
    return "n/a" if value is None else f"{float(value):.1%}"


def scorecard_lines(card: dict[str, Any]) -> list[str]:
    m, s, d = card["marketing"], card["sales"], card["decisions"]
    return [
        f"SLA scorecard {card['start']} .. {card['end']} (end exclusive), "
        f"SLA v{m['sla_version'] or '-'}",
        f"marketing: {m['mqls']} MQLs of {m['mql_target'] or 'n/a'} "
        f"({_rate(m['mql_target_attainment'])}); projected {m['projected_mqls']} "
        f"({_rate(m['projected_attainment'])})",
        f"sales: {s['assigned']} assigned, follow-up compliance "
        f"{_rate(s['follow_up_compliance'])}, median response "
        f"{s['median_response_hours'] if s['median_response_hours'] is not None else 'n/a'} h "
        f"(SLA clock), {s['sla_breaches']} breaches",
        f"decisions: {d['accepted']} accepted, {d['rejected']} rejected, "
        f"{d['disqualified']} disqualified; acceptance {_rate(d['mql_acceptance_rate'])}",
    ]


def breach_lines(by_rep: list[dict[str, Any]]) -> list[str]:
    lines = []
    for rep in by_rep:
        lines.append(f"{rep['rep']}: {len(rep['items'])} open breaches")
        lines += [f"  {item['contact']} (assignment {item['assignment_id']}): "
                  f"{item['hours_overdue']} h overdue" for item in rep["items"]]
    return lines or ["no open breach"]


class Command(BaseCommand):
    help = "The SLA: check (notify warnings and breaches now), scorecard, route unrouted MQLs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["check", "scorecard", "route"])
        parser.add_argument(
            "--period", default="this-month",
            help="A preset (this-month, last-week, ...) or START..END (end exclusive).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = parse_range(options["period"])
        except DomainError as exc:
            raise CommandError(f"--period: {exc.message}") from None
        action = options["action"]
        if action == "route":
            routed = sum(route_mql(contact_id=pk) is not None
                         for pk in unrouted_mqls().values_list("pk", flat=True))
            self.stdout.write(f"routed {routed} MQLs; {unrouted_mqls().count()} still unrouted")
            return
        if action == "check":
            now = timezone.now()
            sent = scan_sla(now)
            self.stdout.write(f"{sent} warnings and breaches notified now (each only once)")
            self.stdout.write("\n".join(breach_lines(all_open_breaches(now))))
            return
        self.stdout.write("\n".join(scorecard_lines(scorecard(period))))
