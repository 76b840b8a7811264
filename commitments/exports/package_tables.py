"""The tables of the data package: one per model of the register, many-to-many links included.

Each table's columns come from its model's fields, so a field added to a model reaches the package
without a second list to keep in step (tests/test_data_package.py fails on a model without a
table). A reference to another record is written as that record's natural key (a state's code,
a slug, a source's key), never as a database id, which differs between two databases holding the
same register; a table's primary key is its own natural key.

Rows are read with `values_list` over the natural-key joins, in primary-key order, a chunk at a
time: one query per table whatever the row count, and memory stays flat.
"""

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal

from django.conf import settings
from django.db import models as db
from django.utils import translation

from .. import models
from .files import CHUNK_SIZE

# The one format of every date-time in the package: UTC, always with microseconds, so that a
# reader given this format (pandas, R, frictionless) parses every row, edited or not.
DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
DATE_FORMAT = "%Y-%m-%d"

# Fields that are not register data, with the reason they stay out.
EXCLUDED_FIELDS = {
    "id": "a database id, different in every copy of the register; records are named by natural keys",
    "recorded_by": "the staff account that typed a status change in: about the tracker's staff, not the register",
    "seed_file": "a file name in the project's own seeds folder, which readers of the package cannot open",
}

# Descriptions of the fields whose model gives no help text: by (model, field), then by field name.
FIELD_DESCRIPTIONS = {
    ("Attendance", "status"): "Whether the party attended the meeting or stayed away.",
    ("DeclarationParty", "role"): "How the party stands to the text: signatory or endorser.",
    ("InstrumentParty", "role"): "The party's part in the instrument: lead, participant, contributor or supporter.",
    ("ForceRequirement", "title"): "What is required, in one line.",
    ("Citation", "summit"): "The meeting the citation supports; the citation supports exactly one record.",
    ("Citation", "declaration"): "The text the citation supports; the citation supports exactly one record.",
    ("Citation", "pledge"): "The pledge the citation supports; the citation supports exactly one record.",
    ("Citation", "force_requirement"): "The requirement the citation supports; it supports exactly one record.",
    ("Citation", "instrument"): "The instrument the citation supports; the citation supports exactly one record.",
    "created_at": "When the record was created in the tracker.",
    "updated_at": "When the record last changed in the tracker.",
    "notes": "Notes, in the analyst's words.",
    "summary": "What it says, in the analyst's words.",
    "description": "Details, in the analyst's words.",
    "date_precision": "How much of the date is known (day, week, month, year…).",
    "start_precision": "How much of start_date is known.",
    "effective_precision": "How much of effective_date is known.",
    "summit": "The meeting.",
    "declaration": "The text.",
    "state": "The state, organisation or grouping.",
    "instrument": "The instrument.",
    "pledge": "The pledge.",
}

# Models that are not register data: API credentials, and the totals the triggers keep from the
# pledges (PledgeSummary: derived, recounted from the package's own pledge tables; the summary
# report serves them), the edits waiting for review (Revision: not published, by definition;
# analysts and reviewers read them through /api/revisions/), and the releases (each holds a frozen
# package of its own: /api/releases/). (History models are left out by name.)
# Not the register: credentials, the derived summary, edits awaiting review, releases (frozen copies),
# and a client's own webhooks with their deliveries (served to their owner at /api/webhooks/).
EXCLUDED_MODELS = (
    models.ApiToken,
    models.PledgeSummary,
    models.Revision,
    models.Release,
    models.Webhook,
    models.WebhookDelivery,
)


@dataclass(frozen=True)
class PackageColumn:
    name: str
    lookup: str  # the values_list path that reads it, e.g. "summit__slug"
    type: str  # a Table Schema type: string, integer, number, boolean, date, datetime
    description: str
    required: bool = False
    enum: tuple[str, ...] = ()
    width: int = 14  # the workbook's column width, in characters

    @property
    def format(self) -> str:
        return {"date": DATE_FORMAT, "datetime": DATETIME_FORMAT}.get(self.type, "default")

    def field(self) -> dict:
        """This column as a Table Schema field descriptor."""
        field = {"name": self.name, "type": self.type, "description": self.description}
        if self.type in ("date", "datetime"):
            field["format"] = self.format
        constraints = {}
        if self.required:
            constraints["required"] = True
        if self.enum:
            constraints["enum"] = list(self.enum)
        if constraints:
            field["constraints"] = constraints
        return field


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    table: str
    ref_columns: tuple[str, ...]

    def descriptor(self) -> dict:
        return {"fields": list(self.columns), "reference": {"resource": self.table, "fields": list(self.ref_columns)}}


