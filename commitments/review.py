"""Review before publication: how an edit becomes a pending `Revision`, and how a reviewer's
approval publishes it (docs/review.md).

The register's tables are the published state. With `REVIEW_REQUIRED` on, the write path
(`services.save_pledge`, `services.delete_pledge`, `change_status`, the admin's save of any other
record) validates an edit made by a user exactly as it would before writing it, and then calls
`propose` here instead of writing: nothing invalid is queued, and nothing is published. Edits made
with no user (the seed, management commands) publish at once, as with review off.

`approve` re-validates the revision and writes it through the same write path, as its author, in
one transaction (a refused approval leaves nothing behind), with the change reason "Revision #N by
<author>, approved by <reviewer>". It refuses when a field the revision names has changed since
the revision was proposed (its `base`): "field: now X; this revision's base: Y". Two pending
revisions of one record are both listed against each other (`also_pending`)."""

import contextlib
import contextvars
import datetime
import json

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit
from .models import Revision, RevisionAction, RevisionState, Source

REVIEW_PERMISSION = "commitments.review_revision"
VIEW_PERMISSION = "commitments.view_revision"
# Fields no one edits: written by the tracker itself (or by change_status), never proposed.
UNPROPOSED = {"id", "status", "status_changed_on", "version", "created_at", "updated_at"}

_publishing = contextvars.ContextVar("review_publishing", default=False)


@contextlib.contextmanager
def publishing():
    """Inside the block the write path writes, whoever the user: an approval is publishing."""
    token = _publishing.set(True)
    try:
        yield
    finally:
        _publishing.reset(token)


def required(user) -> bool:
    """Does an edit by `user` wait for review? Yes with the setting on, for a signed-in user,
    except while an approved revision is being published."""
    return (
        bool(settings.REVIEW_REQUIRED and user is not None and getattr(user, "is_authenticated", False))
        and not _publishing.get()
    )


# -- values as stored in a revision ------------------------------------------------------------


