"""The column specs: each export's columns, their types and meaning, and how the import treats them.

Column names and order are a promise to report writers' spreadsheets and pandas scripts: add
columns at the end, never rename, remove or move one. docs/exports.md documents them (a test
keeps the two in step).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_noop

from ..choices import (
    Category,
    Condition,
    ConditionState,
    Currency,
    DatePrecision,
    InstrumentKind,
    InstrumentStatus,
    MonitoringRole,
    RepresentativeRole,
    Stance,
    Status,
)

# --------------------------------------------------------------------------------------------
# Column specs


@dataclass(frozen=True)
class Column:
    """One column of an export: its name (the CSV header), type, meaning, and how the import treats it.

    `type` is one of TYPES; `import_role` is "key" (matches rows), "write" (the import sets it),
    "status" (changed through Pledge.change_status) or "read" (derived; the import ignores it).

    `description` is English, as the API's documentation and the data package give it; the
    descriptions shown to a reader in a language (an XLSX export's "columns" sheet) are marked
    with gettext_noop and translated where shown: `gettext(column.description)`."""

    name: str
    type: str
    description: str
    import_role: str = "read"
    choices: tuple[str, ...] = ()


# Export type -> (what a cell holds, the pandas dtype to read it with).
TYPES = {
    "text": ("UTF-8 text; may span lines", "string"),
    "code": ("one code from a fixed list", "string"),
    "codes": ("codes separated by ';'", "string"),
    "integer": ("whole number, blank when unknown", "Int64"),
    "decimal": ("decimal number with '.' as separator, no thousands separator; blank when unknown", "float64"),
    "date": ("ISO 8601 date YYYY-MM-DD; blank when unknown", "datetime64 (parse_dates)"),
    "datetime": (
        "ISO 8601 date and time in UTC, always with microseconds (2025-03-01T12:00:00.000000+00:00); blank when "
        "unknown",
        "datetime64 (parse_dates)",
    ),
}
TEXT_TYPES = frozenset({"text", "code", "codes"})


def _codes(choices) -> tuple[str, ...]:
    return tuple(choices.values)


PLEDGE_COLUMNS: tuple[Column, ...] = (
    Column("slug", "code", gettext_noop("Stable identifier of the pledge; the import matches rows by it."), "key"),
    Column("title", "text", gettext_noop("What is promised, in one line."), "write"),
    Column("category", "code", gettext_noop("What kind of help is promised."), "write", _codes(Category)),
    Column(
        "pledger_codes",
        "codes",
        gettext_noop(
            "Codes of the parties that made the pledge, sorted; several for a joint pledge (one row, counted once)."
        ),
        "write",
    ),
    Column(
        "pledger_names", "text", gettext_noop("Names of the pledgers, '; '-separated, in the order of pledger_codes.")
    ),
    Column(
        "part_of",
        "code",
        gettext_noop("Slug of the larger pledge this one is a share of; blank if top-level."),
        "write",
    ),
    Column("summit", "code", gettext_noop("Slug of the meeting at which the pledge was made; blank if none."), "write"),
    Column(
        "declaration", "code", gettext_noop("Slug of the text in which the pledge was made; blank if none."), "write"
    ),
    Column("troops_min", "integer", gettext_noop("Troops: lower end of the range."), "write"),
    Column("troops_max", "integer", gettext_noop("Troops: upper end of the range."), "write"),
    Column("amount", "decimal", gettext_noop("Money: amount in the pledged currency."), "write"),
    Column("currency", "code", gettext_noop("Money: ISO 4217 currency of the amount."), "write", _codes(Currency)),
    Column(
        "value_date", "date", gettext_noop("Money: the date whose exchange rate converts the amount to euros."), "write"
    ),
    Column(
        "fx_rate",
        "decimal",
        gettext_noop("Money: euros per unit of the currency on the value date (1 for EUR)."),
        "write",
    ),
    Column("amount_eur", "decimal", gettext_noop("Money: amount × fx_rate, in euros."), "write"),
    Column(
        "monitoring_role",
        "code",
        gettext_noop("Monitoring: role in a monitoring mechanism."),
        "write",
        _codes(MonitoringRole),
    ),
    Column("monitoring_means", "text", gettext_noop("Monitoring: the means, comma-separated."), "write"),
    Column(
        "quantity_text", "text", gettext_noop("A quantity the source gives only in words; never a number."), "write"
    ),
    Column("condition", "code", gettext_noop("What the pledge depends on."), "write", _codes(Condition)),
    Column("condition_text", "text", gettext_noop("The condition in the source's words."), "write"),
    Column(
        "condition_state", "code", gettext_noop("Whether the condition has been met."), "write", _codes(ConditionState)
    ),
    Column(
        "status",
        "code",
        gettext_noop("Where the pledge stands now. The import changes it only with the status_* columns filled."),
        "status",
        _codes(Status),
    ),
    Column("status_changed_on", "date", gettext_noop("When the current status took effect.")),
    Column("first_source_key", "code", gettext_noop("Key of the first source cited for the pledge.")),
    Column("first_source_title", "text", gettext_noop("Title of that source.")),
    Column("first_source_publisher", "text", gettext_noop("Publisher of that source.")),
    Column("first_source_url", "text", gettext_noop("Public address of that source; blank when it has none.")),
    Column("first_source_published_on", "date", gettext_noop("Publication date of that source.")),
    Column(
        "first_source_quote",
        "text",
        gettext_noop("The phrase of that source supporting the pledge (at most 25 words)."),
    ),
    Column("description", "text", gettext_noop("Details, in the analyst's words."), "write"),
    Column(
        "last_reviewed_at",
        "datetime",
        gettext_noop("When an analyst last confirmed the record against its sources."),
        "write",
    ),
    Column("updated_at", "datetime", gettext_noop("When the record last changed in the tracker.")),
    Column(
        "version",
        "integer",
        gettext_noop(
            "Raised by every change; the import refuses a row whose pledge changed since this file was exported."
        ),
    ),
    Column(
        "contributes_to",
        "code",
        gettext_noop("Slug of the instrument (a force, a monitoring mechanism) the pledge helps build; blank if none."),
        "write",
    ),
    Column(
        "title_uk",
        "text",
        gettext_noop("Ukrainian version of title; blank when there is none (the English is shown)."),
        "write",
    ),
    Column(
        "description_uk",
        "text",
        gettext_noop("Ukrainian version of description; blank when there is none (the English is shown)."),
        "write",
    ),
)
# The pledge's own cells of PLEDGE_COLUMNS, in file order, as ORM lookups (a linked record by its
# slug); the other cells (PLEDGE_JOINED_CELLS) come from the pledgers and the first citation.
PLEDGER_CELLS = ("pledger_codes", "pledger_names")
FIRST_SOURCE_CELLS = tuple(c.name for c in PLEDGE_COLUMNS if c.name.startswith("first_source_"))
PLEDGE_JOINED_CELLS = PLEDGER_CELLS + FIRST_SOURCE_CELLS
_BY_SLUG = frozenset({"part_of", "summit", "declaration", "contributes_to"})
PLEDGE_OWN_LOOKUPS: dict[str, str] = {
    c.name: f"{c.name}__slug" if c.name in _BY_SLUG else c.name
    for c in PLEDGE_COLUMNS
    if c.name not in PLEDGE_JOINED_CELLS
}

# Written by the import, but columns added after files were first exported: a file without them
# still imports, and leaves them as they are in the tracker.
IMPORT_OPTIONAL = frozenset({"contributes_to", "title_uk", "description_uk"})

# Accepted by the import (not exported): the details of a status change asked for in the status column.
STATUS_CHANGE_COLUMNS: tuple[Column, ...] = (
    Column("status_effective_date", "date", "When the new status took effect in the world.", "status"),
    Column(
        "status_date_precision",
        "code",
        "How much of status_effective_date is known; blank means day.",
        "status",
        _codes(DatePrecision),
    ),
    Column("status_source", "code", "Key of the source that reports the status change.", "status"),
    Column("status_note", "text", "Why the status changed (required for a change).", "status"),
    Column("status_quote", "text", "The source's phrase stating the change (optional, at most 25 words).", "status"),
)

SUMMIT_COLUMNS: tuple[Column, ...] = (
    Column("slug", "code", gettext_noop("Stable identifier of the meeting.")),
    Column("title", "text", gettext_noop("Descriptive name.")),
    Column("kind", "code", gettext_noop("What sort of meeting.")),
    Column("status", "code", gettext_noop("Planned, held or cancelled.")),
    Column("date", "date", gettext_noop("First day, or the first day of the period it is known to.")),
    Column("date_precision", "code", gettext_noop("How much of the date is known (day, week, month, year).")),
    Column("end_date", "date", gettext_noop("Last day, for meetings over several days.")),
    Column("city", "text", gettext_noop("Where it met.")),
    Column(
        "host_codes",
        "codes",
        gettext_noop("Codes of the parties that hosted the meeting (not chairs or organisers), sorted."),
    ),
    Column("sequence_number", "integer", gettext_noop("Number in the coalition's series of meetings.")),
    Column("pledges", "integer", gettext_noop("Pledges made at the meeting (shares included).")),
    Column("summary", "text", gettext_noop("What was discussed.")),
    Column("updated_at", "datetime", gettext_noop("When the record last changed in the tracker.")),
    Column(
        "chair_codes", "codes", gettext_noop("Codes of the parties that chair (or are to chair) the meeting, sorted.")
    ),
    Column("organiser_codes", "codes", gettext_noop("Codes of the parties that organised the meeting, sorted.")),
    Column(
        "title_uk", "text", gettext_noop("Ukrainian version of title; blank when there is none (the English is shown).")
    ),
    Column(
        "summary_uk",
        "text",
        gettext_noop("Ukrainian version of summary; blank when there is none (the English is shown)."),
    ),
)

DECLARATION_COLUMNS: tuple[Column, ...] = (
    Column("slug", "code", gettext_noop("Stable identifier of the text.")),
    Column("title", "text", gettext_noop("Title as reported.")),
    Column("kind", "code", gettext_noop("What sort of text.")),
    Column("status", "code", gettext_noop("Draft, adopted, signed, in force, superseded or abandoned.")),
    Column("date", "date", gettext_noop("Date of adoption, signature or of the reported draft.")),
    Column("date_precision", "code", gettext_noop("How much of the date is known.")),
    Column("summit", "code", gettext_noop("Slug of the meeting that produced the text.")),
    Column("supersedes", "code", gettext_noop("Slug of the earlier text this one replaces.")),
    Column("signatory_codes", "codes", gettext_noop("Codes of the signatories, sorted.")),
    Column("endorser_codes", "codes", gettext_noop("Codes of the endorsers, sorted.")),
    Column("pledges", "integer", gettext_noop("Pledges made in the text (shares included).")),
    Column("summary", "text", gettext_noop("What the text says.")),
    Column("updated_at", "datetime", gettext_noop("When the record last changed in the tracker.")),
    Column(
        "title_uk", "text", gettext_noop("Ukrainian version of title; blank when there is none (the English is shown).")
    ),
    Column(
        "summary_uk",
        "text",
        gettext_noop("Ukrainian version of summary; blank when there is none (the English is shown)."),
    ),
)

STATE_COLUMNS: tuple[Column, ...] = (
    Column("code", "code", gettext_noop("ISO 3166-1 alpha-2 code, or a short code for an organisation or grouping.")),
    Column("name", "text", gettext_noop("Common English name.")),
    Column("kind", "code", gettext_noop("Sovereign state, international organisation or informal grouping.")),
    Column("pledges", "integer", gettext_noop("Pledges the party made, alone or jointly (shares included).")),
    Column("notes", "text", gettext_noop("Notes.")),
    Column(
        "name_uk", "text", gettext_noop("Ukrainian version of name; blank when there is none (the English is shown).")
    ),
)

INSTRUMENT_COLUMNS: tuple[Column, ...] = (
    Column("slug", "code", gettext_noop("Stable identifier of the instrument.")),
    Column("name", "text", gettext_noop("Its name as the reports give it, or a plain description.")),
    Column("kind", "code", gettext_noop("What sort of instrument."), choices=_codes(InstrumentKind)),
    Column("status", "code", gettext_noop("Where the instrument stands now."), choices=_codes(InstrumentStatus)),
    Column("status_changed_on", "date", gettext_noop("When the current status took effect.")),
    Column("condition", "code", gettext_noop("What it depends on to start."), choices=_codes(Condition)),
    Column("condition_text", "text", gettext_noop("The condition in the source's words.")),
    Column(
        "condition_state", "code", gettext_noop("Whether the condition has been met."), choices=_codes(ConditionState)
    ),
    Column("lead_codes", "codes", gettext_noop("Codes of the parties that lead it, sorted.")),
    Column("participant_codes", "codes", gettext_noop("Codes of the parties that take part in it, sorted.")),
    Column("contributor_codes", "codes", gettext_noop("Codes of the parties that provide means to it, sorted.")),
    Column("supporter_codes", "codes", gettext_noop("Codes of the parties that back it without taking part, sorted.")),
    Column("declarations", "codes", gettext_noop("Slugs of the texts that create or describe it, sorted.")),
    Column(
        "contributions", "integer", gettext_noop("Pledges that contribute to it (shares of a larger pledge included).")
    ),
    Column(
        "troop_pledges",
        "integer",
        gettext_noop("Of the contributions that count in totals (shares left out), those giving a troop figure."),
    ),
    Column(
        "troops_min",
        "integer",
        gettext_noop(
            "Sum of those contributions' lower troop figures; blank when no contribution gives a troop figure."
        ),
    ),
    Column(
        "troops_max",
        "integer",
        gettext_noop(
            "Sum of those contributions' upper troop figures; blank when no contribution gives a troop figure."
        ),
    ),
    Column(
        "troop_pledges_unquantified",
        "integer",
        gettext_noop("Troop contributions giving no figure ('thousands of troops'): not in the sums."),
    ),
    Column(
        "force_requirements",
        "codes",
        gettext_noop(
            "Slugs of the force requirements it must meet, sorted (each against these sums in the summary report)."
        ),
    ),
    Column("mandate", "text", gettext_noop("What it is to do, in the sources' words where possible.")),
    Column("summary", "text", gettext_noop("Details, in the analyst's words.")),
    Column("updated_at", "datetime", gettext_noop("When the record last changed in the tracker.")),
    Column(
        "name_uk", "text", gettext_noop("Ukrainian version of name; blank when there is none (the English is shown).")
    ),
    Column(
        "summary_uk",
        "text",
        gettext_noop("Ukrainian version of summary; blank when there is none (the English is shown)."),
    ),
)

PERSON_COLUMNS: tuple[Column, ...] = (
    Column("slug", "code", gettext_noop("Stable identifier of the person.")),
    Column("name", "text", gettext_noop("The name as the reports give it.")),
    Column("post_slugs", "codes", gettext_noop("Slugs of the posts they hold or held, sorted (see the posts export).")),
    Column("state_codes", "codes", gettext_noop("Codes of the parties they hold or held posts for, sorted.")),
    Column("summary", "text", gettext_noop("Who they are, in the analyst's words.")),
    Column("updated_at", "datetime", gettext_noop("When the record last changed in the tracker.")),
)

POST_COLUMNS: tuple[Column, ...] = (
    Column("slug", "code", gettext_noop("Stable identifier of the post.")),
    Column("title", "text", gettext_noop("The post as the report words it ('envoy', 'Chief of the Defence Staff').")),
    Column("role", "code", gettext_noop("The kind of post."), choices=_codes(RepresentativeRole)),
    Column("state", "code", gettext_noop("Code of the state, organisation or grouping the post is held for.")),
    Column(
        "person", "code", gettext_noop("Slug of the holder; blank when the report names the post but not the person.")
    ),
    Column("person_name", "text", gettext_noop("The holder's name; blank when not named.")),
    Column("start_date", "date", gettext_noop("Since when it is held, where a report says.")),
    Column("start_precision", "code", gettext_noop("How much of start_date is known."), choices=_codes(DatePrecision)),
    Column("end_date", "date", gettext_noop("Until when it was held, where a report says.")),
    Column("source_key", "code", gettext_noop("Key of the source that names the post.")),
    Column("quote", "text", gettext_noop("The phrase that names the post (and the person), at most 25 words.")),
    Column("attribution", "text", gettext_noop("Who the source attributes the phrase to, where it says.")),
    Column("updated_at", "datetime", gettext_noop("When the record last changed in the tracker.")),
)

STATEMENT_COLUMNS: tuple[Column, ...] = (
    Column("slug", "code", gettext_noop("Stable identifier of the statement.")),
    Column("made_on", "date", gettext_noop("When it was said; blank if no report says.")),
    Column("made_precision", "code", gettext_noop("How much of made_on is known."), choices=_codes(DatePrecision)),
    Column("speaker", "code", gettext_noop("Slug of the person who said it; blank when the report names none.")),
    Column("speaker_name", "text", gettext_noop("That person's name.")),
    Column(
        "state",
        "code",
        gettext_noop("Code of the party that said it, or for which the speaker spoke; blank if none given."),
    ),
    Column("summit", "code", gettext_noop("Slug of the meeting at which it was said; blank if none.")),
    Column("stance", "code", gettext_noop("What it does to the guarantee."), choices=_codes(Stance)),
    Column("about_pledges", "codes", gettext_noop("Slugs of the pledges it is about, sorted.")),
    Column("about_instruments", "codes", gettext_noop("Slugs of the instruments it is about, sorted.")),
    Column("about_declarations", "codes", gettext_noop("Slugs of the declarations it is about, sorted.")),
    Column("about_summits", "codes", gettext_noop("Slugs of the meetings it is about (their outcome), sorted.")),
    Column("quote", "text", gettext_noop("The words said, as the source quotes them (at most 25 words).")),
    Column("attribution", "text", gettext_noop("Who the source says said it, as the source puts it.")),
    Column("source_key", "code", gettext_noop("Key of the source that reports it.")),
    Column("source_title", "text", gettext_noop("Title of that source.")),
    Column("source_url", "text", gettext_noop("Public address of that source; blank when it has none.")),
    Column("summary", "text", gettext_noop("What it says, in the analyst's words, where the quote needs it.")),
    Column("updated_at", "datetime", gettext_noop("When the record last changed in the tracker.")),
)


def pandas_read_csv_kwargs(columns: Iterable[Column] = PLEDGE_COLUMNS) -> dict:
    """Keyword arguments for `pandas.read_csv` that read an export with its documented dtypes.

    keep_default_na=False keeps text as text (the state code 'NA' is Namibia, not a missing
    value); only blank cells of number and date columns are missing values."""
    columns = list(columns)
    return {
        "dtype": {
            c.name: TYPES[c.type][1] for c in columns if c.type in ("text", "code", "codes", "integer", "decimal")
        },
        "parse_dates": [c.name for c in columns if c.type in ("date", "datetime")],
        "keep_default_na": False,
        "na_values": {c.name: [""] for c in columns if c.type not in TEXT_TYPES},
    }
