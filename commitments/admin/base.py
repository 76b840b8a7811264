"""What every model's admin shares: no lost edits, constraints as form errors, one audit record
per save, field-level differences in History.

No lost edits: the change form carries a signed snapshot of the record as it was loaded. On
save the row is locked (select_for_update inside the admin's transaction) and compared with
the snapshot; if anyone saved it in the meantime the form comes back with the differences
("field: their value / yours"), the analyst's input kept, and the snapshot moved to the saved
state, so a second Save is a deliberate overwrite. The pledge's `version` is part of the
snapshot, so a status change made in the meantime is caught too."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core import signing
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.forms.models import InlineForeignKeyField
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.manager import SIMPLE_HISTORY_REVERSE_ATTR_NAME
from simple_history.models import ModelChange, ModelDelta
from simple_history.template_utils import HistoricalRecordContextHelper
from simple_history.utils import get_history_manager_for_model

from .. import audit, review

SNAPSHOT_FIELD = "loaded_state"
SNAPSHOT_SALT = "commitments.admin.loaded-state"
# Bookkeeping that moves on every save: a conflict still counts, but is not listed as a change.
BOOKKEEPING = {"version", "updated_at", "created_at"}


def snapshot(obj) -> dict:
    """The record's stored values, as strings, keyed by field name (many-to-many: sorted ids)."""
    opts = obj._meta
    values = {f.name: f.value_to_string(obj) for f in opts.concrete_fields if not f.primary_key}
    for f in opts.many_to_many:
        values[f.name] = sorted(str(pk) for pk in getattr(obj, f.name).values_list("pk", flat=True))
    return values


def display(field, value) -> str:
    """A field's value as an analyst reads it: labels for choices, names for related records."""
    if value is None or value == "" or value == []:
        return _("(empty)")
    if isinstance(field, models.ManyToManyField):
        return ", ".join(str(item) for item in value) or _("(empty)")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def when_shown(moment) -> str:
    """A moment as History and conflict messages show it ("03 December 2026 14:05"), with the
    month's name in the active language."""
    return dateformat.format(timezone.localtime(moment), "d E Y H:i")


def current_value(obj, field):
    if isinstance(field, models.ManyToManyField):
        return list(getattr(obj, field.name).all())
    if isinstance(field, models.ForeignKey):
        return getattr(obj, field.name)
    return getattr(obj, field.attname)


def constraint_fields(constraint, form_fields) -> list[str]:
    """The form fields a check constraint reads, so its message can sit next to the field."""
    names = set()

    def walk(node):
        if isinstance(node, models.Q):
            for child in node.children:
                walk(child)
        elif isinstance(node, tuple):
            names.add(node[0].split("__")[0])
            walk(node[1])
        elif isinstance(node, models.F):
            names.add(node.name.split("__")[0])

    walk(getattr(constraint, "condition", None))
    return [name for name in names if name in form_fields]