def plain(value):
    """A value as JSON holds it (dates and decimals as strings, as DjangoJSONEncoder writes them)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def editable_fields(model) -> list:
    return [
        f
        for f in model._meta.concrete_fields
        if f.editable and not f.primary_key and f.name not in UNPROPOSED and not f.auto_created
    ]


def field_value(obj, field):
    if isinstance(field, models.ManyToManyField):
        if obj.pk is None:
            return []
        return sorted(getattr(obj, field.name).values_list("pk", flat=True))
    return plain(field.value_from_object(obj))


def current_values(obj, names) -> dict:
    opts = obj._meta
    return {name: field_value(obj, opts.get_field(name)) for name in names}


def changed_values(obj, m2m: dict | None = None) -> dict:
    """The fields of `obj` (in memory) that differ from its stored row, as the revision stores
    them; for a new record, every editable field. `m2m`: {field name: ids} proposed."""
    stored = type(obj)._default_manager.filter(pk=obj.pk).first() if obj.pk is not None else None
    out = {}
    for field in editable_fields(type(obj)):
        value = plain(field.value_from_object(obj))
        if stored is None or value != plain(field.value_from_object(stored)):
            out[field.name] = value
    for name, ids in (m2m or {}).items():
        ids = sorted(int(pk) for pk in ids)
        if stored is None or ids != field_value(stored, type(obj)._meta.get_field(name)):
            out[name] = ids
    return out


def decode(model, name, value):
    """A stored value back as the model field takes it (a foreign key as its id)."""
    field = model._meta.get_field(name)
    if isinstance(field, models.ManyToManyField):
        return [field.related_model._meta.pk.to_python(pk) for pk in value]
    if isinstance(field, models.ForeignKey):
        return None if value is None else field.target_field.to_python(value)
    return field.to_python(value)


def shown(model, name, value) -> str:
    """A stored value as a reader reads it: choice labels, related records by name."""
    if name == "inlines":
        return inlines_text(value)
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:  # a status change's own names (precision, note): shown as they are
        field = None
    if value is None or value == "" or value == []:
        return _("(empty)")
    if isinstance(field, models.ManyToManyField):
        rows = field.related_model._default_manager.in_bulk(value)
        return ", ".join(str(rows.get(pk, _("#%(pk)s (deleted)") % {"pk": pk})) for pk in value)
    if isinstance(field, models.ForeignKey):
        row = field.related_model._default_manager.filter(pk=value).first()
        return str(row) if row is not None else _("#%(pk)s (deleted)") % {"pk": value}
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if name == "source" and isinstance(value, int):
        row = Source.objects.filter(pk=value).first()
        return str(row) if row is not None else f"#{value}"
    return str(value)


# -- proposing -----------------------------------------------------------------------------------


def propose(obj, action: str, payload: dict, *, user, base: dict | None = None) -> Revision:
    """Store an edit of `obj` as a pending revision by `user` (already validated by the caller)."""
    stored = type(obj)._default_manager.filter(pk=obj.pk).first() if obj.pk is not None else None
    if base is None:
        base = {}
        if stored is not None and action in (RevisionAction.CHANGE, RevisionAction.DELETE):
            names = [n for n in payload if n != "inlines"] if action == RevisionAction.CHANGE else []
            base = current_values(stored, names)
            if "inlines" in payload:
                base["inlines"] = inline_base(payload["inlines"])
    revision = Revision(
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=obj.pk if action != RevisionAction.CREATE else None,
        action=action,
        payload=plain(payload),
        base=plain(base),
        summary=str(stored if stored is not None else obj)[:300],  # the record's published name
        author=user,
    )
    revision.full_clean()
    revision.save()
    return revision


def propose_save(obj, *, user, m2m: dict | None = None, inlines: dict | None = None) -> Revision | None:
    """A create or change of `obj` (validated, in memory) as a pending revision; None if it
    changes nothing. `inlines`: rows of its inline forms, as `inline_rows` gives them."""
    payload = changed_values(obj, m2m)
    if inlines:
        payload["inlines"] = inlines
    if not payload:
        return None
    action = RevisionAction.CHANGE if obj.pk is not None else RevisionAction.CREATE
    return propose(obj, action, payload, user=user)


def propose_delete(obj, *, user) -> Revision:
    return propose(obj, RevisionAction.DELETE, {}, user=user, base={"version": getattr(obj, "version", None)})


def propose_status(record, change, *, user) -> Revision:
    """A validated status change (`change`: the history row `planned_status_change` built) as a
    pending revision of its record."""
    payload = {
        "status": change.to_status,
        "effective_date": change.effective_date,
        "precision": change.effective_precision,
        "source": change.source_id,
        "note": change.note,
        "quote": change.quote,
        "attribution": change.attribution,
    }
    base = {"status": record.status, "sequence": change.sequence - 1}
    return propose(record, RevisionAction.STATUS, payload, user=user, base=base)


def inline_fields(model) -> list[str]:
    """The fields an inline row proposes: its editable fields, many-to-many ones included."""
    names = [f.name for f in editable_fields(model)]
    return names + [f.name for f in model._meta.many_to_many]


def row_values(row, names, cleaned=None) -> dict:
    out = {}
    for name in names:
        field = row._meta.get_field(name)
        if isinstance(field, models.ManyToManyField):
            if cleaned is not None and name in cleaned:
                out[name] = sorted(obj.pk for obj in cleaned[name])
            else:
                out[name] = field_value(row, field)
        else:
            out[name] = plain(field.value_from_object(row))
    return out


def inline_rows(formsets) -> dict:
    """A change form's inline formsets (a pledge's citations, a summit's attendance…) as a
    revision's rows: {model label: {fk, add: [values], change: [{id, values}], delete: [ids]}},
    only the rows the form changes."""
    out = {}
    for formset in formsets:
        model = formset.model
        if not (formset.has_changed() if hasattr(formset, "has_changed") else True):
            continue
        names = [n for n in inline_fields(model) if n != formset.fk.name]
        rows = {"fk": formset.fk.name, "add": [], "change": [], "delete": []}
        for form in formset.forms:
            if not getattr(form, "cleaned_data", None):
                continue
            instance = form.instance
            if formset.can_delete and formset._should_delete_form(form):
                if instance.pk is not None:
                    rows["delete"].append(instance.pk)
                continue
            if not form.has_changed():
                continue
            values = row_values(instance, [n for n in names if n in form.fields], form.cleaned_data)
            if instance.pk is None:
                rows["add"].append(values)
            else:
                rows["change"].append({"id": instance.pk, **values})
        if rows["add"] or rows["change"] or rows["delete"]:
            out[model._meta.label_lower] = rows
    return out


def inline_base(inlines: dict) -> dict:
    """The stored values of the inline rows an edit changes or removes, by model and id."""
    from django.apps import apps

    out = {}
    for label, rows in inlines.items():
        model = apps.get_model(label)
        ids = [row["id"] for row in rows.get("change", [])] + list(rows.get("delete", []))
        names = [n for n in inline_fields(model) if n != rows["fk"]]
        out[label] = {str(pk): row_values(obj, names) for pk, obj in model._default_manager.in_bulk(ids).items()}
    return out


def inlines_text(inlines: dict) -> str:
    from django.apps import apps

    parts = []
    for label, rows in (inlines or {}).items():
        model = apps.get_model(label)
        noun = model._meta.verbose_name
        for values in rows.get("add", []):
            text = ", ".join(f"{k} {shown(model, k, v)}" for k, v in values.items() if v)
            parts.append(_("add %(row)s: %(values)s") % {"row": noun, "values": text})
        for values in rows.get("change", []):
            text = ", ".join(f"{k} {shown(model, k, v)}" for k, v in values.items() if k != "id" and v)
            parts.append(_("change %(row)s #%(pk)s: %(values)s") % {"row": noun, "pk": values["id"], "values": text})
        for pk in rows.get("delete", []):
            parts.append(_("remove %(row)s #%(pk)s") % {"row": noun, "pk": pk})
    return "; ".join(parts) or _("(none)")


# -- reading ------------------------------------------------------------------------------------


def pending_for(model, pk):
    """The pending revisions of the record `pk` of `model`, oldest first, with their authors."""
    kind = ContentType.objects.get_for_model(model)  # cached after the first call
    return Revision.objects.pending().filter(content_type=kind, object_id=pk).select_related("author").order_by("id")


def also_pending(revision: Revision) -> list[int]:
    """The other pending revisions of the same record: a conflict to see, never a silent overwrite."""
    if revision.object_id is None or revision.state != RevisionState.PENDING:
        return []
    return list(
        Revision.objects.pending()
        .filter(content_type_id=revision.content_type_id, object_id=revision.object_id)
        .exclude(pk=revision.pk)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def diff(revision: Revision) -> list[dict]:
    """The field diff: one row per proposed field, {field, label, base, proposed, now} as text."""
    model = revision.model
    record = None
    if revision.object_id is not None and model is not None:
        record = model._default_manager.filter(pk=revision.object_id).first()
    rows = []
    if revision.action == RevisionAction.DELETE:
        was = str(record or revision.summary)
        return [{"field": "", "label": _("record"), "base": was, "proposed": _("(deleted)"), "now": "", "moved": False}]
    for name, value in revision.payload.items():
        label = name.replace("_", " ")
        if name == "inlines":
            label = _("rows on the record's page")
        elif revision.action != RevisionAction.STATUS:
            label = str(model._meta.get_field(name).verbose_name)
        base = revision.base.get(name) if revision.action != RevisionAction.STATUS else None
        now = None
        if record is not None and revision.action == RevisionAction.CHANGE and name != "inlines":
            now = field_value(record, model._meta.get_field(name))
        if revision.action == RevisionAction.STATUS and name == "status":
            base = revision.base.get("status")
            now = record.status if record is not None else None
        rows.append(
            {
                "field": name,
                "label": label,
                "base": shown(model, name, base) if name in revision.base and name != "inlines" else "",
                "proposed": shown(model, name, value),
                "now": shown(model, name, now) if now is not None else "",
                "moved": now is not None and name in revision.base and now != revision.base.get(name),
            }
        )
    return rows


# -- deciding -----------------------------------------------------------------------------------


def check_reviewer(revision: Revision, user) -> None:
    if revision.author_id == user.pk:
        raise PermissionDenied(
            _("You proposed revision #%(pk)s: another reviewer must decide on it.") % {"pk": revision.pk}
        )
    if not user.has_perm(REVIEW_PERMISSION):
        raise PermissionDenied(_("Approving or sending back a revision needs the Reviewer role."))


def _locked(revision: Revision) -> Revision:
    locked = (
        Revision.objects.select_for_update(of=("self",)).select_related("author", "content_type").get(pk=revision.pk)
    )
    if locked.state != RevisionState.PENDING:
        message = _("Revision #%(pk)s is %(state)s.") % {"pk": locked.pk, "state": locked.get_state_display().lower()}
        raise ValidationError({NON_FIELD_ERRORS: [message]})
    return locked


def conflicts(revision: Revision, record) -> list[str]:
    """The fields the revision names whose stored value moved since it was proposed (and is not
    already what it proposes)."""
    model = revision.model
    lines = []
    if revision.action == RevisionAction.STATUS:
        if record.status != revision.base.get("status"):
            now, was = record.status_label(record.status), record.status_label(revision.base.get("status"))
            lines.append(_("status: now %(now)s; this revision's base: %(base)s") % {"now": now, "base": was})
        return lines
    if revision.action == RevisionAction.DELETE:
        version = revision.base.get("version")
        if version is not None and getattr(record, "version", version) != version:
            lines.append(
                _("version: now %(now)s; this revision's base: %(base)s (the record changed since)")
                % {"now": record.version, "base": version}
            )
        return lines
    for name, base in revision.base.items():
        if name == "inlines":
            stored = inline_base(revision.payload.get("inlines", {}))
            for label, rows in base.items():
                for pk, values in rows.items():
                    if stored.get(label, {}).get(pk) != values:
                        noun = label.split(".")[-1]
                        lines.append(
                            _("%(row)s #%(pk)s: changed or removed since this revision was proposed")
                            % {"row": noun, "pk": pk}
                        )
            continue
        field = model._meta.get_field(name)
        now = field_value(record, field)
        if now != base and now != revision.payload.get(name):
            now_text, base_text = shown(model, name, now), shown(model, name, base)
            lines.append(
                _("%(field)s: now %(now)s; this revision's base: %(base)s")
                % {"field": field.verbose_name, "now": now_text, "base": base_text}
            )
    return lines


def approve(revision: Revision, reviewer, comment: str = "") -> Revision:
    """Publish `revision` through the write path, as its author, and mark it approved: all in one
    transaction, so a refusal (a conflict, a rule the edit now breaks) writes nothing and leaves
    the revision pending. Raises PermissionDenied (not a reviewer, or the author) or ValidationError."""
    check_reviewer(revision, reviewer)
    with transaction.atomic():
        revision = _locked(revision)
        model = revision.model
        record = None
        if revision.action != RevisionAction.CREATE:
            record = model._default_manager.select_for_update().filter(pk=revision.object_id).first()
            if record is None:
                raise ValidationError(
                    {NON_FIELD_ERRORS: [_("The record was deleted since this revision was proposed.")]}
                )
            found = conflicts(revision, record)
            if found:
                first = _("This record changed since the revision was proposed; nothing was published.")
                raise ValidationError({NON_FIELD_ERRORS: [first, *found]})
        reason = f"Revision #{revision.pk} by {revision.author}, approved by {reviewer}"
        with publishing():
            record = _apply(revision, model, record, reason)
        revision.state = RevisionState.APPROVED
        revision.reviewer = reviewer
        revision.reviewed_at = timezone.now()
        revision.comment = comment
        if record is not None and record.pk is not None and revision.action != RevisionAction.DELETE:
            revision.object_id = record.pk
            revision.summary = str(record)[:300]
        revision.full_clean()
        revision.save()
    return revision


def send_back(revision: Revision, reviewer, comment: str) -> Revision:
    check_reviewer(revision, reviewer)
    if not (comment or "").strip():
        raise ValidationError({"comment": [_("Say why the revision is sent back.")]})
    with transaction.atomic():
        revision = _locked(revision)
        revision.state = RevisionState.RETURNED
        revision.reviewer = reviewer
        revision.reviewed_at = timezone.now()
        revision.comment = comment.strip()
        revision.full_clean()
        revision.save()
    return revision


def withdraw(revision: Revision, user) -> Revision:
    if revision.author_id != user.pk:
        raise PermissionDenied(_("Only its author withdraws a revision."))
    with transaction.atomic():
        revision = _locked(revision)
        revision.state = RevisionState.WITHDRAWN
        revision.reviewed_at = timezone.now()
        revision.full_clean()
        revision.save()
    return revision


# -- publishing ---------------------------------------------------------------------------------


def _apply(revision: Revision, model, record, reason: str):
    from . import services
    from .models import Pledge

    author = revision.author
    payload = revision.payload
    if revision.action == RevisionAction.STATUS:
        source = Source.objects.filter(pk=payload["source"]).first()
        if source is None:
            raise ValidationError({"source": [_("The source this status change cites was deleted.")]})
        record.change_status(
            payload["status"],
            effective_date=datetime.date.fromisoformat(payload["effective_date"]),
            precision=payload["precision"],
            source=source,
            note=payload["note"],
            quote=payload["quote"],
            attribution=payload["attribution"],
            user=author,
            reason=reason,
        )
        return record
    if revision.action == RevisionAction.DELETE:
        record._change_reason = reason
        if model is Pledge:
            services.delete_pledge(record, user=author)
        else:
            record._history_user = author
            record.delete()
        return record
    if record is None:
        record = model()
    m2m = {}
    for name, value in payload.items():
        if name in ("inlines", "status_change"):
            continue
        field = model._meta.get_field(name)
        if isinstance(field, models.ManyToManyField):
            m2m[name] = decode(model, name, value)
        else:
            setattr(record, field.attname, decode(model, name, value))
    if model is Pledge:
        pledgers = m2m.pop("pledgers", None)
        services.save_pledge(record, pledgers=pledgers, user=author, reason=reason)
    else:
        record.full_clean()
        with audit.one_record(record, user=author, reason=reason):
            record.save()
            for name, ids in m2m.items():
                getattr(record, name).set(ids)
    if payload.get("inlines"):
        _apply_inlines(record, payload["inlines"], author, reason)
    if payload.get("status_change"):
        change = payload["status_change"]
        source = Source.objects.filter(pk=change["source"]).first()
        record.change_status(
            change["status"],
            effective_date=datetime.date.fromisoformat(change["effective_date"]),
            precision=change["precision"],
            source=source,
            note=change["note"],
            quote=change["quote"],
            attribution=change.get("attribution", ""),
            user=author,
            reason=reason,
        )
    return record


def _apply_inlines(record, inlines: dict, author, reason: str) -> None:
    """Write a revision's inline rows under `record`: removals, changes, additions, each row
    validated by its model's rules (a refusal undoes the whole approval)."""
    from django.apps import apps

    for label, rows in inlines.items():
        model = apps.get_model(label)
        fk = rows["fk"]
        mine = model._default_manager.filter(**{fk: record})
        for pk in rows.get("delete", []):
            row = mine.filter(pk=pk).first()
            if row is not None:
                row._history_user = author
                row._change_reason = reason
                row.delete()
        for values in [*rows.get("change", []), *rows.get("add", [])]:
            if "id" in values:
                row = mine.filter(pk=values["id"]).first()
                if row is None:
                    gone = f"{model._meta.verbose_name} #{values['id']} was removed since this revision was proposed."
                    raise ValidationError({NON_FIELD_ERRORS: [gone]})
            else:
                row = model(**{fk: record})
            m2m = {}
            for name, value in values.items():
                if name == "id":
                    continue
                field = model._meta.get_field(name)
                if isinstance(field, models.ManyToManyField):
                    m2m[name] = decode(model, name, value)
                else:
                    setattr(row, field.attname, decode(model, name, value))
            try:
                row.full_clean()
            except ValidationError as exc:
                noun = model._meta.verbose_name
                raise ValidationError({NON_FIELD_ERRORS: [f"{noun}: {m}" for m in exc.messages]}) from None
            row._history_user = author
            row._change_reason = reason
            row.save()
            for name, ids in m2m.items():
                getattr(row, name).set(ids)


def queue_status_change(record, status: str, values: dict) -> Revision:
    """`change_status` with review required: the same checks against the published record and its
    history, then a pending revision instead of the write."""
    published = type(record)._default_manager.get(pk=record.pk)
    last = published.status_changes.order_by("-sequence").first()
    change, errors = published.planned_status_change(status, **values, last=last)
    if errors:
        raise ValidationError(errors)
    return propose_status(published, change, user=values["user"])
