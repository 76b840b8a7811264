"""Seeding from the fixtures: insert what is missing, never change what exists, report differences.

The fixtures (`fixtures/*.yaml`, Django's serialization format with natural keys) describe the
register as the seed reports give it. A database seeded once is then the analysts' to change, so:

- A record is added only if no record with its natural key exists, and only if the audit trail
  shows no deletion of one (an analyst's deletion is not undone).
- What belongs to a record (a summit's attendance and counts, a declaration's parties and
  components, a pledge's status history, any record's citations) is added with the record, and
  never to a record that was already there: its history and citations are the analysts'.
- A pledge is created through the write path (`services.save_pledge`, status "not yet
  assessable") and its status history replayed through `Pledge.change_status`, the only status
  writer, so its status, version and audit trail agree as for any pledge an analyst enters.
- Everything is validated by the models' own rules; a fixture error stops the seed before
  anything is written.
- `differences()` lists where the fixtures and the database disagree, both ways, for a person
  to decide; nothing here applies them.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.test.utils import override_settings

from . import audit, services
from .models import (
    Attendance,
    AttendanceReport,
    Citation,
    Declaration,
    DeclarationComponent,
    DeclarationParty,
    ForceRequirement,
    Instrument,
    InstrumentParty,
    InstrumentStatusChange,
    Person,
    Pledge,
    Post,
    Source,
    State,
    Statement,
    StatusChange,
    Summit,
)
from .models.status import StatusChangeBase

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"
REASON = "Loaded from the seed fixtures"
# The order records are added in: whatever a record refers to comes before it.
ORDER = (
    Source,
    State,
    Person,
    Post,
    Summit,
    Attendance,
    AttendanceReport,
    Declaration,
    DeclarationParty,
    DeclarationComponent,
    Instrument,
    InstrumentParty,
    InstrumentStatusChange,
    ForceRequirement,
    Pledge,
    StatusChange,
    Statement,
    Citation,
)
# Records of their own, which an analyst may delete (and the seed then does not add again).
TOP_LEVEL = (Source, State, Person, Post, Summit, Declaration, Instrument, ForceRequirement, Pledge, Statement)
# A record that belongs to another is added only with it. Citation belongs to its target.
OWNER = {
    Attendance: "summit",
    AttendanceReport: "summit",
    DeclarationParty: "declaration",
    DeclarationComponent: "declaration",
    InstrumentParty: "instrument",
    InstrumentStatusChange: "instrument",
    StatusChange: "pledge",
}
# Values the database derives (a pledge's status from its status changes, a version from its
# writes); a fixture that gives one is refused, so nobody edits a value the seed would not load.
TIMESTAMPS = {"created_at", "updated_at"}
STATUS = {"status", "status_changed_on"}  # replayed from the status history
DERIVED_BY_MODEL = {
    Pledge: TIMESTAMPS | STATUS | {"version"},
    Instrument: TIMESTAMPS | STATUS,
    StatusChange: {"recorded_at", "recorded_by"},
    InstrumentStatusChange: {"recorded_at", "recorded_by"},
}


class FixtureError(Exception):
    """A fixture record the models refuse, or that refers to a record that does not exist."""


@dataclass
class Record:
    """One fixture record: its model, natural key and field values as the YAML gives them."""

    model: type
    fields: dict
    file: str

    @property
    def key(self) -> tuple:
        return tuple(_natural_value(self.fields, path) for path in self.model.NATURAL_KEY)

    @property
    def label(self) -> str:
        key = "/".join(str(part) for part in self.key)
        return f"{self.model._meta.verbose_name} {key}"

    def owner(self) -> tuple[type, tuple] | None:
        """(model, natural key) of the record this one belongs to; None for a record of its own."""
        if self.model is Citation:
            name = next(target for target in Citation.TARGETS if self.fields.get(target))
        else:
            name = OWNER.get(self.model)
        if name is None:
            return None
        related = self.model._meta.get_field(name).related_model
        return related, tuple(self.fields[name])


def _natural_value(fields: dict, path: str):
    name, _, rest = path.partition("__")
    value = fields.get(name)
    if rest:  # a related record's natural key (all have one field)
        return value[0] if value else None
    return value


def load_records(fixtures_dir: Path = FIXTURES_DIR) -> list[Record]:
    records = []
    by_label = {f"{m._meta.app_label}.{m._meta.model_name}": m for m in ORDER}
    for path in sorted(fixtures_dir.glob("*.yaml")):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            model = by_label.get(entry["model"])
            if model is None:
                raise FixtureError(f"{path.name}: unknown model {entry['model']!r}.")
            record = Record(model, entry["fields"], path.name)
            given = sorted(set(record.fields) & DERIVED_BY_MODEL.get(model, TIMESTAMPS))
            if given:
                raise FixtureError(
                    f"{path.name}: {record.label}: {', '.join(given)} {'is' if len(given) == 1 else 'are'} the "
                    "database's to set (a pledge's status comes from its status changes); remove from the fixture."
                )
            records.append(record)
    return records


def _ordered(records: list[Record]) -> list[Record]:
    """Records in ORDER, and within a model a record after any record of the same model it refers
    to (a pledge after the pledge it is a share of, a declaration after the one it supersedes)."""
    by_model = defaultdict(list)
    for record in records:
        by_model[record.model].append(record)
    out = []
    for model in ORDER:
        pending = by_model[model]
        self_refs = [f.name for f in model._meta.concrete_fields if f.is_relation and f.related_model is model]
        done: set[tuple] = set()
        while pending:
            ready = [
                r
                for r in pending
                if all(not r.fields.get(name) or tuple(r.fields[name]) in done for name in self_refs)
                or not any(tuple(r.fields.get(name) or ()) in {p.key for p in pending} for name in self_refs)
            ]
            if not ready:
                raise FixtureError(f"{model._meta.verbose_name}: records refer to each other in a circle.")
            out.extend(ready)
            done |= {r.key for r in ready}
            pending = [r for r in pending if r not in ready]
    return out


# --------------------------------------------------------------------------------------------
# Reading values


def _related(model, natural_key):
    try:
        return model.objects.get_by_natural_key(*natural_key)
    except ObjectDoesNotExist:
        raise FixtureError(f"no {model._meta.verbose_name} {'/'.join(map(str, natural_key))}") from None


def _existing(record: Record):
    try:
        return record.model.objects.get_by_natural_key(*record.key)
    except ObjectDoesNotExist:
        return None


def _fields(model, derived=True):
    skip = DERIVED_BY_MODEL.get(model, TIMESTAMPS) if derived else set()
    for f in model._meta.get_fields():
        if f.concrete and not f.auto_created and f.name not in skip:
            yield f


def _build(record: Record):
    """An unsaved instance of the record, references resolved, and its many-to-many members."""
    instance = record.model()
    m2m = {}
    for f in _fields(record.model):
        if f.name not in record.fields:
            continue
        value = record.fields[f.name]
        if f.many_to_many:
            m2m[f.name] = [_related(f.related_model, key) for key in value or []]
        elif f.is_relation:
            setattr(instance, f.name, _related(f.related_model, value) if value else None)
        else:
            setattr(instance, f.attname, f.to_python(value))
    return instance, m2m


# --------------------------------------------------------------------------------------------
# Seeding


@dataclass
class SeedResult:
    added: dict[type, int] = field(default_factory=lambda: defaultdict(int))
    present: int = 0
    skipped_deleted: list[str] = field(default_factory=list)

    @property
    def total_added(self) -> int:
        return sum(self.added.values())

    def added_words(self) -> str:
        """'5 sources, 1 pledge, 2 citations' or 'nothing'."""
        parts = []
        for model, n in self.added.items():
            name = model._meta.verbose_name if n == 1 else model._meta.verbose_name_plural
            parts.append(f"{n} {name}")
        return ", ".join(parts) or "nothing"


def _deletion(record: Record):
    """The audit record of this record's deletion, if an analyst deleted it; else None."""
    if record.model not in TOP_LEVEL:
        return None
    history = record.model.history.model
    lookup = dict(zip(record.model.NATURAL_KEY, record.key, strict=True))
    return (
        history.objects.filter(**lookup, history_type=audit.DELETED)
        .select_related("history_user")
        .order_by("-history_date")
        .first()
    )


