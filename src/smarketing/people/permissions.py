"""Who may change which company or contact: the one place these rules live.

Everyone signed in (with a role) can read. Changing a record (editing it, moving
its stage, recycling it, adding identities, merging) is for:
- admins: everything;
- sales managers: records owned by their team's members, their own, and unowned ones;
- sales reps: their own records, and unowned ones (to claim them);
- marketing: unowned companies, and unowned contacts still in marketing's stages
  (subscriber, lead, mql, other).
Deleting is for admins and the owner's sales manager only. Defining custom
properties is for admins. Anyone with a role may create records; a rep or manager
may assign them to themselves, a manager within the team, an admin to anyone.
A record a user may not change is reported as missing (404 at the API). Which
lifecycle moves a role may make is the lifecycle module's rule (lifecycle.py).
"""

from __future__ import annotations

from typing import Any

from smarketing.core.errors import NotFound
from smarketing.core.roles import is_admin, is_marketing, is_sales, manages, role_of
from smarketing.people.models import Company, Contact, PropertyObject, Stage

MARKETING_STAGES = frozenset({Stage.SUBSCRIBER, Stage.LEAD, Stage.MQL, Stage.OTHER})


def can_create(user: Any) -> bool:
    return role_of(user) is not None


def _owner_rule(user: Any, owner_id: int | None) -> bool:
    if is_admin(user):
        return True
    if is_sales(user) and owner_id == user.pk:
        return True
    return manages(user, owner_id) or (owner_id is None and is_sales(user))


def contact_can_change(user: Any, contact: Contact) -> bool:
    if _owner_rule(user, contact.owner_id):
        return True
    return (
        is_marketing(user)
        and contact.owner_id is None
        and contact.lifecycle_stage in MARKETING_STAGES
    )


def contact_can_delete(user: Any, contact: Contact) -> bool:
    return is_admin(user) or manages(user, contact.owner_id)


def company_can_change(user: Any, company: Company) -> bool:
    return _owner_rule(user, company.owner_id) or (
        is_marketing(user) and company.owner_id is None
    )


def company_can_delete(user: Any, company: Company) -> bool:
    return is_admin(user) or manages(user, company.owner_id)


def can_assign_owner(user: Any, owner_id: int | None) -> bool:
    """Reps may own records themselves; managers assign in their team; admins anyone."""
    if owner_id is None or is_admin(user) or manages(user, owner_id):
        return True
    return bool(is_sales(user) and owner_id == user.pk)


def properties_can_define(user: Any, object_type: str = PropertyObject.CONTACT) -> bool:
    return is_admin(user)


def contact_get_for_user(*, user: Any, contact_id: int, change: bool = False) -> Contact:
    contact = Contact.objects.select_related("company", "owner").filter(pk=contact_id).first()
    if contact is None or role_of(user) is None:
        raise NotFound(f"contact {contact_id} not found", field="id")
    if change and not contact_can_change(user, contact):
        raise NotFound(f"contact {contact_id} not found", field="id")
    return contact


def company_get_for_user(*, user: Any, company_id: int, change: bool = False) -> Company:
    company = Company.objects.select_related("owner").filter(pk=company_id).first()
    if company is None or role_of(user) is None:
        raise NotFound(f"company {company_id} not found", field="id")
    if change and not company_can_change(user, company):
        raise NotFound(f"company {company_id} not found", field="id")
    return company