@dataclass(frozen=True)
class PackageTable:
    name: str
    model: type
    description: str
    columns: tuple[PackageColumn, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...]

    def schema(self) -> dict:
        return {
            "fields": [c.field() for c in self.columns],
            "missingValues": [""],
            "primaryKey": list(self.primary_key),
            "foreignKeys": [fk.descriptor() for fk in self.foreign_keys],
        }

    def rows(self, chunk_size: int = CHUNK_SIZE) -> Iterator[tuple]:
        """The rows, in primary-key order, as Python values (None where unknown)."""
        lookups = [c.lookup for c in self.columns]
        order = [self._lookup(name) for name in self.primary_key]
        queryset = self.model._base_manager.order_by(*order).values_list(*lookups)
        return queryset.iterator(chunk_size=chunk_size)

    def csv_rows(self) -> Iterator[list]:
        """The rows as `files.csv_chunks` writes them (`package_value`)."""
        for row in self.rows():
            yield [package_value(value) for value in row]

    def _lookup(self, name: str) -> str:
        return next(c.lookup for c in self.columns if c.name == name)


def package_value(value):
    """A value as the package's CSV holds it, for `files.cell` to write: times as text in
    DATETIME_FORMAT, decimals without an exponent; text stays text, for `cell` to neutralise a
    formula-like value with a leading `'` as every export does."""
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).strftime(DATETIME_FORMAT)
    if isinstance(value, Decimal):
        return Decimal(format(value, "f"))
    return value


# --------------------------------------------------------------------------------------------
# Columns from model fields


def _type(field) -> str:
    if isinstance(field, db.BooleanField):
        return "boolean"
    if isinstance(field, db.DateTimeField):
        return "datetime"
    if isinstance(field, db.DateField):
        return "date"
    if isinstance(field, (db.IntegerField, db.AutoField)):
        return "integer"
    if isinstance(field, (db.DecimalField, db.FloatField)):
        return "number"
    if isinstance(field, (db.CharField, db.TextField)):
        return "string"
    raise TypeError(f"No package type for {field.model.__name__}.{field.name} ({type(field).__name__})")


def _width(field, kind: str) -> int:
    if kind in ("date", "boolean", "integer", "number"):
        return 12
    if kind == "datetime":
        return 28
    if isinstance(field, db.TextField):
        return 60
    return max(10, min(field.max_length or 40, 50))


def _sentence(text: str) -> str:
    text = str(text or "").strip()
    return text if not text or text.endswith((".", "?", "!", ")")) else text + "."


def natural_key(model) -> tuple[str, ...]:
    """The lookups naming a record of `model`: its NATURAL_KEY, or for a many-to-many link the
    natural keys of the two records it links."""
    if getattr(model, "NATURAL_KEY", ()):
        return tuple(model.NATURAL_KEY)
    paths = []
    for field in model._meta.concrete_fields:
        if field.is_relation:
            paths += [f"{field.name}__{part}" for part in natural_key(field.related_model)]
    return tuple(paths)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def columns_of(model, tables_by_model: dict) -> tuple[tuple[PackageColumn, ...], tuple[ForeignKey, ...]]:
    """The columns of `model`'s table and its foreign keys. A reference is its target's natural
    key: one column named after the field (`summit`: a summit's slug), or for a target named by
    several fields one column per part (`attendance_summit`, `attendance_state`)."""
    columns: list[PackageColumn] = []
    foreign_keys: list[ForeignKey] = []
    through = bool(model._meta.auto_created)
    for field in model._meta.concrete_fields:
        if field.name in EXCLUDED_FIELDS:
            continue
        help_text = _sentence(field.help_text) or FIELD_DESCRIPTIONS.get(
            (model.__name__, field.name), FIELD_DESCRIPTIONS.get(field.name, "")
        )
        if field.is_relation:
            target = field.related_model
            target_table = tables_by_model[target]
            target_key = natural_key(target)
            parts = [path.split("__")[0] for path in target_key]
            stem = _snake(target.__name__) if through else field.name
            names = [stem] if len(parts) == 1 else [f"{stem}_{part}" for part in parts]
            key_words = " and ".join(f"`{p}`" for p in parts)
            refer = f"Names a row of `{target_table}` by its {key_words}."
            for name, path in zip(names, target_key, strict=True):
                target_field = _resolve(target, path)
                kind = _type(target_field)
                columns.append(
                    PackageColumn(
                        name,
                        f"{field.name}__{path}",
                        kind,
                        " ".join(filter(None, [help_text, refer])),
                        required=not field.null,
                        width=_width(target_field, kind),
                    )
                )
            foreign_keys.append(ForeignKey(tuple(names), target_table, tuple(parts)))
        else:
            kind = _type(field)
            columns.append(
                PackageColumn(
                    field.name,
                    field.name,
                    kind,
                    help_text or _sentence(field.verbose_name.capitalize()),
                    required=not field.null and not field.blank and kind != "string",
                    enum=tuple(str(value) for value, _ in field.flatchoices) if field.choices else (),
                    width=_width(field, kind),
                )
            )
    return tuple(columns), tuple(foreign_keys)