@transaction.atomic
def seed(fixtures_dir: Path = FIXTURES_DIR) -> SeedResult:
    """Add the fixture records the database lacks (module docstring); change nothing else."""
    result = SeedResult()
    added: set[tuple[type, tuple]] = set()
    for record in _ordered(load_records(fixtures_dir)):
        owner = record.owner()
        if owner is not None and owner not in added:
            continue  # belongs to a record that was there already, or was not added
        if issubclass(record.model, StatusChangeBase):
            _replay(record)
            result.added[record.model] += 1
            continue
        if _existing(record) is not None:
            result.present += 1
            continue
        deletion = _deletion(record)
        if deletion is not None:
            result.skipped_deleted.append(record.label)
            continue
        try:
            _insert(record)
        except (ValidationError, FixtureError) as exc:
            raise FixtureError(f"{record.file}: {record.label}: {_words(exc)}") from None
        added.add((record.model, record.key))
        result.added[record.model] += 1
    return result


def _words(exc) -> str:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        return "; ".join(f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items())
    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def _insert(record: Record) -> None:
    instance, m2m = _build(record)
    if record.model is Pledge:
        services.save_pledge(instance, pledgers=m2m.pop("pledgers", []), reason=REASON)
        return
    instance.full_clean()
    with audit.one_record(instance, reason=REASON):
        instance.save()
        for name, members in m2m.items():
            getattr(instance, name).set(members)


