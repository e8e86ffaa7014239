from django.contrib import admin

from smarketing.people.models import (
    Company,
    Contact,
    ContactMerge,
    Identity,
    PropertyDefinition,
    StageChange,
)


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ("name", "domain", "industry", "region", "owner")
    search_fields = ("name", "domain")
    raw_id_fields = ("owner",)
    show_full_result_count = False


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("email", "first_name", "last_name", "lifecycle_stage", "owner", "score")
    list_filter = ("lifecycle_stage",)
    raw_id_fields = ("company", "owner")
    show_full_result_count = False
    list_select_related = ("owner", "scores")
    readonly_fields = tuple(f"became_{s}_at" for s in (
        "subscriber", "lead", "mql", "sql", "opportunity", "customer", "evangelist"))


@admin.register(Identity)
class IdentityAdmin(admin.ModelAdmin):
    list_display = ("kind", "value", "contact")
    raw_id_fields = ("contact",)


@admin.register(StageChange)
class StageChangeAdmin(admin.ModelAdmin):
    list_display = ("contact", "from_stage", "to_stage", "at", "cause", "actor")
    raw_id_fields = ("contact", "actor")


@admin.register(PropertyDefinition)
class PropertyDefinitionAdmin(admin.ModelAdmin):
    list_display = ("object_type", "name", "label", "type")


@admin.register(ContactMerge)
class ContactMergeAdmin(admin.ModelAdmin):
    list_display = ("primary", "merged_contact_id", "merged_email", "at", "actor")
    raw_id_fields = ("primary", "actor")
