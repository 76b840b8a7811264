"""The pledge pages: the changelist analysts scan, status changes (one pledge or a selection, all
or none), and the list of deleted pledges with their restore."""

import datetime

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from .. import audit
from ..choices import Condition, Status
from ..models import Citation, ForceRequirement, Pledge, State, StatusChange
from .base import ReadOnlyInline, TrackerAdmin
from .forms import StatusChangeForm
from .records import CitationInline

REVIEW_DAYS = 90
CASCADE_WINDOW = datetime.timedelta(minutes=1)


class StatusHistoryInline(ReadOnlyInline):
    """The status history, read-only: a new status is written only by Pledge.change_status."""

    model = StatusChange
    fields = ["sequence", "from_status", "to_status", "effective_date", "effective_precision", "source", "note"]
    readonly_fields = fields
    ordering = ["sequence"]
    verbose_name_plural = "status history (use “Change status” above to add a step)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source")


class OpenFinalFilter(admin.SimpleListFilter):
    title = "open or final"
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("open", "Open (still to be kept)"), ("final", "Final (fulfilled or withdrawn)")]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.open()
        if self.value() == "final":
            return queryset.final()
        return queryset


class NotReviewedFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "stale"

    def lookups(self, request, model_admin):
        return [(str(REVIEW_DAYS), f"Not reviewed in {REVIEW_DAYS} days")]

    def queryset(self, request, queryset):
        if self.value() == str(REVIEW_DAYS):
            return queryset.not_reviewed_in(REVIEW_DAYS)
        return queryset


