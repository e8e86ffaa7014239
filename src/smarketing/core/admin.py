from django.contrib import admin

from smarketing.core.models import Profile, Team


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "region")


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "team", "region", "capacity")
    list_filter = ("role", "team", "region")
