"""Who sees and who decides an assignment: the one place these rules live.

- Deciding (accept, reject, disqualify) and logging the follow-up: the assigned
  rep, a sales manager of the rep's team, and admins.
- Reassigning: sales managers (to members of their team) and admins.
- Seeing an assignment: whoever may decide it, and marketing (the feedback loop).
- SLA versions, calendars and rejection reasons: admins change them (RevOps: the
  agreement binds both teams, so neither side's manager rewrites it alone);
  everyone with a role reads them.
- Routing rules: admins, and sales managers for the rules that route to their own
  team (create, edit, delete; reorder only past rules of their own team, so no
  manager moves another team's MQLs to theirs).
- Reps' routing settings: "away" by the rep, their manager or an admin; capacity
  by their manager or an admin.
An assignment the user may not see is reported as missing (404 at the API, 403
page in the UI).
"""

from __future__ import annotations

from typing import Any

from smarketing.core.errors import NotFound, PermissionDenied
from smarketing.core.roles import is_admin, is_manager, is_marketing, manages, role_of, team_id_of
from smarketing.handoff.models import Assignment


def can_decide(user: Any, assignment: Assignment) -> bool:
    if is_admin(user):
        return True
    if user is not None and assignment.rep_id == user.pk:
        return True
    return manages(user, assignment.rep_id)


def can_view(user: Any, assignment: Assignment) -> bool:
    return is_marketing(user) or can_decide(user, assignment)


def can_reassign(user: Any, assignment: Assignment, to_rep_id: int) -> bool:
    if is_admin(user):
        return True
    return is_manager(user) and manages(user, assignment.rep_id) and manages(user, to_rep_id)


def can_configure(user: Any) -> bool:
    return is_admin(user)


def can_edit_rule(user: Any, team_id: int | None) -> bool:
    if is_admin(user):
        return True
    return is_manager(user) and team_id is not None and team_id_of(user) == team_id


def can_set_capacity(user: Any, rep_id: int) -> bool:
    return is_admin(user) or manages(user, rep_id)


def can_set_away(user: Any, rep_id: int) -> bool:
    return user is not None and user.pk == rep_id or can_set_capacity(user, rep_id)


def check_configure(user: Any) -> None:
    if not can_configure(user):
        raise PermissionDenied("Only admins change the SLA, calendars and routing", field="")


def has_role(user: Any) -> bool:
    return role_of(user) is not None


def assignment_get_for_user(*, user: Any, assignment_id: int, decide: bool = False) -> Assignment:
    assignment = (
        Assignment.objects.select_related("contact", "rep", "reason")
        .filter(pk=assignment_id)
        .first()
    )
    allowed = can_decide if decide else can_view
    if assignment is None or not allowed(user, assignment):
        raise NotFound(f"assignment: no assignment {assignment_id}", field="assignment_id")
    return assignment
