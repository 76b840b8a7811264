"""The column specs: each export's columns, their types and meaning, and how the import treats them.

Column names and order are a promise to report writers' spreadsheets and pandas scripts: add
columns at the end, never rename, remove or move one. docs/exports.md documents them (a test
keeps the two in step).
"""

from collections.abc import Iterable
from dataclasses import dataclass

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
    "status" (changed through Pledge.change_status) or "read" (derived; the import ignores it)."""

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
    Column("slug", "code", "Stable identifier of the pledge; the import matches rows by it.", "key"),
    Column("title", "text", "What is promised, in one line.", "write"),
    Column("category", "code", "What kind of help is promised.", "write", _codes(Category)),
    Column(
        "pledger_codes",
        "codes",
        "Codes of the parties that made the pledge, sorted; several for a joint pledge (one row, counted once).",
        "write",
    ),
    Column("pledger_names", "text", "Names of the pledgers, '; '-separated, in the order of pledger_codes."),
    Column("part_of", "code", "Slug of the larger pledge this one is a share of; blank if top-level.", "write"),
    Column("summit", "code", "Slug of the meeting at which the pledge was made; blank if none.", "write"),
    Column("declaration", "code", "Slug of the text in which the pledge was made; blank if none.", "write"),
    Column("troops_min", "integer", "Troops: lower end of the range.", "write"),
    Column("troops_max", "integer", "Troops: upper end of the range.", "write"),
    Column("amount", "decimal", "Money: amount in the pledged currency.", "write"),
    Column("currency", "code", "Money: ISO 4217 currency of the amount.", "write", _codes(Currency)),
    Column("value_date", "date", "Money: the date whose exchange rate converts the amount to euros.", "write"),
    Column("fx_rate", "decimal", "Money: euros per unit of the currency on the value date (1 for EUR).", "write"),
    Column("amount_eur", "decimal", "Money: amount × fx_rate, in euros.", "write"),
    Column("monitoring_role", "code", "Monitoring: role in a monitoring mechanism.", "write", _codes(MonitoringRole)),
    Column("monitoring_means", "text", "Monitoring: the means, comma-separated.", "write"),
    Column("quantity_text", "text", "A quantity the source gives only in words; never a number.", "write"),
    Column("condition", "code", "What the pledge depends on.", "write", _codes(Condition)),
    Column("condition_text", "text", "The condition in the source's words.", "write"),
    Column("condition_state", "code", "Whether the condition has been met.", "write", _codes(ConditionState)),
    Column(
        "status",
        "code",
        "Where the pledge stands now. The import changes it only with the status_* columns filled.",
        "status",
        _codes(Status),
    ),
    Column("status_changed_on", "date", "When the current status took effect."),
    Column("first_source_key", "code", "Key of the first source cited for the pledge."),
    Column("first_source_title", "text", "Title of that source."),
    Column("first_source_publisher", "text", "Publisher of that source."),
    Column("first_source_url", "text", "Public address of that source; blank when it has none."),
    Column("first_source_published_on", "date", "Publication date of that source."),
    Column("first_source_quote", "text", "The phrase of that source supporting the pledge (at most 25 words)."),
    Column("description", "text", "Details, in the analyst's words.", "write"),
    Column("last_reviewed_at", "datetime", "When an analyst last confirmed the record against its sources.", "write"),
    Column("updated_at", "datetime", "When the record last changed in the tracker."),
    Column(
        "version",
        "integer",
        "Raised by every change; the import refuses a row whose pledge changed since this file was exported.",
    ),
    Column(
        "contributes_to",
        "code",
        "Slug of the instrument (a force, a monitoring mechanism) the pledge helps build; blank if none.",
        "write",
    ),
    Column("title_uk", "text", "Ukrainian version of title; blank when there is none (the English is shown).", "write"),
    Column(
        "description_uk",
        "text",
        "Ukrainian version of description; blank when there is none (the English is shown).",
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
    Column("slug", "code", "Stable identifier of the meeting."),
    Column("title", "text", "Descriptive name."),
    Column("kind", "code", "What sort of meeting."),
    Column("status", "code", "Planned, held or cancelled."),
    Column("date", "date", "First day, or the first day of the period it is known to."),
    Column("date_precision", "code", "How much of the date is known (day, week, month, year)."),
    Column("end_date", "date", "Last day, for meetings over several days."),
    Column("city", "text", "Where it met."),
    Column("host_codes", "codes", "Codes of the parties that hosted the meeting (not chairs or organisers), sorted."),
    Column("sequence_number", "integer", "Number in the coalition's series of meetings."),
    Column("pledges", "integer", "Pledges made at the meeting (shares included)."),
    Column("summary", "text", "What was discussed."),
    Column("updated_at", "datetime", "When the record last changed in the tracker."),
    Column("chair_codes", "codes", "Codes of the parties that chair (or are to chair) the meeting, sorted."),
    Column("organiser_codes", "codes", "Codes of the parties that organised the meeting, sorted."),
    Column("title_uk", "text", "Ukrainian version of title; blank when there is none (the English is shown)."),
    Column("summary_uk", "text", "Ukrainian version of summary; blank when there is none (the English is shown)."),
)

DECLARATION_COLUMNS: tuple[Column, ...] = (
    Column("slug", "code", "Stable identifier of the text."),
    Column("title", "text", "Title as reported."),
    Column("kind", "code", "What sort of text."),
    Column("status", "code", "Draft, adopted, signed, in force, superseded or abandoned."),
    Column("date", "date", "Date of adoption, signature or of the reported draft."),
    Column("date_precision", "code", "How much of the date is known."),
    Column("summit", "code", "Slug of the meeting that produced the text."),
    Column("supersedes", "code", "Slug of the earlier text this one replaces."),
    Column("signatory_codes", "codes", "Codes of the signatories, sorted."),
    Column("endorser_codes", "codes", "Codes of the endorsers, sorted."),
    Column("pledges", "integer", "Pledges made in the text (shares included)."),
    Column("summary", "text", "What the text says."),
    Column("updated_at", "datetime", "When the record last changed in the tracker."),
    Column("title_uk", "text", "Ukrainian version of title; blank when there is none (the English is shown)."),
    Column("summary_uk", "text", "Ukrainian version of summary; blank when there is none (the English is shown)."),
)

STATE_COLUMNS: tuple[Column, ...] = (
    Column("code", "code", "ISO 3166-1 alpha-2 code, or a short code for an organisation or grouping."),
    Column("name", "text", "Common English name."),
    Column("kind", "code", "Sovereign state, international organisation or informal grouping."),
    Column("pledges", "integer", "Pledges the party made, alone or jointly (shares included)."),
    Column("notes", "text", "Notes."),
    Column("name_uk", "text", "Ukrainian version of name; blank when there is none (the English is shown)."),
)

INSTRUMENT_COLUMNS: tuple[Column, ...] = (
    Column("slug", "code", "Stable identifier of the instrument."),
    Column("name", "text", "Its name as the reports give it, or a plain description."),
    Column("kind", "code", "What sort of instrument.", choices=_codes(InstrumentKind)),
    Column("status", "code", "Where the instrument stands now.", choices=_codes(InstrumentStatus)),
    Column("status_changed_on", "date", "When the current status took effect."),
    Column("condition", "code", "What it depends on to start.", choices=_codes(Condition)),
    Column("condition_text", "text", "The condition in the source's words."),
    Column("condition_state", "code", "Whether the condition has been met.", choices=_codes(ConditionState)),
    Column("lead_codes", "codes", "Codes of the parties that lead it, sorted."),
    Column("participant_codes", "codes", "Codes of the parties that take part in it, sorted."),
    Column("contributor_codes", "codes", "Codes of the parties that provide means to it, sorted."),
    Column("supporter_codes", "codes", "Codes of the parties that back it without taking part, sorted."),
    Column("declarations", "codes", "Slugs of the texts that create or describe it, sorted."),
    Column("contributions", "integer", "Pledges that contribute to it (shares of a larger pledge included)."),
    Column(
        "troop_pledges",
        "integer",
        "Of the contributions that count in totals (shares left out), those giving a troop figure.",
    ),
    Column(
        "troops_min",
        "integer",
        "Sum of those contributions' lower troop figures; blank when no contribution gives a troop figure.",
    ),
    Column(
        "troops_max",
        "integer",
        "Sum of those contributions' upper troop figures; blank when no contribution gives a troop figure.",
    ),
    Column(
        "troop_pledges_unquantified",
        "integer",
        "Troop contributions giving no figure ('thousands of troops'): not in the sums.",
    ),
    Column(
        "force_requirements",
        "codes",
        "Slugs of the force requirements it must meet, sorted (each against these sums in the summary report).",
    ),
    Column("mandate", "text", "What it is to do, in the sources' words where possible."),
    Column("summary", "text", "Details, in the analyst's words."),
    Column("updated_at", "datetime", "When the record last changed in the tracker."),
    Column("name_uk", "text", "Ukrainian version of name; blank when there is none (the English is shown)."),
    Column("summary_uk", "text", "Ukrainian version of summary; blank when there is none (the English is shown)."),
)

PERSON_COLUMNS: tuple[Column, ...] = (
    Column("slug", "code", "Stable identifier of the person."),
    Column("name", "text", "The name as the reports give it."),
    Column("post_slugs", "codes", "Slugs of the posts they hold or held, sorted (see the posts export)."),
    Column("state_codes", "codes", "Codes of the parties they hold or held posts for, sorted."),
    Column("summary", "text", "Who they are, in the analyst's words."),
    Column("updated_at", "datetime", "When the record last changed in the tracker."),
)

POST_COLUMNS: tuple[Column, ...] = (
    Column("slug", "code", "Stable identifier of the post."),
    Column("title", "text", "The post as the report words it ('envoy', 'Chief of the Defence Staff')."),
    Column("role", "code", "The kind of post.", choices=_codes(RepresentativeRole)),
    Column("state", "code", "Code of the state, organisation or grouping the post is held for."),
    Column("person", "code", "Slug of the holder; blank when the report names the post but not the person."),
    Column("person_name", "text", "The holder's name; blank when not named."),
    Column("start_date", "date", "Since when it is held, where a report says."),
    Column("start_precision", "code", "How much of start_date is known.", choices=_codes(DatePrecision)),
    Column("end_date", "date", "Until when it was held, where a report says."),
    Column("source_key", "code", "Key of the source that names the post."),
    Column("quote", "text", "The phrase that names the post (and the person), at most 25 words."),
    Column("attribution", "text", "Who the source attributes the phrase to, where it says."),
    Column("updated_at", "datetime", "When the record last changed in the tracker."),
)

STATEMENT_COLUMNS: tuple[Column, ...] = (
    Column("slug", "code", "Stable identifier of the statement."),
    Column("made_on", "date", "When it was said; blank if no report says."),
    Column("made_precision", "code", "How much of made_on is known.", choices=_codes(DatePrecision)),
    Column("speaker", "code", "Slug of the person who said it; blank when the report names none."),
    Column("speaker_name", "text", "That person's name."),
    Column("state", "code", "Code of the party that said it, or for which the speaker spoke; blank if none given."),
    Column("summit", "code", "Slug of the meeting at which it was said; blank if none."),
    Column("stance", "code", "What it does to the guarantee.", choices=_codes(Stance)),
    Column("about_pledges", "codes", "Slugs of the pledges it is about, sorted."),
    Column("about_instruments", "codes", "Slugs of the instruments it is about, sorted."),
    Column("about_declarations", "codes", "Slugs of the declarations it is about, sorted."),
    Column("about_summits", "codes", "Slugs of the meetings it is about (their outcome), sorted."),
    Column("quote", "text", "The words said, as the source quotes them (at most 25 words)."),
    Column("attribution", "text", "Who the source says said it, as the source puts it."),
    Column("source_key", "code", "Key of the source that reports it."),
    Column("source_title", "text", "Title of that source."),
    Column("source_url", "text", "Public address of that source; blank when it has none."),
    Column("summary", "text", "What it says, in the analyst's words, where the quote needs it."),
    Column("updated_at", "datetime", "When the record last changed in the tracker."),
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
