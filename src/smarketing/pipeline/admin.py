from django.contrib import admin

from smarketing.pipeline.models import (
    Activity,
    Deal,
    LostReason,
    Pipeline,
    PipelineStage,
    Product,
    Quota,
)


class StageInline(admin.TabularInline):
    model = PipelineStage
    extra = 0


@admin.register(Pipeline)
class PipelineAdmin(admin.ModelAdmin):
    inlines = [StageInline]
    list_display = ["name", "is_default"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "family", "list_price", "active"]
    list_filter = ["family", "active"]


@admin.register(LostReason)
class LostReasonAdmin(admin.ModelAdmin):
    list_display = ["name", "active"]


@admin.register(Deal)
class DealAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "stage", "status", "amount", "expected_close_date"]
    list_filter = ["status", "type"]
    raw_id_fields = ["company", "owner"]
    readonly_fields = ["stage", "status", "closed_at", "stage_entered_at"]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["kind", "subject", "owner", "at", "due_at", "done_at"]
    raw_id_fields = ["contact", "company", "deal", "owner"]


@admin.register(Quota)
class QuotaAdmin(admin.ModelAdmin):
    list_display = ["owner", "period", "start", "amount"]