def _resolve(model, path: str):
    """The field a lookup path ends on: `summit__slug` from Attendance is Summit.slug."""
    first, _, rest = path.partition("__")
    field = model._meta.get_field(first)
    return _resolve(field.related_model, rest) if rest else field


# --------------------------------------------------------------------------------------------
# The tables

# (table name, model, what a row is). Order: referenced tables before the tables that refer to them.
TABLE_MODELS = (
    ("sources", models.Source, "The documents the register's facts rest on: news reports, official texts."),
    ("states", models.State, "States, international organisations and groupings that pledge, attend or sign."),
    ("people", models.Person, "People the reports name: leaders, envoys, ministers."),
    ("summits", models.Summit, "Meetings of the coalition and related summits."),
    ("declarations", models.Declaration, "Declarations, communiqués and other texts, adopted or drafted."),
    ("instruments", models.Instrument, "Forces, monitoring mechanisms and other instruments of the guarantees."),
    ("posts", models.Post, "Posts held for a state or organisation (envoy, minister), and who holds them."),
    ("summit_hosts", models.Summit.hosts.through, "Which parties hosted which meeting."),
    ("summit_chairs", models.Summit.chairs.through, "Which parties chair (or are to chair) which meeting."),
    ("summit_organisers", models.Summit.organisers.through, "Which parties organised which meeting."),
    ("summit_chaired_by", models.Summit.chaired_by.through, "Which posts chaired which meeting."),
    ("attendances", models.Attendance, "Who attended a meeting, or stayed away, and in what capacity."),
    (
        "attendance_representatives",
        models.Attendance.representatives.through,
        "The posts that represented a party at a meeting.",
    ),
    ("attendance_reports", models.AttendanceReport, "Head counts of a meeting as each source gives them."),
    ("declaration_parties", models.DeclarationParty, "Signatories and endorsers of each text."),
    (
        "declaration_representatives",
        models.DeclarationParty.representatives.through,
        "The posts that signed or endorsed a text for a party.",
    ),
    ("declaration_components", models.DeclarationComponent, "The components of each text, in order."),
    (
        "instrument_declarations",
        models.Instrument.declarations.through,
        "The texts that create or describe each instrument.",
    ),
    ("instrument_parties", models.InstrumentParty, "The parties of each instrument and their roles."),
    ("instrument_status_changes", models.InstrumentStatusChange, "Each instrument's status history."),
    ("force_requirements", models.ForceRequirement, "The troops a force is said to need."),
    ("pledges", models.Pledge, "Who promised what, where, on which condition, and where it stands."),
    (
        "pledge_pledgers",
        models.Pledge.pledgers.through,
        "The parties that made each pledge (several for a joint pledge).",
    ),
    ("status_changes", models.StatusChange, "Each pledge's status history."),
    ("citations", models.Citation, "The phrases of the sources that support each record or field."),
    ("statements", models.Statement, "What leaders and governments said about the guarantees, as quoted."),
    ("statement_pledges", models.Statement.pledges.through, "The pledges each statement is about."),
    ("statement_instruments", models.Statement.instruments.through, "The instruments each statement is about."),
    ("statement_declarations", models.Statement.declarations.through, "The texts each statement is about."),
    ("statement_summits", models.Statement.summits.through, "The meetings each statement is about (their outcome)."),
)


def build_tables() -> dict[str, PackageTable]:
    """The tables, their descriptions in the register's language (English): the package is the
    same file whoever asks for it, and whichever language was active when this module was
    first imported (the models' help texts are translatable, read here through `str`)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _build_tables()


def _build_tables() -> dict[str, PackageTable]:
    tables_by_model = {model: name for name, model, _ in TABLE_MODELS}
    tables = {}
    for name, model, description in TABLE_MODELS:
        columns, foreign_keys = columns_of(model, tables_by_model)
        by_lookup = {c.lookup: c.name for c in columns}
        key = natural_key(model)
        # A reference column's lookup is the field and its target's key (`summit__slug`), as in NATURAL_KEY.
        primary_key = tuple(by_lookup[path] for path in key)
        # The key first, marked required; then the other columns in the model's field order.
        first = [replace(next(c for c in columns if c.name == name), required=True) for name in primary_key]
        columns = (*first, *(c for c in columns if c.name not in primary_key))
        tables[name] = PackageTable(name, model, description, columns, primary_key, foreign_keys)
    return tables


PACKAGE_TABLES: dict[str, PackageTable] = build_tables()


def is_register_model(model) -> bool:
    """Whether a model of the app holds register data (history models, API tokens and the
    derived summary do not)."""
    return not model.__name__.startswith("Historical") and model not in EXCLUDED_MODELS