def _replay(record: Record) -> None:
    """A status change of a record added in this run, through its `change_status`."""
    history = record.model
    subject_model = history._meta.get_field(history.SUBJECT).related_model
    subject = _related(subject_model, record.fields[history.SUBJECT])
    values = record.fields
    sequence = subject.status_changes.count() + 1
    if values.get("sequence") != sequence or values.get("from_status") != subject.status:
        raise FixtureError(
            f"{record.file}: {record.label}: expected status change {sequence} from {subject.status}, "
            f"the fixture has {values.get('sequence')} from {values.get('from_status')}."
        )
    field_of = history._meta.get_field
    try:
        subject.change_status(
            values["to_status"],
            effective_date=field_of("effective_date").to_python(values["effective_date"]),
            precision=values.get("effective_precision") or field_of("effective_precision").default,
            source=_related(Source, values["source"]),
            note=values.get("note", ""),
            quote=values.get("quote", ""),
            attribution=values.get("attribution", ""),
            reason=REASON,
        )
    except ValidationError as exc:
        raise FixtureError(f"{record.file}: {record.label}: {_words(exc)}") from None


# --------------------------------------------------------------------------------------------
# Differences


@dataclass(frozen=True)
class Difference:
    record: str
    message: str

    def __str__(self):
        return f"{self.record}: {self.message}"


def _shown(value) -> str:
    if value in (None, ""):
        return "(empty)"
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(sorted(str(v) for v in value)) or "(none)"
    text = str(value)
    return repr(text if len(text) <= 80 else text[:77] + "…")


def _natural(obj) -> tuple | None:
    return tuple(obj.natural_key()) if obj is not None else None


def _compare(record: Record, obj) -> list[Difference]:
    out = []
    for f in _fields(record.model):
        if f.name not in record.fields:
            continue
        wanted = record.fields[f.name]
        if f.many_to_many:
            now = {_natural(member)[0] for member in getattr(obj, f.name).all()}
            wanted = {key[0] for key in wanted or []}
        elif f.is_relation:
            now = _natural(getattr(obj, f.name))
            wanted = tuple(wanted) if wanted else None
        else:
            now = getattr(obj, f.attname)
            wanted = f.to_python(wanted)
        if now != wanted:
            out.append(Difference(record.label, f"{f.name}: database {_shown(now)}, fixtures {_shown(wanted)}"))
    return out


