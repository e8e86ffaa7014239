"""Who may change which deal, activity, quota or product: the one place these rules live.

Everyone signed in (with a role) reads every deal, activity, quota and forecast.
Changing is for:
- deals: admins all; sales managers the deals owned by their team's members and
  their own; sales reps their own. Deleting follows the same rule, except that a
  won deal is deleted only by an admin or a sales manager. Marketing changes no
  deal. Creating a deal is for sales and admins; a rep may own deals themselves, a
  manager assigns in the team, an admin to anyone (the people rule
  `can_assign_owner`).
- activities: anyone with a role logs them (owned by themselves); changing or
  completing one is for its owner, the owner's sales manager, and admins.
- quotas: admins, and sales managers for the members of their team.
- pipelines and their stages: admins and sales managers.
- products: admins and sales managers (the Products page and API); lost reasons:
  admins (API and Django admin). Deleting a pipeline: admins and sales managers.
A deal or activity the user may not change is reported as missing (404 at the
API, 403 page in the UI).
"""

from __future__ import annotations

from typing import Any

from smarketing.core.errors import NotFound
from smarketing.core.models import Profile
from smarketing.core.roles import is_admin, is_manager, is_sales, manages, role_of, team_id_of
from smarketing.people.permissions import can_assign_owner
from smarketing.pipeline.models import Activity, Deal, DealStatus


def _owner_rule(user: Any, owner_id: int | None) -> bool:
    if is_admin(user):
        return True
    if is_sales(user) and owner_id == user.pk:
        return True
    return manages(user, owner_id)


def deal_can_create(user: Any) -> bool:
    return is_admin(user) or is_sales(user)


def deal_can_change(user: Any, deal: Deal) -> bool:
    return _owner_rule(user, deal.owner_id)


def changeable_owner_ids(user: Any) -> set[int] | None:
    """The owners whose deals `user` may change (None: everyone's), in one query: the
    board asks this once for all its cards instead of `deal_can_change` per card."""
    if is_admin(user):
        return None
    owners: set[int] = {user.pk} if is_sales(user) else set()
    team = team_id_of(user) if is_manager(user) else None
    if team is not None:
        owners |= set(Profile.objects.filter(team_id=team).values_list("user_id", flat=True))
    return owners


def deal_can_delete(user: Any, deal: Deal) -> bool:
    """Whoever changes a deal deletes it, but a won deal (revenue) only an admin or
    a sales manager may delete."""
    if deal.status == DealStatus.WON and not (is_admin(user) or is_manager(user)):
        return False
    return deal_can_change(user, deal)


def deal_can_own(user: Any, owner_id: int) -> bool:
    return can_assign_owner(user, owner_id)


def activity_can_log(user: Any) -> bool:
    return role_of(user) is not None


def activity_can_change(user: Any, activity: Activity) -> bool:
    return activity.owner_id == getattr(user, "pk", None) or _owner_rule(user, activity.owner_id)


def quota_can_set(user: Any, owner_id: int) -> bool:
    return is_admin(user) or manages(user, owner_id)


def pipeline_can_change(user: Any) -> bool:
    """Pipelines and their stages are set up by admins and sales managers."""
    return is_admin(user) or is_manager(user)


def catalogue_can_change(user: Any) -> bool:
    """Products are kept by admins and sales managers (who also set pipelines up)."""
    return is_admin(user) or is_manager(user)


def lost_reason_can_change(user: Any) -> bool:
    """The managed list of lost reasons is kept by admins."""
    return is_admin(user)


def deal_get_for_user(*, user: Any, deal_id: int, change: bool = False) -> Deal:
    deal = (
        Deal.objects.select_related("stage__pipeline", "owner", "company", "lost_reason")
        .filter(pk=deal_id).first()
    )
    if deal is None or role_of(user) is None:
        raise NotFound(f"deal {deal_id} not found", field="id")
    if change and not deal_can_change(user, deal):
        raise NotFound(f"deal {deal_id} not found", field="id")
    return deal


def activity_get_for_user(*, user: Any, activity_id: int, change: bool = False) -> Activity:
    activity = Activity.objects.filter(pk=activity_id).first()
    if activity is None or role_of(user) is None:
        raise NotFound(f"activity {activity_id} not found", field="id")
    if change and not activity_can_change(user, activity):
        raise NotFound(f"activity {activity_id} not found", field="id")
    return activity
