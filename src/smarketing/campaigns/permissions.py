"""Who may change campaigns, costs, channel metrics and content assets: the one place
these rules live.

Everyone signed in (with a role) reads every campaign, cost, metric, asset and the
attribution. Changing them (create, edit, delete, import) is for marketing and
admins. An object a user may not change is reported as missing (404 at the API,
403 page in the UI); creating without the right is refused (403).
"""

from __future__ import annotations

from typing import Any

from smarketing.campaigns.models import Campaign, CampaignCost, ContentAsset
from smarketing.core.errors import NotFound, PermissionDenied
from smarketing.core.roles import is_admin, is_marketing, role_of


def can_read(user: Any) -> bool:
    return role_of(user) is not None


def can_change(user: Any) -> bool:
    return is_admin(user) or is_marketing(user)


def require_change(user: Any) -> None:
    if not can_change(user):
        raise PermissionDenied("only marketing and admins change campaigns and assets")


def _visible(user: Any, change: bool) -> bool:
    return can_change(user) if change else can_read(user)


def campaign_get_for_user(*, user: Any, campaign_id: int, change: bool = False) -> Campaign:
    campaign = Campaign.objects.select_related("owner").filter(pk=campaign_id).first()
    if campaign is None or not _visible(user, change):
        raise NotFound(f"campaign {campaign_id} not found", field="id")
    return campaign


def cost_get_for_user(*, user: Any, cost_id: int, change: bool = False) -> CampaignCost:
    cost = CampaignCost.objects.select_related("campaign").filter(pk=cost_id).first()
    if cost is None or not _visible(user, change):
        raise NotFound(f"cost {cost_id} not found", field="id")
    return cost


def asset_get_for_user(*, user: Any, asset_id: int, change: bool = False) -> ContentAsset:
    asset = ContentAsset.objects.select_related("campaign").filter(pk=asset_id).first()
    if asset is None or not _visible(user, change):
        raise NotFound(f"asset {asset_id} not found", field="id")
    return asset