def differences(fixtures_dir: Path = FIXTURES_DIR) -> list[Difference]:
    """Where the fixtures and the database disagree: records missing from the database (and
    whether `seed` would add them), fields that differ, and records the analysts added to a
    fixture record (citations, status changes…) that the fixtures do not have."""
    records = _ordered(load_records(fixtures_dir))
    out: list[Difference] = []
    present: set[tuple[type, tuple]] = set()
    fixture_keys: dict[type, set[tuple]] = defaultdict(set)
    for record in records:
        fixture_keys[record.model].add(record.key)
        owner = record.owner()
        obj = _existing(record)
        if obj is not None:
            present.add((record.model, record.key))
            out.extend(_compare(record, obj))
            continue
        if owner is not None and owner in present:
            parent = f"{owner[0]._meta.verbose_name} {'/'.join(owner[1])}"
            out.append(Difference(record.label, f"not in the database; the seed adds nothing to the existing {parent}"))
        elif owner is None:
            deletion = _deletion(record)
            if deletion is not None:
                who = deletion.history_user or "a script"
                when = f"{deletion.history_date:%Y-%m-%d %H:%M}"
                out.append(Difference(record.label, f"deleted on {when} by {who}; the seed does not add it again"))
            else:
                out.append(Difference(record.label, "not in the database; `seed` adds it"))
    out.extend(_status_differences(records, present))
    out.extend(_added_by_analysts(fixture_keys, present))
    return out


def _status_differences(records: list[Record], present) -> list[Difference]:
    """A record whose current status is not where its fixture history ends, said in one line."""
    out = []
    last: dict[tuple[type, tuple], Record] = {}
    for record in records:
        if issubclass(record.model, StatusChangeBase):
            subject_model = record.model._meta.get_field(record.model.SUBJECT).related_model
            key = (subject_model, tuple(record.fields[record.model.SUBJECT]))
            if key not in last or record.fields["sequence"] > last[key].fields["sequence"]:
                last[key] = record
    for (subject_model, key), change in last.items():
        if (subject_model, key) not in present:
            continue
        subject = subject_model.objects.get_by_natural_key(*key)
        if subject.status != change.fields["to_status"]:
            out.append(
                Difference(
                    f"{subject_model._meta.verbose_name} {key[0]}",
                    f"status: database {subject.status}, fixtures {change.fields['to_status']}",
                )
            )
    return out


def _added_by_analysts(fixture_keys, present) -> list[Difference]:
    out = []
    owned = [(m, name) for m, name in OWNER.items()] + [(Citation, target) for target in Citation.TARGETS]
    for model, owner_field in owned:
        owner_model = model._meta.get_field(owner_field).related_model
        owners = [key for (m, key) in present if m is owner_model]
        if not owners:
            continue
        lookup_path = f"{owner_field}__{owner_model.NATURAL_KEY[0]}__in"
        rows = model.objects.filter(**{lookup_path: [key[0] for key in owners]})
        for obj in rows:
            if _natural(obj) not in fixture_keys[model]:
                parent = getattr(obj, owner_field)
                out.append(
                    Difference(
                        f"{model._meta.verbose_name} {'/'.join(map(str, _natural(obj)))}",
                        f"in the database, not in the fixtures (on {owner_model._meta.verbose_name} "
                        f"{parent.natural_key()[0]})",
                    )
                )
    return out


# --------------------------------------------------------------------------------------------
# Resetting a development database


def domain_models() -> list[type]:
    """The register's models, those that refer to others first (the order rows can be deleted in)."""
    return [*reversed(ORDER)]


@transaction.atomic
def reset(fixtures_dir: Path = FIXTURES_DIR) -> SeedResult:
    """Empty the register and its audit trail, then seed. For a development database only: the
    command refuses with DEBUG off. API tokens and user accounts are kept."""
    with override_settings(SIMPLE_HISTORY_ENABLED=False):  # the audit trail goes too
        Pledge.objects.update(part_of=None, contributes_to=None)  # protected links; all rows go
        Declaration.objects.update(supersedes=None)
        ForceRequirement.objects.update(instrument=None)
        for model in domain_models():
            model._default_manager.all().delete()
    for model in domain_models():
        model.history.all().delete()
    return seed(fixtures_dir)