@admin.register(Pledge)
class PledgeAdmin(TrackerAdmin):
    list_display = [
        "title",
        "pledgers_list",
        "category",
        "quantity",
        "condition_and_state",
        "status",
        "status_changed_on",
        "citation_count",
    ]
    list_filter = [
        "status",
        OpenFinalFilter,
        "category",
        ("pledgers", admin.RelatedOnlyFieldListFilter),
        ("summit", admin.RelatedOnlyFieldListFilter),
        ("declaration", admin.RelatedOnlyFieldListFilter),
        "condition",
        "condition_state",
        NotReviewedFilter,
    ]
    search_fields = [
        "title",
        "slug",
        "pledgers__name",
        "=pledgers__code",
        "citations__source__title",
        "citations__source__publisher",
        "=citations__source__key",
    ]
    search_help_text = "Title, a pledger's name or code (FR), or a cited source's title, publisher or key."
    date_hierarchy = "status_changed_on"
    ordering = ["-updated_at", "-id"]
    autocomplete_fields = ["pledgers", "part_of", "declaration", "summit"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["status", "status_changed_on", "version", "created_at", "updated_at"]
    fieldsets = [
        (
            None,
            {"fields": ["title", "slug", "pledgers", "category", "description", "summit", "declaration", "part_of"]},
        ),
        (
            "Quantity (fill what the source gives; words stay words)",
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
        ("Condition", {"fields": ["condition", "condition_text", "condition_state"]}),
        ("Status", {"fields": ["status", "status_changed_on", "last_reviewed_at"]}),
        ("Record", {"fields": ["version", "created_at", "updated_at"], "classes": ["collapse"]}),
    ]
    inlines = [CitationInline, StatusHistoryInline]
    actions = ["change_status_action", "mark_reviewed"]
    change_form_template = "admin/commitments/pledge/change_form.html"
    change_list_template = "admin/commitments/pledge/change_list.html"
    list_per_page = 50

    def get_queryset(self, request):
        return super().get_queryset(request).with_related()

    # -- columns -------------------------------------------------------------------------------

    @admin.display(description="pledgers")
    def pledgers_list(self, obj):
        return ", ".join(state.name for state in obj.pledgers.all())

    @admin.display(description="quantity")
    def quantity(self, obj):
        return obj.quantity_summary()

    @admin.display(description="condition", ordering="condition")
    def condition_and_state(self, obj):
        if obj.condition in (Condition.NOT_STATED, Condition.UNCONDITIONAL):
            return obj.get_condition_display()
        state = obj.get_condition_state_display().split(" (")[0].lower()
        return f"{obj.get_condition_display()} — {state}"

    @admin.display(description="sources")
    def citation_count(self, obj):
        return len({c.source_id for c in obj.citations.all()})

    # -- pages ---------------------------------------------------------------------------------

    def get_urls(self):
        opts = self.model._meta
        info = opts.app_label, opts.model_name
        return [
            path(
                "<path:object_id>/change-status/",
                self.admin_site.admin_view(self.change_status_view),
                name="{}_{}_change_status".format(*info),
            ),
            path("deleted/", self.admin_site.admin_view(self.deleted_view), name="{}_{}_deleted".format(*info)),
            path(
                "deleted/<int:object_id>/restore/",
                self.admin_site.admin_view(self.restore_view),
                name="{}_{}_restore".format(*info),
            ),
            *super().get_urls(),
        ]

    def may_change_status(self, request, obj=None) -> bool:
        return self.has_change_permission(request, obj) and request.user.has_perm("commitments.add_statuschange")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "may_change_status": self.may_change_status(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "may_see_deleted": self.has_view_permission(request)}
        return super().changelist_view(request, extra_context)

    # -- status change ---------------------------------------------------------------------------

    def change_status_view(self, request, object_id):
        pledge = self.get_object(request, unquote(object_id))
        if pledge is None:
            raise Http404("No such pledge.")
        if not self.may_change_status(request, pledge):
            raise PermissionDenied
        return self.status_change_page(request, [pledge], single=True)

    @admin.action(description="Change status of the selected pledges", permissions=["change"])
    def change_status_action(self, request, queryset):
        if not self.may_change_status(request):
            raise PermissionDenied
        return self.status_change_page(request, list(queryset.order_by("title")), single=False)

    def status_change_page(self, request, pledges, *, single):
        """One StatusChange per pledge, all or none: if any pledge rejects the change (already in
        that status, a date before its last change...), nothing is written and every rejection
        is listed."""
        rejections = []
        if "apply" in request.POST:
            form = StatusChangeForm(request.POST)
            if form.is_valid():
                rejections = self.apply_status_change(request, pledges, form)
                if not rejections:
                    status = dict(form.fields["status"].choices)[form.cleaned_data["status"]]
                    count = len(pledges)
                    self.message_user(
                        request,
                        f"Status changed to “{status}” for {count} pledge{'s' if count != 1 else ''}.",
                        messages.SUCCESS,
                    )
                    if single:
                        return HttpResponseRedirect(reverse("admin:commitments_pledge_change", args=[pledges[0].pk]))
                    return HttpResponseRedirect(reverse("admin:commitments_pledge_changelist"))
                if single:
                    form.add_change_errors(rejections[0][1])
                    rejections = []
        else:
            form = StatusChangeForm()
        context = {
            **self.admin_site.each_context(request),
            "title": "Change status" + (f": {pledges[0]}" if single else f" of {len(pledges)} pledges"),
            "opts": self.model._meta,
            "form": form,
            "pledges": pledges,
            "single": single,
            "rejections": rejections,
            "media": self.media + form.media,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/commitments/pledge/change_status.html", context)

    def apply_status_change(self, request, pledges, form) -> list:
        rejections = []
        kwargs = form.change_kwargs(request.user)
        try:
            with transaction.atomic():
                # Lock first: a status changed by someone else since this page was shown is not
                # silently built upon (announced → agreed over their agreed → committed).
                now = dict(
                    Pledge.objects.select_for_update()
                    .filter(pk__in=[p.pk for p in pledges])
                    .values_list("pk", "status")
                )
                for pledge in pledges:
                    seen = request.POST.get(f"seen_status_{pledge.pk}")
                    if seen and seen != now.get(pledge.pk):
                        label = Status(now[pledge.pk]).label.split(" (")[0]
                        rejections.append(
                            (
                                pledge,
                                ValidationError(
                                    {
                                        "status": f"Its status was changed to “{label}” by someone "
                                        "else since this page was shown; check it and submit again."
                                    }
                                ),
                            )
                        )
                        continue
                    try:
                        pledge.change_status(form.cleaned_data["status"], **kwargs)
                    except ValidationError as exc:
                        rejections.append((pledge, exc))
                if rejections:
                    raise _RollBack
        except _RollBack:
            for pledge in pledges:  # change_status updated the instances; the rows were rolled back
                pledge.refresh_from_db(fields=["status", "status_changed_on", "version", "updated_at"])
                pledge._loaded_status = pledge.status
        return rejections

    @admin.action(
        description=f"Mark the selected pledges as reviewed now (clears “not reviewed in {REVIEW_DAYS} days”)"
    )
    def mark_reviewed(self, request, queryset):
        """One UPDATE for the selection; a bulk write sends no signals, so the audit records are
        written here, one per pledge."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        now = timezone.now()
        with transaction.atomic():
            ids = list(queryset.select_for_update().values_list("pk", flat=True))
            Pledge.objects.filter(pk__in=ids).update(last_reviewed_at=now, updated_at=now, version=F("version") + 1)
            pledges = list(Pledge.objects.filter(pk__in=ids))
            audit.record(pledges, audit.CHANGED, user=request.user, reason="Marked as reviewed")
        self.message_user(request, f"{len(ids)} pledge{'s' if len(ids) != 1 else ''} marked as reviewed.")

    # -- deleted pledges --------------------------------------------------------------------------

    def may_restore(self, request) -> bool:
        # Whoever may delete pledges may undo a deletion; analysts, who cannot delete, cannot undo one.
        return self.has_delete_permission(request) and self.has_add_permission(request)

    def restore_hint(self) -> str:
        return " Deleted pledges are restored from “Deleted pledges” on the pledge list."

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
            "title": "Deleted pledges",
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
            raise Http404("No deleted pledge with this id.")
        try:
            pledge = restore_pledge(record, request.user)
        except (ValidationError, IntegrityError) as exc:
            text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            self.message_user(request, f"“{record.title}” could not be restored: {text}", messages.ERROR)
            return HttpResponseRedirect(reverse("admin:commitments_pledge_deleted"))
        self.message_user(
            request, f"“{pledge}” restored with its pledgers, citations and status history.", messages.SUCCESS
        )
        return HttpResponseRedirect(reverse("admin:commitments_pledge_change", args=[pledge.pk]))


class _RollBack(Exception):
    """Leaves a transaction.atomic block so that it rolls back."""


@transaction.atomic
def restore_pledge(record, user) -> Pledge:
    """Bring back a deleted pledge as it was when deleted: its fields, its pledgers (from its last
    record before deletion), and the citations and status changes deleted with it. One audit
    record per restored row, reason "Restored"."""
    pledge = record.instance
    pledge._state.adding = True
    previous = Pledge.history.filter(id=record.id).exclude(history_type=audit.DELETED).order_by("-history_id").first()
    pledger_ids = list(previous.pledgers.values_list("state_id", flat=True)) if previous else []
    pledger_ids = list(State.objects.filter(pk__in=pledger_ids).values_list("pk", flat=True))  # still there
    pledge.full_clean(exclude=["pledgers"])
    pledge._writing_status = True  # the status comes back with the status history it rests on
    pledge.skip_history_when_saving = True
    try:
        pledge.save(force_insert=True)
        pledge.pledgers.set(pledger_ids)
    finally:
        del pledge.skip_history_when_saving
        pledge._writing_status = False
    audit.record([pledge], audit.CREATED, user=user, reason="Restored")
    for model in (StatusChange, Citation):
        rows = _deleted_with(model, record)
        for row in rows:
            row._state.adding = True
            row.full_clean(validate_unique=False)  # e.g. its source was deleted since
            row.skip_history_when_saving = True
            row.save(force_insert=True)
            del row.skip_history_when_saving
        audit.record(rows, audit.CREATED, user=user, reason="Restored with its pledge")
    return pledge


def _deleted_with(model, record) -> list:
    """Rows of `model` that belonged to the pledge and were deleted with it, as they were. The
    cascade deletes them in the pledge's transaction, just before the pledge; a citation removed
    on its own earlier stays removed."""
    history = model.history.model
    latest = history.objects.filter(pledge_id=record.id).values("id").annotate(last=Max("history_id"))
    deleted = history.objects.filter(
        history_id__in=latest.values("last"),
        history_type=audit.DELETED,
        history_date__gte=record.history_date - CASCADE_WINDOW,
        history_date__lte=record.history_date,
    ).exclude(id__in=model.objects.values("pk"))
    return [row.instance for row in deleted.order_by("id")]


@admin.register(StatusChange)
class StatusChangeAdmin(TrackerAdmin):
    """The status history across pledges, read-only: written only by Pledge.change_status."""

    list_display = ["pledge", "sequence", "from_status", "to_status", "effective_date", "source", "recorded_by"]
    list_filter = ["to_status", "from_status", "effective_precision"]
    search_fields = ["pledge__title", "note", "source__title"]
    list_select_related = ["pledge", "source", "recorded_by"]
    date_hierarchy = "effective_date"
    autocomplete_fields = ["pledge", "source"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        # A step goes only with its pledge (the delete permission is what allows that cascade):
        # removing one alone would leave the pledge's status resting on nothing.
        raise PermissionDenied


@admin.register(Citation)
class CitationAdmin(TrackerAdmin):
    list_display = ["source", "target", "field", "quote"]
    list_select_related = ["source", "summit", "declaration", "pledge", "force_requirement"]
    search_fields = ["quote", "source__title", "pledge__title", "summit__title", "declaration__title"]
    autocomplete_fields = ["source", "summit", "declaration", "pledge", "force_requirement"]


@admin.register(ForceRequirement)
class ForceRequirementAdmin(TrackerAdmin):
    list_display = ["title", "troops_min", "troops_max", "summit", "declaration"]
    list_select_related = ["summit", "declaration"]
    search_fields = ["title", "slug"]
    autocomplete_fields = ["summit", "declaration"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [CitationInline]
