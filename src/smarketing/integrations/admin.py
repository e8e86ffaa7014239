from django.contrib import admin

from smarketing.integrations.models import ApiToken, WebhookDelivery, WebhookSubscription


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "token_hash", "last_used_at")


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = ("name", "url", "is_active", "created_at")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("event", "event_id", "subscription", "attempts", "last_status", "delivered_at")
    list_filter = ("event",)
