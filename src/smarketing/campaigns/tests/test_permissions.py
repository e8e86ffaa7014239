import pytest

from smarketing.campaigns.permissions import (
    asset_get_for_user,
    campaign_get_for_user,
    can_change,
    require_change,
)
from smarketing.campaigns.tests.factories import make_asset, make_campaign
from smarketing.core.errors import NotFound, PermissionDenied


@pytest.mark.parametrize(("role", "allowed"), [
    ("admin", True), ("marketing", True), ("manager", False), ("rep", False),
])
def test_only_marketing_and_admins_change_marketing_objects(users, role, allowed):
    campaign = make_campaign()
    assert can_change(users[role]) is allowed
    assert campaign_get_for_user(user=users[role], campaign_id=campaign.pk) == campaign
    if allowed:
        require_change(users[role])
        assert campaign_get_for_user(user=users[role], campaign_id=campaign.pk, change=True)
    else:
        with pytest.raises(PermissionDenied):
            require_change(users[role])
        with pytest.raises(NotFound):
            campaign_get_for_user(user=users[role], campaign_id=campaign.pk, change=True)


def test_everyone_with_a_role_reads_an_asset_and_nobody_reads_a_missing_one(users):
    asset = make_asset()
    assert asset_get_for_user(user=users["rep_other"], asset_id=asset.pk) == asset
    with pytest.raises(NotFound):
        asset_get_for_user(user=users["admin"], asset_id=asset.pk + 1)
