from django.contrib import admin

from smarketing.tracking.models import DebugMessage, Event, GroupLink, HostedForm, Source


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "key_prefix", "enabled", "rejected_count", "created_at")
    readonly_fields = ("key_prefix", "key_hash", "rejected_count", "duplicate_count")


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("type", "name", "contact", "anonymous_id", "user_id", "timestamp")
    list_filter = ("type",)
    raw_id_fields = ("contact",)
    show_full_result_count = False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False  # events are append-only


@admin.register(DebugMessage)
class DebugMessageAdmin(admin.ModelAdmin):
    list_display = ("source", "status", "type", "reason", "received_at")


@admin.register(GroupLink)
class GroupLinkAdmin(admin.ModelAdmin):
    list_display = ("group_id", "company")
    raw_id_fields = ("company",)


@admin.register(HostedForm)
class HostedFormAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "source", "form_type", "enabled")
    prepopulated_fields = {"slug": ("name",)}