class TrackerForm(forms.ModelForm):
    """Base form of every admin page: checks every database constraint (also those naming a
    field the form does not show, such as `id`), and detects edits made in the meantime."""

    loaded_state = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.instance.pk is not None:
            source = self.instance
            if hasattr(source, SIMPLE_HISTORY_REVERSE_ATTR_NAME):
                # A History "revert" form shows an old version; the edit is made over the row as it is now.
                source = type(source)._default_manager.filter(pk=source.pk).first()
            if source is not None:
                self.initial[SNAPSHOT_FIELD] = signing.dumps(snapshot(source), salt=SNAPSHOT_SALT, compress=True)

    # -- no lost edits ---------------------------------------------------------------------------

    def has_changed(self):
        # The snapshot is bookkeeping: a row whose fields are as they were is unchanged (and not saved).
        return any(name != SNAPSHOT_FIELD for name in self.changed_data)

    def clean(self):
        cleaned = super().clean()
        # Every save of an existing record is checked, the snapshot missing from the POST included
        # (a form that cannot show what it was opened on cannot overwrite anything). An inline row
        # is checked when it changes: an unchanged row is not saved, so it overwrites nothing.
        if self.instance.pk is not None and (self.prefix is None or self.has_changed()):
            self.check_not_changed_meanwhile()
        return cleaned

    def check_not_changed_meanwhile(self):
        model = type(self.instance)
        rows = model._default_manager.all()
        if connection.in_atomic_block:
            rows = rows.select_for_update()  # held until the save commits: nobody saves in between
        current = rows.filter(pk=self.instance.pk).first()
        if current is None:
            raise ValidationError(_("This record was deleted by someone else after you opened it."))
        try:
            loaded = signing.loads(self.data.get(self.add_prefix(SNAPSHOT_FIELD), ""), salt=SNAPSHOT_SALT)
        except signing.BadSignature:
            loaded = None
        now = snapshot(current)
        # Fields the form does not edit (status, version, timestamps) always come from the row as it is now.
        for field in model._meta.concrete_fields:
            if not field.editable and not field.primary_key:
                setattr(self.instance, field.attname, getattr(current, field.attname))
        if hasattr(current, "_loaded_status"):
            self.instance._loaded_status = current._loaded_status
        if loaded is None:
            self.refresh_snapshot(now)
            raise ValidationError(
                _("This form could not be matched to the record it was opened on; check and save again.")
            )
        if loaded == now:
            return
        self.refresh_snapshot(now)
        raise ValidationError(self.conflict_messages(current, loaded, now))

    def refresh_snapshot(self, state):
        # The next Save is made knowing what changed: it compares with the state shown now.
        self.data = self.data.copy()
        self.data[self.add_prefix(SNAPSHOT_FIELD)] = signing.dumps(state, salt=SNAPSHOT_SALT, compress=True)

    def conflict_messages(self, current, loaded, now) -> list[str]:
        opts = current._meta
        last = get_history_manager_for_model(current).select_related("history_user").first()  # bound to the row
        if last is not None:
            changed = _("This %(model)s was changed by %(who)s at %(when)s after you opened it.") % {
                "model": opts.verbose_name,
                "who": last.history_user or _("a script or another process"),
                "when": when_shown(last.history_date),
            }
        else:
            changed = _("This %(model)s was changed after you opened it.") % {"model": opts.verbose_name}
        lines = [
            changed
            + " "
            + _(
                "Nothing was saved. Check the differences below; your input is still on the form, and saving "
                "again will overwrite them."
            )
        ]
        for name, value in now.items():
            if loaded.get(name) == value or name in BOOKKEEPING:
                continue
            field = opts.get_field(name)
            theirs = display(field, current_value(current, field))
            if name in self.fields and name in self.cleaned_data:
                mine = self.cleaned_data[name]
                if isinstance(field, models.ManyToManyField):
                    mine = list(mine)
                line = _("%(field)s: now %(theirs)s; yours: %(yours)s.") % {
                    "field": field.verbose_name.capitalize(),
                    "theirs": theirs,
                    "yours": display(field, mine),
                }
            else:
                line = _("%(field)s: now %(theirs)s (not on this form).") % {
                    "field": field.verbose_name.capitalize(),
                    "theirs": theirs,
                }
            lines.append(line)
        if len(lines) == 1:
            lines.append(_("No field shown here differs; the record was saved again or its status changed."))
        return lines

    # -- every constraint a form error -----------------------------------------------------------

    def _post_clean(self):
        super()._post_clean()
        # Django skips constraints that name a field the form does not edit (e.g. "not part of
        # itself" names id); those would reach the database as an IntegrityError, a 500.
        exclude = {name for name in self.errors if name != NON_FIELD_ERRORS}
        exclude |= {name for name, field in self.fields.items() if isinstance(field, InlineForeignKeyField)}
        model = type(self.instance)
        for constraint in model._meta.constraints:
            try:
                constraint.validate(model, self.instance, exclude=exclude)
            except ValidationError as exc:
                shown = {m for errors in self.errors.values() for e in errors.as_data() for m in e.messages}
                if set(exc.messages) <= shown:
                    continue  # Django's own check already reported it
                targets = getattr(constraint, "fields", None) or constraint_fields(constraint, self.fields)
                target = targets[0] if len(targets) == 1 and targets[0] in self.fields else None
                self.add_error(target, exc)


