"""Parties, sources, summits and declarations, with the rows that belong to them as inlines."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import (
    Attendance,
    AttendanceReport,
    Citation,
    Declaration,
    DeclarationComponent,
    DeclarationParty,
    Source,
    State,
    Summit,
)
from .base import TrackerAdmin, TrackerInline


class CitationInline(TrackerInline):
    model = Citation
    fields = ["source", "field", "quote", "attribution"]
    autocomplete_fields = ["source"]
    verbose_name_plural = _("citations (the sources that support this record)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source")

    def get_formset(self, request, obj=None, **kwargs):
        """The citation's field as a choice of the record's fields (Citation.citable_fields), not
        a name to type: a name that is not one is a form error, as the model's clean says."""
        formset = super().get_formset(request, obj, **kwargs)
        if "field" in formset.form.base_fields:
            current = formset.form.base_fields["field"]
            choices = [("", gettext("— the whole record —")), *Citation.citable_fields(self.parent_model)]
            formset.form.base_fields["field"] = forms.ChoiceField(
                choices=choices, required=False, label=current.label, help_text=current.help_text
            )
        return formset


@admin.register(State)
class StateAdmin(TrackerAdmin):
    list_display = ["code", "name", "kind"]
    search_fields = ["code", "name"]
    list_filter = ["kind"]


@admin.register(Source)
class SourceAdmin(TrackerAdmin):
    list_display = ["key", "title", "publisher", "published_on", "kind"]
    search_fields = ["key", "title", "publisher", "seed_file"]
    list_filter = ["kind", "published_precision"]
    date_hierarchy = "published_on"


class AttendanceInline(TrackerInline):
    model = Attendance
    fields = ["state", "status", "represented_by", "representatives", "role", "source", "quote"]
    autocomplete_fields = ["state", "representatives", "source"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("state", "source").prefetch_related("representatives")


class AttendanceReportInline(TrackerInline):
    model = AttendanceReport
    fields = ["counted", "qualifier", "value", "source", "quote"]
    autocomplete_fields = ["source"]
    verbose_name_plural = _("reported counts (each source's own figure)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source")


@admin.register(Summit)
class SummitAdmin(TrackerAdmin):
    list_display = ["title", "date", "date_precision", "city", "kind", "status"]
    list_filter = ["kind", "status", "date_precision"]
    search_fields = ["title", "city", "slug"]
    date_hierarchy = "date"
    autocomplete_fields = ["hosts", "chairs", "chaired_by", "organisers"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["created_at", "updated_at"]
    inlines = [AttendanceInline, AttendanceReportInline, CitationInline]


@admin.register(Attendance)
class AttendanceAdmin(TrackerAdmin):
    list_display = ["summit", "state", "status", "role", "represented_by"]
    list_filter = ["status", "role"]
    list_select_related = ["summit", "state"]
    search_fields = ["summit__title", "state__name", "=state__code", "represented_by", "representatives__person__name"]
    autocomplete_fields = ["summit", "state", "representatives", "source"]


@admin.register(AttendanceReport)
class AttendanceReportAdmin(TrackerAdmin):
    list_display = ["summit", "counted", "qualifier", "value", "source"]
    list_filter = ["counted", "qualifier"]
    list_select_related = ["summit", "source"]
    search_fields = ["summit__title", "source__title"]
    autocomplete_fields = ["summit", "source"]


class DeclarationPartyInline(TrackerInline):
    model = DeclarationParty
    fields = ["state", "role", "signed_on", "represented_by", "representatives", "source", "quote"]
    autocomplete_fields = ["state", "representatives", "source"]
    verbose_name_plural = _("signatories and endorsers")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("state", "source")


class DeclarationComponentInline(TrackerInline):
    model = DeclarationComponent
    fields = ["number", "text", "source", "quote"]
    autocomplete_fields = ["source"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source")


@admin.register(Declaration)
class DeclarationAdmin(TrackerAdmin):
    list_display = ["title", "kind", "status", "date", "summit"]
    list_filter = ["kind", "status"]
    list_select_related = ["summit"]
    search_fields = ["title", "slug"]
    date_hierarchy = "date"
    autocomplete_fields = ["summit", "supersedes"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["created_at", "updated_at"]
    inlines = [DeclarationPartyInline, DeclarationComponentInline, CitationInline]


@admin.register(DeclarationParty)
class DeclarationPartyAdmin(TrackerAdmin):
    list_display = ["declaration", "state", "role", "signed_on"]
    list_filter = ["role"]
    list_select_related = ["declaration", "state"]
    search_fields = ["declaration__title", "state__name", "=state__code", "representatives__person__name"]
    autocomplete_fields = ["declaration", "state", "representatives", "source"]


@admin.register(DeclarationComponent)
class DeclarationComponentAdmin(TrackerAdmin):
    list_display = ["declaration", "number", "text"]
    list_select_related = ["declaration"]
    search_fields = ["declaration__title", "text"]
    autocomplete_fields = ["declaration", "source"]
