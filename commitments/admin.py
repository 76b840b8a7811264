"""A plain registration of every model; the analysts' admin is built on top of this."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from . import models


@admin.register(models.State)
class StateAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "kind"]
    search_fields = ["code", "name"]
    list_filter = ["kind"]


@admin.register(models.Source)
class SourceAdmin(SimpleHistoryAdmin):
    list_display = ["key", "title", "publisher", "published_on", "kind"]
    search_fields = ["key", "title", "publisher", "seed_file"]


@admin.register(models.Summit)
class SummitAdmin(SimpleHistoryAdmin):
    list_display = ["title", "date", "date_precision", "city", "status"]
    search_fields = ["title", "city"]


@admin.register(models.Declaration)
class DeclarationAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "status", "date"]
    search_fields = ["title"]


@admin.register(models.Pledge)
class PledgeAdmin(SimpleHistoryAdmin):
    list_display = ["title", "category", "status", "status_changed_on"]
    search_fields = ["title", "pledgers__name", "pledgers__code"]
    list_filter = ["status", "category"]


for model in (
    models.Attendance,
    models.AttendanceReport,
    models.DeclarationParty,
    models.DeclarationComponent,
    models.ForceRequirement,
    models.StatusChange,
    models.Citation,
):
    admin.site.register(model, SimpleHistoryAdmin)
