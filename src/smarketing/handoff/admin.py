from django.contrib import admin

from smarketing.handoff.models import (
    SLA,
    Assignment,
    Holiday,
    RejectionReason,
    RepAvailability,
    RoutingRule,
    WorkingCalendar,
)


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 1


@admin.register(WorkingCalendar)
class WorkingCalendarAdmin(admin.ModelAdmin):
    list_display = ("name", "time_zone", "day_start", "day_end")
    inlines = [HolidayInline]


@admin.register(SLA)
class SLAAdmin(admin.ModelAdmin):
    list_display = ("version", "is_active", "mql_target", "period", "follow_up_hours", "calendar")


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ("position", "name", "team", "is_active", "fallback_owner")


@admin.register(RejectionReason)
class RejectionReasonAdmin(admin.ModelAdmin):
    list_display = ("position", "code", "label", "is_active", "needs_note")


@admin.register(RepAvailability)
class RepAvailabilityAdmin(admin.ModelAdmin):
    list_display = ("user", "is_away", "updated_at")


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ("contact", "rep", "assigned_at", "due_at", "outcome", "decided_at")
    list_filter = ("outcome",)
    raw_id_fields = ("contact", "mql_change")
