"""Fast money formatting for the pipeline pages (thousands separators, fixed places)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.dates import MONTHS_3
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def money(value: Any, places: int = 2) -> str:
    """1234.5 -> "1,234.50" (places=0: "1,235"); "" for None."""
    if value is None or value == "":
        return ""
    return f"{Decimal(value):,.{int(places)}f}"


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key)


@register.inclusion_tag("pipeline/_home_tasks.html", takes_context=True)
def home_tasks(context: template.Context, limit: int = 10) -> dict[str, Any]:
    """The signed-in user's open tasks by due date, for the home page (nothing when
    they have none): the first `limit`, and how many there are (two queries)."""
    from django.utils import timezone

    from smarketing.pipeline.selectors import open_tasks

    request = context["request"]
    owner_id = int(getattr(request.user, "pk", None) or 0)
    tasks = list(open_tasks(owner_id, limit=limit)) if owner_id else []
    count = open_tasks(owner_id, limit=None).count() if len(tasks) == limit else len(tasks)
    return {"tasks": tasks, "count": count, "now": timezone.now(), "request": request,
            "csrf_token": context.get("csrf_token")}


def _card(deal: Any, targets: list[Any], can_move: bool, query: str) -> str:
    """One board card (Python, not a template include: a board has 150 of them)."""
    owner = deal.owner.get_full_name() or deal.owner.username
    close = deal.expected_close_date
    html = format_html(
        '<li class="deal-card{}" data-deal="{}" data-testid="deal-card"{}>'
        '<a class="deal-name" href="/deals/{}/">{}</a>'
        '<div class="deal-meta"><span>{}</span><span class="deal-amount">{}</span></div>'
        '<div class="deal-meta"><span>{}</span><span>{} {}</span></div>{}',
        " stalled" if deal.stalled else "", deal.pk,
        mark_safe(' draggable="true"') if can_move else "", deal.pk, deal.name,
        deal.company.name if deal.company else "", money(deal.amount), owner,
        MONTHS_3[close.month].title(), close.day,
        mark_safe('<span class="badge badge-stalled">Stalled</span>') if deal.stalled else "",
    )
    menu = _move_menu(deal, targets, query) if can_move else ""
    return format_html("{}{}</li>", html, menu)


def _move_menu(deal: Any, targets: list[Any], query: str) -> str:
    options = format_html_join("", '<option value="{}">{}</option>',
                               ((s.pk, s.name) for s in targets))
    return format_html(
        '<form hx-post="/deals/{}/move/{}" hx-target="#board" hx-trigger="change">'
        '<select name="stage" aria-label="Move {}"><option value="">Move to…</option>{}'
        "</select></form>",
        deal.pk, f"?{query}" if query else "", deal.name, options,
    )


@register.simple_tag
def deal_cards(deals: list[Any], targets: list[Any], changeable: set[int], query: str) -> str:
    """The board cards of `deals` (stalled marked; a move menu and dragging on the ones
    the user may change)."""
    return mark_safe("".join(  # noqa: S308 - every part is escaped by format_html
        _card(deal, targets, deal.pk in changeable, query) for deal in deals))