class TrackerAdmin(SimpleHistoryAdmin):
    """Base admin of every commitments model."""

    form = TrackerForm
    # Columns of History that are not facts about the record.
    history_diff_excluded = BOOKKEEPING

    class Media:
        css = {"all": ["commitments/admin.css"]}  # lists and inlines that fit a laptop's screen

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (name, {**options, "fields": [f for f in options["fields"] if f != SNAPSHOT_FIELD]})
            for name, options in super().get_fieldsets(request, obj)
        ]
        if obj is not None and self.has_change_permission(request, obj):
            first_name, first = fieldsets[0]
            fieldsets[0] = (first_name, {**first, "fields": [*first["fields"], SNAPSHOT_FIELD]})
        return fieldsets

    # -- review before publication (docs/review.md) --------------------------------------------
    # With review required for the user, a valid form (fields, many-to-many, inline rows) becomes
    # a pending revision in `save_related` instead of being written; the answer says so.

    def reviewing(self, request) -> bool:
        return review.required(request.user)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        key = unquote(object_id) if object_id else ""
        if request.method == "GET" and key.isascii() and key.isdigit() and len(key) < 19:
            for revision in review.pending_for(self.model, int(key)):
                url = reverse("admin:commitments_revision_change", args=[revision.pk])
                self.message_user(
                    request,
                    format_html(
                        _(
                            'Pending revision <a href="{url}">#{pk}</a> by {author} ({action}): not published until '
                            "a reviewer approves it."
                        ),
                        url=url,
                        pk=revision.pk,
                        author=revision.author,
                        action=revision.get_action_display().lower(),
                    ),
                    messages.WARNING,
                )
        return super().change_view(request, object_id, form_url, extra_context)

    def propose_from_form(self, request, form, formsets):
        """The form's record, many-to-many fields and inline rows as one pending revision."""
        obj = form.instance
        m2m = {
            f.name: [row.pk for row in form.cleaned_data[f.name]]
            for f in obj._meta.many_to_many
            if f.name in form.cleaned_data
        }
        return review.propose_save(obj, user=request.user, m2m=m2m, inlines=review.inline_rows(formsets))

    def save_related(self, request, form, formsets, change):
        if getattr(request, "_review_pending", False):
            request._revision = self.propose_from_form(request, form, formsets)
            return
        super().save_related(request, form, formsets, change)

    def construct_change_message(self, request, form, formsets, add=False):
        if getattr(request, "_review_pending", False):  # the formsets were not saved: nothing to describe
            return []
        return super().construct_change_message(request, form, formsets, add)

    def log_addition(self, request, obj, message):
        if not getattr(request, "_review_pending", False):  # nothing was added yet
            return super().log_addition(request, obj, message)
        return None

    def log_change(self, request, obj, message):
        if not getattr(request, "_review_pending", False):
            return super().log_change(request, obj, message)
        return None

    def reviewed_response(self, request, obj):
        revision = getattr(request, "_revision", None)
        opts = self.model._meta
        if revision is None:
            self.message_user(request, _("Nothing changed: there is nothing to review."), messages.INFO)
        else:
            self.message_user(
                request,
                _("Saved for review as revision #%(pk)s: it is published when a reviewer approves it.")
                % {"pk": revision.pk},
                messages.SUCCESS,
            )
        if obj.pk is not None:
            return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
        return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))

    def response_add(self, request, obj, post_url_continue=None):
        if getattr(request, "_review_pending", False):
            return self.reviewed_response(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if getattr(request, "_review_pending", False):
            return self.reviewed_response(request, obj)
        return super().response_change(request, obj)

    def delete_model(self, request, obj):
        if self.reviewing(request):
            request._revision = review.propose_delete(obj, user=request.user)
            return
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        if self.reviewing(request):
            for obj in queryset:
                self.delete_model(request, obj)
            return
        super().delete_queryset(request, queryset)

    def response_delete(self, request, obj_display, obj_id):
        revision = getattr(request, "_revision", None)
        if revision is None:
            return super().response_delete(request, obj_display, obj_id)
        self.message_user(
            request,
            _(
                "Deletion of “%(record)s” saved for review as revision #%(pk)s: "
                "the record stays until a reviewer approves it."
            )
            % {"record": obj_display, "pk": revision.pk},
            messages.SUCCESS,
        )
        opts = self.model._meta
        return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))

    def save_model(self, request, obj, form, change):
        """One audit record per save: the row and its many-to-many members are saved without
        the signal's records, then recorded once. With review required: nothing is written here;
        `save_related` makes the revision."""
        if self.reviewing(request):
            request._review_pending = True
            form.save_m2m = lambda: None
            return
        obj._history_user = request.user
        obj.skip_history_when_saving = True
        try:
            super().save_model(request, obj, form, change)
        except BaseException:
            del obj.skip_history_when_saving
            raise
        save_m2m = form.save_m2m

        def save_m2m_then_record():
            try:
                save_m2m()
            finally:
                del obj.skip_history_when_saving
            audit.record([obj], audit.CHANGED if change else audit.CREATED, user=request.user)

        form.save_m2m = save_m2m_then_record

    # -- History -----------------------------------------------------------------------------

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """Field-level differences, including the facts the form does not edit (a pledge's
        status), which simple-history leaves out."""
        previous = None
        for current in historical_records:
            if previous is not None:
                tracked = [f for f in previous.tracked_fields if f.name not in self.history_diff_excluded]
                editable = [f.name for f in tracked if f.editable and not f.primary_key]
                m2m = [f.name for f in previous._history_m2m_fields]
                delta = previous.diff_against(current, included_fields=editable + m2m, foreign_keys_are_objs=True)
                changes = list(delta.changes)
                for field in tracked:
                    if not field.editable and not field.primary_key:
                        old, new = getattr(current, field.attname), getattr(previous, field.attname)
                        if old != new:
                            changes.append(ModelChange(field.name, old, new))
                changes.sort(key=lambda change: change.field)
                delta = ModelDelta(changes, [c.field for c in changes], delta.old_record, delta.new_record)
                helper = LabelledChanges(self.model, previous)
                previous.history_delta_changes = helper.context_for_delta_changes(delta)
            previous = current

    def render_history_view(self, request, template, context, **kwargs):
        if template == self.object_history_template and "page_obj" in context:
            # The reason column only when a version on the page has one: never a column of "None".
            context["shows_reasons"] = any(record.history_change_reason for record in context["page_obj"])
        return super().render_history_view(request, template, context, **kwargs)

    def revert_context(self, object_id, version_id) -> dict:
        """What the Revert page says: the version's date, and the facts a revert leaves as they are
        now (the fields the form does not edit: a pledge's status and its date), with both values."""
        history = get_history_manager_for_model(self.model)
        version = history.filter(**{self.model._meta.pk.attname: object_id, "history_id": version_id}).first()
        current = self.model._default_manager.filter(pk=object_id).first()
        if version is None:
            return {}
        context = {"version_date": when_shown(version.history_date)}
        if current is None:
            return context
        kept = []
        for field in self.model._meta.concrete_fields:
            if field.editable or field.primary_key or field.name in self.history_diff_excluded:
                continue
            then, now = getattr(version, field.attname), getattr(current, field.attname)
            if then != now:
                kept.append(
                    {
                        "field": field.name,
                        "name": field.verbose_name,
                        "then": display(field, then),
                        "now": display(field, now),
                    }
                )
        context.update(not_restored=kept, status_kept=any(f["field"] == "status" for f in kept))
        return context

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """Simple-history saves a posted old version for anyone who may *view* history; here a
        revert needs the change permission, and goes through the same lost-edit check."""
        extra_context = {**(extra_context or {}), **self.revert_context(unquote(object_id), version_id)}
        if request.method == "POST":
            obj = self.get_object(request, object_id)
            if obj is None:
                self.message_user(
                    request,
                    _("This record was deleted; it cannot be reverted from here.") + self.restore_hint(),
                    messages.ERROR,
                )
                return HttpResponseRedirect(request.path)
            if not self.has_change_permission(request, obj):
                raise PermissionDenied
            if self.reviewing(request):
                # A revert publishes an old version whole; with review on, an edit goes through the
                # change form, where it becomes a revision a reviewer sees field by field.
                self.message_user(
                    request,
                    _(
                        "With review on, a record is not reverted from History: make the edit on its page, and it "
                        "will be saved for review."
                    ),
                    messages.ERROR,
                )
                return HttpResponseRedirect(request.path)
            with transaction.atomic():
                return super().history_form_view(request, object_id, version_id, extra_context)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def restore_hint(self) -> str:
        return ""

    def history_list_url(self, obj):
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk])


class LabelledChanges(HistoricalRecordContextHelper):
    """History's differences with choice labels ("Announced", not "announced")."""

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if field.choices and not isinstance(field, models.ManyToManyField):
            return display(field, value)
        return super().prepare_delta_change_value(change, value)


class ReadOnlyInline(admin.TabularInline):
    """An inline that shows rows and allows no edit (e.g. the status history)."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TrackerInline(admin.TabularInline):
    """Rows of a record edited on its page, each with the snapshot that detects an edit made in
    the meantime (a hidden field of the row)."""

    form = TrackerForm
    extra = 0

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self.has_change_permission(request, obj):
            return fieldsets
        first_name, first = fieldsets[0]
        fields = [f for f in first["fields"] if f != SNAPSHOT_FIELD]
        return [(first_name, {**first, "fields": [*fields, SNAPSHOT_FIELD]}), *fieldsets[1:]]
