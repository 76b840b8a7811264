"""The pledge pages: the changelist analysts scan, status changes (one pledge or a selection, all
or none: commitments/admin/status.py), and the list of deleted pledges with their restore."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .. import audit, review, services
from ..choices import Condition, Status
from ..formatting import short_label
from ..models import Citation, ForceRequirement, Pledge, StatusChange
from ..models.pledges import NO_PLEDGER
from .base import TrackerAdmin
from .exports import PledgeImportExportMixin
from .listing import (
    SameDirectionChangeList,
    ShortChoicesFilter,
    cut,
    labelled,
    relation_filter,
    search_without_duplicates,
    text_matches,
)
from .records import CitationInline
from .status import StatusChangeAdminMixin, StatusHistoryAdmin, StatusHistoryInline

REVIEW_DAYS = 90


class PledgeStatusHistoryInline(StatusHistoryInline):
    model = StatusChange


class OpenFinalFilter(admin.SimpleListFilter):
    title = _("open or final")
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("open", _("Open (still to be kept)")), ("final", _("Final (fulfilled or withdrawn)"))]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.open()
        if self.value() == "final":
            return queryset.final()
        return queryset


class NotReviewedFilter(admin.SimpleListFilter):
    title = _("review")
    parameter_name = "stale"

    def lookups(self, request, model_admin):
        return [(str(REVIEW_DAYS), gettext("Not reviewed in %(days)d days") % {"days": REVIEW_DAYS})]

    def queryset(self, request, queryset):
        if self.value() == str(REVIEW_DAYS):
            return queryset.not_reviewed_in(REVIEW_DAYS)
        return queryset


@admin.register(Pledge)
class PledgeAdmin(PledgeImportExportMixin, StatusChangeAdminMixin, TrackerAdmin):
    # The columns an analyst scans first, in short labels and one line a row (long texts cut, the
    # whole text as the cell's title): ≥ 15 rows on a 1366×768 screen (tests/test_browser_admin_layout.py).
    list_display = [
        "pledge_title",
        "pledgers_list",
        "category_label",
        "status_label",
        "status_changed_on",
        "quantity",
        "condition_and_state",
        "citation_count",
    ]
    list_filter = [
        ("status", ShortChoicesFilter),
        OpenFinalFilter,
        ("category", ShortChoicesFilter),
        # Choices from the small tables, EXISTS per choice; filtered without DISTINCT (listing.py).
        relation_filter("pledgers"),
        relation_filter("summit"),
        relation_filter("declaration"),
        relation_filter("contributes_to"),
        ("condition", ShortChoicesFilter),
        ("condition_state", ShortChoicesFilter),
        ("status_changed_on", admin.DateFieldListFilter),
        NotReviewedFilter,
    ]
    # Words match the pledge itself (title, slug, description) or a pledger; a word prefixed
    # "source:" matches a cited source (title, publisher, key) only: "France" finds France's
    # pledges, not every pledge citing a French newspaper (get_search_results).
    search_fields = [
        "title",
        "slug",
        "description",
        "pledgers__name",
        "=pledgers__code",
        "citations__source__title",
        "citations__source__publisher",
        "=citations__source__key",
    ]
    search_help_text = _(
        "Title, slug, description, or a pledger's name or code (FR). A cited source: source:word "
        '(its title, publisher or key), e.g. source:Guardian or source:"Élysée statement".'
    )
    # No date_hierarchy: its "which years have pledges" is a DISTINCT over every row at each view.
    # The same drill-down by ranges (status_changed_on__gte/__lt, index-served) is a list filter;
    # the hierarchy's own parameters (status_changed_on__year=…&__month=…) still filter.
    # No count of all pledges beside the filtered one (a second COUNT(*) over a million rows).
    show_full_result_count = False
    ordering = ["-updated_at", "-id"]
    autocomplete_fields = ["pledgers", "part_of", "contributes_to", "declaration", "summit"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["status", "status_changed_on", "version", "created_at", "updated_at"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "title_uk",
                    "slug",
                    "pledgers",
                    "category",
                    "description",
                    "description_uk",
                    "summit",
                    "declaration",
                    "part_of",
                    "contributes_to",
                ]
            },
        ),
        (
            _("Quantity (fill what the source gives; words stay words)"),
            {
                "fields": [
                    ("troops_min", "troops_max"),
                    ("amount", "currency"),
                    ("value_date", "fx_rate", "amount_eur"),
                    ("monitoring_role", "monitoring_means"),
                    "quantity_text",
                ]
            },
        ),
        (_("Condition"), {"fields": ["condition", "condition_text", "condition_state"]}),
        (_("Status"), {"fields": ["status", "status_changed_on", "last_reviewed_at"]}),
        (_("Record"), {"fields": ["version", "created_at", "updated_at"], "classes": ["collapse"]}),
    ]
    inlines = [CitationInline, PledgeStatusHistoryInline]
    actions = ["change_status_action", "mark_reviewed"]
    status_change_ordering = ("title",)
    usual_life_ends_at = Status.FULFILLED  # stalled and withdrawn are ways off it
    change_list_template = "admin/commitments/pledge/change_list.html"
    list_per_page = 50

    def get_queryset(self, request):
        return super().get_queryset(request).with_related()

    def get_changelist(self, request, **kwargs):
        return SameDirectionChangeList  # a sorted column's (field, id) index serves both directions

    def get_search_results(self, request, queryset, search_term):
        """What `search_fields` name, matched as the admin does (words ANDed, each in any field;
        `=` fields exactly, case aside), as `pk IN (… UNION …)`: no join, so no duplicate rows
        and no DISTINCT (listing.py). Served by trigram indexes on PostgreSQL (migration 0009)."""
        if not search_term:
            return queryset, False
        pledgers = Pledge.pledgers.through.objects
        branches = [
            lambda term: Pledge.objects.filter(
                text_matches(term, "title__icontains", "slug__icontains", "description__icontains")
            ).values("pk"),
            lambda term: pledgers.filter(text_matches(term, "state__name__icontains", "state__code__iexact")).values(
                "pledge_id"
            ),
        ]
        sources = [
            lambda term: Citation.objects.filter(
                text_matches(term, "source__title__icontains", "source__publisher__icontains", "source__key__iexact"),
                pledge__isnull=False,
            ).values("pledge_id"),
        ]
        return search_without_duplicates(queryset, search_term, branches, prefixed={"source": sources}), False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if "pledgers" in form.base_fields:
            # The write path's rule, in its words (the API and the import say the same).
            form.base_fields["pledgers"].error_messages["required"] = NO_PLEDGER
        return form

    # -- writing: the one write path (commitments.services) ------------------------------------

    def save_model(self, request, obj, form, change):
        """The pledge and its pledgers through `services.save_pledge` (validated as by the API and
        the import; one audit record); the inlines (citations) are saved afterwards, as usual.
        With review required, `save_related` hands the pledge, its pledgers and its citation rows
        to `save_pledge` together, which keeps them as one pending revision."""
        form.save_m2m = lambda: None  # the pledgers are saved; saving them again would audit twice
        if self.reviewing(request):
            request._review_pending = True
            return
        pledgers = form.cleaned_data.get("pledgers") if "pledgers" in form.cleaned_data else None
        services.save_pledge(obj, pledgers=pledgers, user=request.user)

    def propose_from_form(self, request, form, formsets):
        pledgers = form.cleaned_data.get("pledgers") if "pledgers" in form.cleaned_data else None
        return services.save_pledge(
            form.instance, pledgers=pledgers, user=request.user, inlines=review.inline_rows(formsets)
        )

    def delete_model(self, request, obj):
        request._revision = services.delete_pledge(obj, user=request.user)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for pledge in queryset:
                services.delete_pledge(pledge, user=request.user)

    # -- columns -------------------------------------------------------------------------------

    @admin.display(description=_("title"), ordering="title")
    def pledge_title(self, obj):
        return cut(obj.title, wide=True)

    @admin.display(description=_("pledgers"))
    def pledgers_list(self, obj):
        return cut(", ".join(state.name for state in obj.pledgers.all()))

    @admin.display(description=_("category"), ordering="category")
    def category_label(self, obj):
        return cut(short_label(obj.get_category_display()), title=obj.get_category_display())

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, obj):
        return labelled(obj.get_status_display())

    @admin.display(description=_("quantity"))
    def quantity(self, obj):
        return cut(obj.quantity_summary())

    @admin.display(description=_("condition"), ordering="condition")
    def condition_and_state(self, obj):
        if obj.condition in (Condition.NOT_STATED, Condition.UNCONDITIONAL):
            return labelled(obj.get_condition_display())
        state = short_label(obj.get_condition_state_display()).lower()
        full = f"{obj.get_condition_display()}; {obj.get_condition_state_display()}"
        return cut(f"{short_label(obj.get_condition_display())} — {state}", title=full)

    @admin.display(description=_("sources"))
    def citation_count(self, obj):
        return len({c.source_id for c in obj.citations.all()})

    # -- pages ---------------------------------------------------------------------------------

    def get_urls(self):
        opts = self.model._meta
        info = opts.app_label, opts.model_name
        return [
            path("deleted/", self.admin_site.admin_view(self.deleted_view), name="{}_{}_deleted".format(*info)),
            path(
                "deleted/<int:object_id>/restore/",
                self.admin_site.admin_view(self.restore_view),
                name="{}_{}_restore".format(*info),
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "may_see_deleted": self.has_view_permission(request)}
        return super().changelist_view(request, extra_context)

    @admin.action(
        description=format_lazy(
            _("Mark the selected pledges as reviewed now (clears “not reviewed in {days} days”)"), days=REVIEW_DAYS
        )
    )
    def mark_reviewed(self, request, queryset):
        """One UPDATE for the selection, one audit record per pledge (services.mark_reviewed)."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        count = services.mark_reviewed(queryset.values_list("pk", flat=True), user=request.user)
        self.message_user(
            request,
            ngettext("%(count)d pledge marked as reviewed.", "%(count)d pledges marked as reviewed.", count)
            % {"count": count},
        )

    # -- deleted pledges --------------------------------------------------------------------------

    def may_restore(self, request) -> bool:
        # Whoever may delete pledges may undo a deletion; analysts, who cannot delete, cannot undo one.
        return self.has_delete_permission(request) and self.has_add_permission(request)

    def restore_hint(self) -> str:
        return " " + gettext("Deleted pledges are restored from “Deleted pledges” on the pledge list.")

    def deleted_records(self):
        history = Pledge.history.model
        latest = history.objects.values("id").annotate(last=Max("history_id"))
        return (
            history.objects.filter(history_id__in=latest.values("last"), history_type=audit.DELETED)
            .exclude(id__in=Pledge.objects.values("pk"))
            .select_related("history_user")
            .order_by("-history_date")
        )

    def deleted_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Deleted pledges"),
            "opts": self.model._meta,
            "records": self.deleted_records(),
            "may_restore": self.may_restore(request),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/commitments/pledge/deleted.html", context)

    def restore_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:commitments_pledge_deleted"))
        if not self.may_restore(request):
            raise PermissionDenied
        record = self.deleted_records().filter(id=object_id).first()
        if record is None:
            raise Http404(gettext("No deleted pledge with this id."))
        try:
            pledge = services.restore_pledge(record, request.user)
        except (ValidationError, IntegrityError) as exc:
            text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            self.message_user(
                request,
                gettext("“%(title)s” could not be restored: %(reason)s") % {"title": record.title, "reason": text},
                messages.ERROR,
            )
            return HttpResponseRedirect(reverse("admin:commitments_pledge_deleted"))
        self.message_user(
            request,
            gettext("“%(pledge)s” restored with its pledgers, citations and status history.") % {"pledge": pledge},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:commitments_pledge_change", args=[pledge.pk]))


@admin.register(StatusChange)
class StatusChangeAdmin(StatusHistoryAdmin):
    """The status history across pledges, read-only: written only by Pledge.change_status."""

    list_display = ["pledge", "sequence", "from_status", "to_status", "effective_date", "source", "recorded_by"]
    search_fields = ["pledge__title", "note", "source__title"]
    list_select_related = ["pledge", "source", "recorded_by"]
    autocomplete_fields = ["pledge", "source"]


@admin.register(Citation)
class CitationAdmin(TrackerAdmin):
    list_display = ["source", "target", "field", "quote"]
    list_select_related = ["source", *Citation.TARGETS]
    search_fields = [
        "quote",
        "source__title",
        "pledge__title",
        "summit__title",
        "declaration__title",
        "instrument__name",
    ]
    autocomplete_fields = ["source", *Citation.TARGETS]


@admin.register(ForceRequirement)
class ForceRequirementAdmin(TrackerAdmin):
    list_display = ["title", "troops_min", "troops_max", "instrument", "summit", "declaration"]
    list_select_related = ["instrument", "summit", "declaration"]
    search_fields = ["title", "slug", "instrument__name"]
    autocomplete_fields = ["instrument", "summit", "declaration"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [CitationInline]
