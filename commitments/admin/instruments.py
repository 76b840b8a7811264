"""The instrument pages: the changelist (kind, status, lead, contributions), the change form with
its parties, citations and read-only status history, status changes (one instrument or a
selection, all or none: commitments/admin/status.py), parties and the history across instruments."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..choices import InstrumentStatus
from ..models import Instrument, InstrumentParty, InstrumentStatusChange
from .base import TrackerAdmin, TrackerInline
from .records import CitationInline
from .status import StatusChangeAdminMixin, StatusHistoryAdmin, StatusHistoryInline


class InstrumentPartyInline(TrackerInline):
    model = InstrumentParty
    fields = ["state", "role", "source", "quote", "attribution", "notes"]
    autocomplete_fields = ["state", "source"]
    verbose_name_plural = _("parties (who leads, takes part in, contributes to or supports it, as a report says)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("state", "source")


class InstrumentStatusHistoryInline(StatusHistoryInline):
    model = InstrumentStatusChange


@admin.register(Instrument)
class InstrumentAdmin(StatusChangeAdminMixin, TrackerAdmin):
    usual_life_ends_at = InstrumentStatus.OPERATIONAL  # suspended and ended are ways off it
    list_display = ["name", "kind", "status", "status_changed_on", "leads", "contribution_count"]
    list_filter = ["kind", "status", ("parties__state", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "slug", "mandate", "parties__state__name", "=parties__state__code"]
    search_help_text = _("Name, mandate, or a party's name or code (US).")
    ordering = ["name", "slug"]
    autocomplete_fields = ["declarations"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["status", "status_changed_on", "contributions_list", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "name_uk", "slug", "kind", "mandate", "summary", "summary_uk", "declarations"]}),
        (_("Condition"), {"fields": ["condition", "condition_text", "condition_state"]}),
        (_("Status"), {"fields": ["status", "status_changed_on"]}),
        (_("Contributions"), {"fields": ["contributions_list"]}),
        (_("Record"), {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]
    inlines = [InstrumentPartyInline, CitationInline, InstrumentStatusHistoryInline]
    actions = ["change_status_action"]
    status_change_ordering = ("name",)

    def get_queryset(self, request):
        return super().get_queryset(request).with_leads_and_contribution_count()

    @admin.display(description=_("lead"))
    def leads(self, obj):
        return ", ".join(party.state.name for party in obj.leads) or "—"

    @admin.display(description=_("contributions"), ordering="contribution_count")
    def contribution_count(self, obj):
        return obj.contribution_count

    @admin.display(description=_("pledges contributing to it"))
    def contributions_list(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        pledges = obj.contributions.order_by("title").only("pk", "title")
        links = format_html_join(
            "",
            '<li><a href="{}">{}</a></li>',
            ((reverse("admin:commitments_pledge_change", args=[p.pk]), p.title) for p in pledges),
        )
        return format_html("<ul>{}</ul>", links) if links else gettext("None yet: set “contributes to” on a pledge.")


@admin.register(InstrumentParty)
class InstrumentPartyAdmin(TrackerAdmin):
    list_display = ["instrument", "state", "role", "source"]
    list_filter = ["role"]
    list_select_related = ["instrument", "state", "source"]
    search_fields = ["instrument__name", "state__name", "=state__code", "quote"]
    autocomplete_fields = ["instrument", "state", "source"]


@admin.register(InstrumentStatusChange)
class InstrumentStatusChangeAdmin(StatusHistoryAdmin):
    """The status history across instruments, read-only: written only by Instrument.change_status."""

    list_display = ["instrument", "sequence", "from_status", "to_status", "effective_date", "source", "recorded_by"]
    search_fields = ["instrument__name", "note", "source__title"]
    list_select_related = ["instrument", "source", "recorded_by"]
    autocomplete_fields = ["instrument", "source"]
