"""MQLs of a bulk move (a rescore qualifying many at once) are routed by jobs after
the commit, with the same rules, round-robin and SLA timers as one by one."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from smarketing.core.jobs import run_burst
from smarketing.core.models import Job
from smarketing.handoff import routing
from smarketing.handoff.models import Assignment, RoutedBy
from smarketing.handoff.tests.helpers import make_rule, make_sla
from smarketing.people.lifecycle import contacts_transition
from smarketing.people.models import Cause, Contact, Stage, StageChange
from smarketing.testing.factories import make_contact

pytestmark = pytest.mark.django_db


def test_a_bulk_move_to_mql_queues_routing_jobs_that_route_every_mql_fairly(
    users: dict[str, Any], team: Any, monkeypatch: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    make_rule(team)
    make_sla()
    monkeypatch.setattr(routing, "ROUTE_JOB_SIZE", 3)
    leads = [make_contact(Stage.LEAD) for _ in range(8)]
    with django_capture_on_commit_callbacks(execute=True):
        contacts_transition(reasons={c.pk: "score 70 >= 60 (model v1)" for c in leads},
                            to_stage=Stage.MQL, cause=Cause.SCORING)
    assert Assignment.objects.count() == 0  # the mover does not wait for routing
    assert Job.objects.filter(kind=routing.ROUTE_JOB).count() == 3  # 3 + 3 + 2 MQLs
    run_burst("test")
    assignments = Assignment.objects.select_related("mql_change")
    assert {a.contact_id for a in assignments} == {c.pk for c in leads}
    assert all(a.routed_by == RoutedBy.RULE and a.due_at > a.assigned_at
               for a in assignments)
    assert {a.mql_change_id for a in assignments} == set(
        StageChange.objects.filter(to_stage=Stage.MQL).values_list("id", flat=True))
    assert Counter(a.rep for a in assignments) == {users["rep"]: 4, users["rep_b"]: 4}
    owners = set(Contact.objects.filter(pk__in=[c.pk for c in leads]).values_list(
        "owner", flat=True))
    assert owners == {users["rep"].pk, users["rep_b"].pk}
    routing.run_route_job(Job.objects.filter(kind=routing.ROUTE_JOB).order_by("id")[0].payload)
    assert Assignment.objects.count() == 8  # a job run twice routes nobody twice
