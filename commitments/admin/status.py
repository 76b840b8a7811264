"""Status changes in the admin, for every record with a status history (pledges, instruments): one
implementation, used as a mixin of the record's admin.

    class PledgeAdmin(StatusChangeAdminMixin, TrackerAdmin): ...

The mixin adds the page `admin:<app>_<model>_change_status` (…/<id>/change-status/, the "Change
status" button on the change form), the action `change_status_action` for a selection, and the
permission `change_status` (change the record and add to its history). A change is written only
by the record's `change_status`; for a selection, every record gets its history row or none does,
and the refusals are listed. `StatusHistoryInline` and `StatusHistoryAdmin` show a history,
read-only."""

from django.contrib import admin, messages
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import Revision
from .base import ReadOnlyInline, TrackerAdmin
from .forms import StatusChangeForm


class StatusChangeAdminMixin:
    """The "Change status" page and bulk action of a ModelAdmin whose model has `change_status`
    (commitments.models.status.StatusHistory). Put it before TrackerAdmin in the bases."""

    change_form_template = "admin/commitments/status_change_form.html"
    status_change_template = "admin/commitments/change_status.html"
    # The order in which a selection is listed on the page (the model's own ordering if empty).
    status_change_ordering: tuple[str, ...] = ()
    # The last status of a record's usual life (the order of its status choices): the page offers
    # the status after the current one, up to this one (next_status).
    usual_life_ends_at = ""

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "<path:object_id>/change-status/",
                self.admin_site.admin_view(self.change_status_view),
                name=f"{opts.app_label}_{opts.model_name}_change_status",
            ),
            *super().get_urls(),
        ]

    def has_change_status_permission(self, request, obj=None) -> bool:
        """Change the record and add a step to its history (`add_statuschange` for pledges,
        `add_instrumentstatuschange` for instruments)."""
        history = self.model.STATUS_CHANGE._meta
        return self.has_change_permission(request, obj) and request.user.has_perm(
            f"{history.app_label}.add_{history.model_name}"
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "may_change_status": self.has_change_status_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    def change_status_view(self, request, object_id):
        record = self.get_object(request, unquote(object_id))
        if record is None:
            raise Http404(gettext("No such %(model)s.") % {"model": self.model._meta.verbose_name})
        if not self.has_change_status_permission(request, record):
            raise PermissionDenied
        return self.status_change_page(request, [record], single=True)

    @admin.action(description=_("Change status of the selected %(verbose_name_plural)s"), permissions=["change_status"])
    def change_status_action(self, request, queryset):
        if self.status_change_ordering:
            queryset = queryset.order_by(*self.status_change_ordering)
        return self.status_change_page(request, list(queryset), single=False)

    def status_change_page(self, request, records, *, single):
        """One history row per record, all or none: if any record refuses the change (already in
        that status, a date before its last change...), nothing is written and every refusal is
        listed."""
        opts = self.model._meta
        rejections = []
        can_add_source = request.user.has_perm("commitments.add_source")
        if "apply" in request.POST:
            form = StatusChangeForm(request.POST, model=self.model, can_add_source=can_add_source)
            if form.is_valid():
                rejections = self.apply_status_change(request, records, form)
                if not rejections:
                    status = dict(form.fields["status"].choices)[form.cleaned_data["status"]]
                    count = len(records)
                    noun = opts.verbose_name if count == 1 else opts.verbose_name_plural
                    queued = getattr(request, "_revisions", [])
                    if queued:  # review on: the history waits for a reviewer
                        numbers = ", ".join(f"#{revision.pk}" for revision in queued)
                        message = gettext(
                            "Status change to “%(status)s” for %(count)d %(noun)s saved for review as revision "
                            "%(numbers)s: it is published when a reviewer approves it."
                        ) % {"status": status, "count": count, "noun": noun, "numbers": numbers}
                    else:
                        message = gettext("Status changed to “%(status)s” for %(count)d %(noun)s.") % {
                            "status": status,
                            "count": count,
                            "noun": noun,
                        }
                    self.message_user(request, message, messages.SUCCESS)
                    if single:
                        # Back to the record, with the list's filters it was opened from (?_changelist_filters=…).
                        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[records[0].pk])
                        preserved = {"preserved_filters": self.get_preserved_filters(request), "opts": opts}
                        return HttpResponseRedirect(add_preserved_filters(preserved, url))
                    # The action was posted to the list with its filters in the query string: back there.
                    return HttpResponseRedirect(request.get_full_path())
                if single:
                    form.add_change_errors(rejections[0][1])
                    rejections = []
        else:
            form = StatusChangeForm(
                model=self.model, can_add_source=can_add_source, initial={"status": self.next_status(records)}
            )
        if single:
            title = gettext("Change status: %(record)s") % {"record": records[0]}
        else:
            title = gettext("Change status of %(count)d %(records)s") % {
                "count": len(records),
                "records": opts.verbose_name_plural,
            }
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": opts,
            "form": form,
            "records": records,
            "single": single,
            "rejections": rejections,
            "media": self.media + form.media,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "preserved_filters": self.get_preserved_filters(request),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.status_change_template, context)

    def next_status(self, records) -> str:
        """The status the page offers first: the one after the records' current status in the
        usual life of a record (the order of its choices, up to `usual_life_ends_at`); none when
        the records stand in different statuses or at the end or off that path (stalled, withdrawn…)."""
        current = {record.status for record in records}
        order = [value for value, _label in self.model._meta.get_field("status").choices]
        if len(current) != 1 or not self.usual_life_ends_at:
            return ""
        (status,) = current
        life = order[: order.index(self.usual_life_ends_at) + 1]
        if status not in life[:-1]:
            return ""
        return life[life.index(status) + 1]

    def apply_status_change(self, request, records, form) -> list:
        """[(record, ValidationError)] for the records that refuse; [] when every one changed."""
        rejections = []
        request._revisions = []
        kwargs = form.change_kwargs(request.user)
        labels = dict(self.model._meta.get_field("status").choices)
        try:
            with transaction.atomic():
                # Lock first: a status changed by someone else since this page was shown is not
                # silently built upon (announced → agreed over their agreed → committed).
                now = dict(
                    self.model._default_manager.select_for_update()
                    .filter(pk__in=[r.pk for r in records])
                    .values_list("pk", "status")
                )
                for record in records:
                    seen = request.POST.get(f"seen_status_{record.pk}")
                    if seen and seen != now.get(record.pk):
                        label = str(labels.get(now[record.pk], now[record.pk])).split(" (")[0]
                        message = gettext(
                            "Its status was changed to “%(status)s” by someone else since this page was shown; "
                            "check it and submit again."
                        ) % {"status": label}
                        rejections.append((record, ValidationError({"status": message})))
                        continue
                    try:
                        result = record.change_status(form.cleaned_data["status"], **kwargs)
                    except ValidationError as exc:
                        rejections.append((record, exc))
                        continue
                    if isinstance(result, Revision):
                        request._revisions.append(result)
                if rejections:
                    request._revisions = []
                    raise _RollBack
        except _RollBack:
            # change_status updated the instances; their rows were rolled back.
            written = [f.attname for f in self.model._meta.concrete_fields if not f.editable and not f.primary_key]
            for record in records:
                record.refresh_from_db(fields=written)
                record._loaded_status = record.status
        return rejections


class _RollBack(Exception):
    """Leaves a transaction.atomic block so that it rolls back."""


class StatusHistoryInline(ReadOnlyInline):
    """A record's status history, read-only: a new step is written only by its change_status.
    Subclasses set `model` (StatusChange, InstrumentStatusChange)."""

    fields = ["sequence", "from_status", "to_status", "effective_date", "effective_precision", "source", "note"]
    readonly_fields = fields
    ordering = ["sequence"]
    verbose_name_plural = _("status history (use “Change status” above to add a step)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source")


class StatusHistoryAdmin(TrackerAdmin):
    """A status history across records, read-only: written only by change_status, and a step goes
    only with its record."""

    list_filter = ["to_status", "from_status", "effective_precision"]
    date_hierarchy = "effective_date"

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
        # A step goes only with its record (the delete permission is what allows that cascade):
        # removing one alone would leave the record's status resting on nothing.
        raise PermissionDenied
