"""Synthetic registers for benchmarks (`manage.py generate_synthetic`): many pledges that satisfy
every constraint and integrity check, shaped like the real register (joint pledges, shares,
status histories, citations, audit records), loaded by COPY on PostgreSQL.

Never for a database with analysts' data: the command refuses a database that holds any, unless
told to flush it. Rows are built as tuples of strings (None / `\\N` for NULL) in one pass over the
pledges, a batch at a time, and written per table: `COPY … FROM STDIN` on PostgreSQL, plain
`executemany` INSERTs on SQLite. The pledges' ids, and those of every row that belongs to them,
are given explicitly; the sequences are reset afterwards.

What one pledge brings (averages): 1.1 pledgers (a tenth are joint, with 2–4), 3 status changes
(0–6, so `status` and `status_changed_on` are those of the latest), 1.5 citations, and the audit
trail the write path would have left: one creation record plus one change record per status change
(so `version` = audit records, as `check_data` requires), each with its pledgers' rows, and one
audit record per status change and per citation. About one pledge in twenty is a share of an
earlier top-level pledge (`part_of`); about one in thirty contributes to one of a dozen instruments."""

import datetime
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.management.color import no_style
from django.db import connection, transaction

from . import audit, summary
from .choices import (
    Category,
    Condition,
    ConditionState,
    Currency,
    DatePrecision,
    DeclarationKind,
    DeclarationStatus,
    InstrumentKind,
    MonitoringRole,
    SourceKind,
    StateKind,
    Status,
    SummitKind,
)
from .models import Citation, Declaration, Instrument, Pledge, Source, State, StatusChange, Summit

# Raise when the generated data change shape: the bench reuses a database only when this matches.
GENERATOR_VERSION = 3
BATCH = 10_000
DAY = 86_400
FIRST_DAY = datetime.date(2022, 2, 24)

REAL_STATES = [
    ("FR", "France"), ("GB", "United Kingdom"), ("DE", "Germany"), ("IT", "Italy"), ("PL", "Poland"),
    ("ES", "Spain"), ("NL", "Netherlands"), ("BE", "Belgium"), ("DK", "Denmark"), ("SE", "Sweden"),
    ("NO", "Norway"), ("FI", "Finland"), ("EE", "Estonia"), ("LV", "Latvia"), ("LT", "Lithuania"),
    ("CZ", "Czechia"), ("SK", "Slovakia"), ("RO", "Romania"), ("BG", "Bulgaria"), ("HR", "Croatia"),
    ("PT", "Portugal"), ("IE", "Ireland"), ("AT", "Austria"), ("LU", "Luxembourg"), ("GR", "Greece"),
    ("CA", "Canada"), ("US", "United States"), ("AU", "Australia"), ("NZ", "New Zealand"), ("JP", "Japan"),
    ("TR", "Türkiye"), ("IS", "Iceland"), ("SI", "Slovenia"), ("CY", "Cyprus"), ("MT", "Malta"),
    ("UA", "Ukraine"), ("CH", "Switzerland"), ("KR", "South Korea"), ("AL", "Albania"), ("MK", "North Macedonia"),
]  # fmt: skip
ORGANISATIONS = [
    ("EC", "European Commission", StateKind.INTERNATIONAL_ORGANISATION),
    ("NATO", "NATO", StateKind.INTERNATIONAL_ORGANISATION),
    ("COW", "Coalition of the Willing", StateKind.COALITION),
    ("JEF", "Joint Expeditionary Force", StateKind.COALITION),
]
FX = {  # euros per unit, roughly
    Currency.EUR: Decimal(1), Currency.USD: Decimal("0.92150000"), Currency.GBP: Decimal("1.16820000"),
    Currency.CAD: Decimal("0.67940000"), Currency.NOK: Decimal("0.08610000"), Currency.SEK: Decimal("0.08790000"),
    Currency.DKK: Decimal("0.13410000"), Currency.PLN: Decimal("0.23250000"), Currency.CHF: Decimal("1.04780000"),
    Currency.JPY: Decimal("0.00612000"), Currency.AUD: Decimal("0.60210000"),
}  # fmt: skip
OBJECTS = {
    Category.TROOPS: ["troops for the reassurance force", "a brigade for the multinational force", "ground forces"],
    Category.FUNDING: ["funding for air defence", "budget support", "a contribution to the Ukraine facility"],
    Category.WEAPONS: ["air-defence systems", "artillery ammunition", "armoured vehicles", "long-range missiles"],
    Category.MONITORING: ["ceasefire monitoring", "drone surveillance of the contact line"],
    Category.MARITIME: ["mine clearance in the Black Sea", "naval escorts for grain ships"],
    Category.SANCTIONS: ["a new sanctions package", "tighter export controls"],
    Category.TRAINING: ["training for Ukrainian pilots", "a training mission"],
    Category.INFRASTRUCTURE: ["a logistics hub", "repair of energy infrastructure"],
    Category.BINDING_COMMITMENT: ["assistance in the event of a future attack"],
    Category.INTELLIGENCE: ["intelligence sharing", "airlift capacity"],
    Category.DEFENCE_INDUSTRY: ["joint production of shells", "investment in drone production"],
    Category.DIPLOMATIC: ["support for Ukraine's accession talks", "a peace conference"],
}
DESCRIPTIONS = [
    "",
    "Announced after the meeting; no figure given.",
    'Reported as "substantial", with details to follow.\nA second report gives the same figure.',
    "Figures differ between reports, the lower one is recorded; see the citations.",
    '=HYPERLINK("http://example.invalid") appears in a report\'s headline, kept as text.',
    "Tab\tseparated words and a back\\slash, as pasted from a spreadsheet.",
]
QUOTES = [
    "will provide {what} as soon as the conditions allow",
    "announced {what} for Ukraine",
    "is ready to contribute {what}",
    "confirmed {what} at the meeting",
]
NOTES = ["Reported by two outlets.", "Confirmed in the official statement.", "Government announcement.", "As reported."]
CITED_FIELDS = {Category.TROOPS: "troops_min", Category.FUNDING: "amount"}
QUANTITY_WORDS = ["thousands of troops", "the bulk of the troops", "several billion", "a significant package"]
CONDITION_TEXTS = {
    Condition.UPON_CEASEFIRE: "once a ceasefire is in place",
    Condition.UPON_PEACE_AGREEMENT: "after a peace agreement is achieved",
    Condition.FUTURE_ATTACK: "should Russia attack again",
    Condition.OTHER: "subject to parliamentary approval",
}
CONDITIONS = [Condition.NOT_STATED] * 5 + [Condition.UNCONDITIONAL] * 2 + list(CONDITION_TEXTS)
CONDITION_STATES = [ConditionState.PENDING, ConditionState.PENDING, ConditionState.TRIGGERED, ConditionState.LAPSED]
# How many status changes a pledge has had: 0 to 6, three on average.
CHANGE_COUNTS = [0] * 5 + [1] * 10 + [2] * 20 + [3] * 30 + [4] * 20 + [5] * 10 + [6] * 5
NEXT_STATUSES = [s for s in Status.values if s != Status.NOT_ASSESSABLE]
CATEGORIES = Category.values


@dataclass
class Table:
    """A table written by the bulk load: its name, the columns in the order the rows give them,
    and the rows of the current batch."""

    name: str
    columns: tuple[str, ...]
    rows: list = field(default_factory=list)
    total: int = 0


def _table(model, columns: str) -> Table:
    """The table of `model` with these columns; every concrete column must be given (none is left
    to a database default: Django sets none), so a new model field breaks this loudly."""
    names = tuple(columns.split())
    expected = {f.column for f in model._meta.concrete_fields}
    if set(names) != expected:
        raise RuntimeError(
            f"generate_synthetic: {model._meta.db_table} has columns {sorted(expected - set(names))} the generator "
            f"does not write, or lacks {sorted(set(names) - expected)}; update commitments/synthetic.py."
        )
    return Table(model._meta.db_table, names)


PLEDGE_COMMON = (
    "id slug title description part_of_id contributes_to_id declaration_id summit_id category troops_min troops_max "
    "amount currency value_date fx_rate amount_eur monitoring_role monitoring_means quantity_text condition "
    "condition_text condition_state last_reviewed_at created_at title_uk description_uk"
)
CHANGE_COMMON = (
    "id source_id quote attribution sequence effective_date effective_precision recorded_at note pledge_id "
    "from_status to_status"
)
CITATION_COMMON = (
    "id source_id quote attribution key summit_id declaration_id pledge_id force_requirement_id instrument_id field"
)
HISTORY = "history_id history_date history_change_reason history_type history_user_id"


def tables() -> dict[str, Table]:
    return {
        "pledge": _table(Pledge, f"{PLEDGE_COMMON} status status_changed_on updated_at version"),
        "pledgers": _table(Pledge.pledgers.through, "id pledge_id state_id"),
        "change": _table(StatusChange, f"{CHANGE_COMMON} recorded_by_id"),
        "citation": _table(Citation, CITATION_COMMON),
        "pledge_history": _table(
            Pledge.history.model, f"{PLEDGE_COMMON} status status_changed_on updated_at {HISTORY}"
        ),
        "pledgers_history": _table(
            Pledge.history.model.pledgers.model, "id m2m_history_id history_id pledge_id state_id"
        ),
        "change_history": _table(StatusChange.history.model, f"{CHANGE_COMMON} recorded_by_id {HISTORY}"),
        "citation_history": _table(Citation.history.model, f"{CITATION_COMMON} {HISTORY}"),
    }


class Format:
    """How values are spelled for the database: NULL, text and times. PostgreSQL's COPY text
    format escapes backslash, tab and line breaks; SQLite gets the values as parameters."""

    def __init__(self, vendor: str):
        self.copy = vendor == "postgresql"
        self.null = "\\N" if self.copy else None
        self.time_suffix = "+00" if self.copy else ""

    def text(self, value: str) -> str:
        if not self.copy:
            return value
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")

    def time(self, seconds: int) -> str:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(seconds)) + self.time_suffix


@dataclass
class Context:
    """The small tables' ids, made by the ORM before the bulk load."""

    states: list[tuple[int, str]]
    summits: list[int]
    declarations: list[int]
    sources: list[int]
    instruments: list[int]


# --------------------------------------------------------------------------------------------
# The small tables, through the ORM (a few hundred rows, each with its audit record)


def make_context(rng: random.Random, states: int) -> Context:
    """About `states` parties, summits, declarations and sources (a few hundred each)."""
    made = [State(code=code, name=name, kind=StateKind.SOVEREIGN_STATE) for code, name in REAL_STATES[:states]]
    made += [State(code=code, name=name, kind=kind) for code, name, kind in ORGANISATIONS][: max(0, states - len(made))]
    used = {s.code for s in made}
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    codes = (a + b for a in letters for b in letters)
    for code in codes:
        if len(made) >= states:
            break
        if code not in used:
            made.append(State(code=code, name=f"Synthetic state {code}", kind=StateKind.SOVEREIGN_STATE))
    state_rows = State.objects.bulk_create(made)
    today = datetime.date.today()
    span = (today - FIRST_DAY).days
    summits = []
    for n in range(max(states, 20)):
        date = FIRST_DAY + datetime.timedelta(days=rng.randrange(span))
        summits.append(
            Summit(
                slug=f"synthetic-summit-{n + 1}",
                title=f"Synthetic meeting {n + 1} in {rng.choice(['Paris', 'London', 'Kyiv', 'Berlin', 'Rome'])}",
                kind=rng.choice(SummitKind.values),
                city=rng.choice(["Paris", "London", "Kyiv", "Berlin", "Rome", ""]),
                date=date,
                end_date=date + datetime.timedelta(days=1) if n % 3 == 0 else None,
            )
        )
    summits = Summit.objects.bulk_create(summits)
    declarations = Declaration.objects.bulk_create(
        Declaration(
            slug=f"synthetic-declaration-{n + 1}",
            title=f"Synthetic joint statement {n + 1}",
            kind=rng.choice(DeclarationKind.values),
            status=rng.choice(DeclarationStatus.values),
            date=summit.date,
            summit=summit,
        )
        for n, summit in enumerate(summits[: len(summits) // 2])
    )
    sources = Source.objects.bulk_create(
        Source(
            key=f"synthetic-source-{n + 1}",
            title=f'Report {n + 1}: "allies pledge support", with a comma',
            publisher=rng.choice(["Reuters", "The Guardian", "Le Monde", "Kyiv Independent", ""]),
            published_on=FIRST_DAY + datetime.timedelta(days=rng.randrange(span)),
            url=f"https://example.invalid/reports/{n + 1}",
            kind=rng.choice(SourceKind.values),
        )
        for n in range(max(states, 20) * 2)
    )
    instruments = Instrument.objects.bulk_create(
        Instrument(slug=f"synthetic-instrument-{n + 1}", name=f"Synthetic {kind} mechanism {n + 1}", kind=kind)
        for n, kind in enumerate(InstrumentKind.values * 2)
    )
    for rows in (state_rows, summits, declarations, sources, instruments):
        audit.record(rows, audit.CREATED, reason="Synthetic data")
    return Context(
        states=[(s.pk, s.name) for s in state_rows],
        summits=[s.pk for s in summits],
        declarations=[d.pk for d in declarations],
        sources=[s.pk for s in sources],
        instruments=[i.pk for i in instruments],
    )


# --------------------------------------------------------------------------------------------
# The pledges and everything that belongs to them, as rows


@dataclass
class Counters:
    pledger: int = 0
    change: int = 0
    citation: int = 0
    pledge_history: int = 0
    pledgers_history: int = 0
    change_history: int = 0
    citation_history: int = 0


def quantities(rng: random.Random, category: str, fmt: Format, value_seconds: int) -> tuple:
    """troops_min, troops_max, amount, currency, value_date, fx_rate, amount_eur, monitoring_role,
    monitoring_means, quantity_text for a pledge of `category`."""
    n = fmt.null
    troops_min = troops_max = amount = value_date = fx = eur = n
    currency = ""
    role = means = words = ""
    if category == Category.TROOPS:
        shape = rng.randrange(10)
        low = rng.randrange(50, 20_000)
        if shape < 5:
            troops_min, troops_max = str(low), str(low + rng.randrange(0, 10_000))
        elif shape < 7:
            troops_min = str(low)  # "at least N"
        elif shape < 8:
            troops_max = str(low)  # "up to N"
        else:
            words = rng.choice(QUANTITY_WORDS)
    elif category == Category.FUNDING or (category == Category.WEAPONS and rng.random() < 0.3):
        if rng.random() < 0.85:
            code = Currency.EUR if rng.random() < 0.6 else rng.choice(Currency.values)
            value = Decimal(rng.randrange(100_000, 5_000_000_000_00)) / 100
            amount, currency = str(value), code
            if rng.random() < 0.9:  # a few amounts not yet converted
                rate = FX[code]
                value_date = time.strftime("%Y-%m-%d", time.gmtime(value_seconds))
                fx, eur = str(rate), str((value * rate).quantize(Decimal("0.01")))
        else:
            words = rng.choice(QUANTITY_WORDS)
    elif category == Category.MONITORING:
        role = rng.choice(MonitoringRole.values)
        means = rng.choice(["drones, sensors", "satellites", "observers", ""])
    return troops_min, troops_max, amount, currency, value_date, fx, eur, role, means, words


class Generator:
    def __init__(self, *, pledges: int, seed: int, context: Context, fmt: Format, first_id: int = 1):
        self.count = pledges
        self.rng = random.Random(seed)
        self.ctx = context
        self.fmt = fmt
        self.first_id = first_id
        self.ids = Counters()
        self.tables = tables()
        self.is_share: set[int] = set()
        now = int(time.time())
        self.now = now - 3600  # an hour ago: no write lies in the future
        self.start = int(datetime.datetime.combine(FIRST_DAY, datetime.time(), datetime.UTC).timestamp())
        self.descriptions = [fmt.text(d) for d in DESCRIPTIONS]
        self.statuses_reason = {s: f"Status changed to {Status(s).label.split(' (')[0].lower()}" for s in Status.values}

    def batches(self) -> Iterator[dict[str, Table]]:
        """The rows of `BATCH` pledges at a time (the tables' `rows` refilled each time)."""
        first = self.first_id
        last = first + self.count
        for start in range(first, last, BATCH):
            for table in self.tables.values():
                table.rows = []
            for pk in range(start, min(start + BATCH, last)):
                self.pledge(pk)
            for table in self.tables.values():
                table.total += len(table.rows)
            yield self.tables

    def pledge(self, pk: int) -> None:
        rng, fmt, n, ids, t = self.rng, self.fmt, self.fmt.null, self.ids, self.tables
        category = rng.choice(CATEGORIES)
        created = self.start + rng.randrange(self.now - self.start - 30 * DAY)
        # Pledgers: a tenth are joint.
        pledgers = rng.sample(self.ctx.states, rng.choice((2, 2, 2, 3, 4))) if rng.random() < 0.1 else [
            rng.choice(self.ctx.states)
        ]  # fmt: skip
        who = " and ".join(name for _, name in pledgers)
        what = rng.choice(OBJECTS[category])
        part_of = n
        if pk > self.first_id + 20 and rng.random() < 0.05:
            parent = rng.randrange(self.first_id, pk)
            if parent not in self.is_share:
                part_of = str(parent)
                self.is_share.add(pk)
        condition = rng.choice(CONDITIONS)
        condition_state = (
            ConditionState.NOT_APPLICABLE
            if condition in (Condition.NOT_STATED, Condition.UNCONDITIONAL)
            else rng.choice(CONDITION_STATES)
        )
        reviewed = fmt.time(created + rng.randrange(self.now - created)) if rng.random() < 0.3 else n
        common = (
            str(pk),
            f"synthetic-{pk}",
            f"{who} pledge {what}" if pk % 13 else f"=SUM(A{pk}) {what}",  # formula-like titles, as found
            rng.choice(self.descriptions),
            part_of,
            str(rng.choice(self.ctx.instruments)) if rng.random() < 0.03 else n,  # contributes_to
            str(rng.choice(self.ctx.declarations)) if rng.random() < 0.5 else n,
            str(rng.choice(self.ctx.summits)) if rng.random() < 0.8 else n,
            category,
            *quantities(rng, category, fmt, created),
            condition,
            CONDITION_TEXTS.get(condition, ""),
            condition_state,
            reviewed,
            fmt.time(created),
            "",  # title_uk: no Ukrainian version
            "",  # description_uk
        )
        # Status history: k changes, effective on non-decreasing dates after creation, recorded soon after.
        k = rng.choice(CHANGE_COUNTS)
        status, changed_on, updated = Status.NOT_ASSESSABLE, n, created
        history = t["pledge_history"].rows
        pledgers_history = t["pledgers_history"].rows
        change_rows = t["change"].rows
        change_history = t["change_history"].rows

        def audit_row(history_type: str, when: int, reason) -> None:
            ids.pledge_history += 1
            history.append((*common, status, changed_on, fmt.time(when), str(ids.pledge_history), fmt.time(when),
                            reason, history_type, n))  # fmt: skip
            for link, state_id in links:
                ids.pledgers_history += 1
                pledgers_history.append((link, str(ids.pledgers_history), str(ids.pledge_history), str(pk), state_id))

        links = []
        for state_id, _ in pledgers:
            ids.pledger += 1
            links.append((str(ids.pledger), str(state_id)))
            t["pledgers"].rows.append((str(ids.pledger), str(pk), str(state_id)))
        audit_row(audit.CREATED, created, n)
        moment = created
        for sequence in range(1, k + 1):
            moment += rng.randrange(max(1, (self.now - moment) // (k - sequence + 2)))
            recorded = min(self.now, moment + rng.randrange(3 * DAY))
            new = rng.choice(NEXT_STATUSES)
            while new == status:
                new = rng.choice(NEXT_STATUSES)
            ids.change += 1
            effective = time.strftime("%Y-%m-%d", time.gmtime(moment))
            row = (
                str(ids.change),
                str(rng.choice(self.ctx.sources)),
                f"{pledgers[0][1]} {rng.choice(QUOTES).format(what=what)}",
                "",
                str(sequence),
                effective,
                DatePrecision.DAY,
                fmt.time(recorded),
                rng.choice(NOTES),
                str(pk),
                status,
                new,
                n,
            )
            change_rows.append(row)
            ids.change_history += 1
            change_history.append((*row, str(ids.change_history), fmt.time(recorded), n, audit.CREATED, n))
            status, changed_on, updated = new, effective, recorded
            audit_row(audit.CHANGED, recorded, self.statuses_reason[new])
        t["pledge"].rows.append((*common, status, changed_on, fmt.time(updated), str(k + 1)))
        # One or two citations.
        for c in range(1 if rng.random() < 0.5 else 2):
            ids.citation += 1
            row = (
                str(ids.citation),
                str(rng.choice(self.ctx.sources)),
                f"{pledgers[0][1]} {rng.choice(QUOTES).format(what=what)}",
                rng.choice(["", "", "the defence minister"]),
                f"synthetic-{pk}-{c + 1}",
                n,
                n,
                str(pk),
                n,
                n,
                CITED_FIELDS.get(category, "") if c == 0 else "",
            )
            t["citation"].rows.append(row)
            ids.citation_history += 1
            t["citation_history"].rows.append((*row, str(ids.citation_history), fmt.time(created), n, audit.CREATED, n))


# --------------------------------------------------------------------------------------------
# Writing


def write_batch(tables: dict[str, Table], fmt: Format) -> None:
    """The batch's rows, table by table, in one transaction (foreign keys checked at its end)."""
    with transaction.atomic(), connection.cursor() as cursor:
        for table in tables.values():
            if not table.rows:
                continue
            columns = ", ".join(connection.ops.quote_name(c) for c in table.columns)
            if fmt.copy:
                raw = cursor.cursor  # psycopg's own cursor: Django's wrapper has no copy()
                with raw.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy:
                    copy.write("".join("\t".join(row) + "\n" for row in table.rows))
            else:
                marks = ", ".join(["%s"] * len(table.columns))
                cursor.executemany(f"INSERT INTO {table.name} ({columns}) VALUES ({marks})", table.rows)  # noqa: S608


def reset_sequences() -> None:
    """Sequences past the explicit ids (PostgreSQL; SQLite's AUTOINCREMENT follows by itself)."""
    if connection.vendor != "postgresql":
        return
    models = [
        Pledge,
        Pledge.pledgers.through,
        StatusChange,
        Citation,
        Pledge.history.model,
        Pledge.history.model.pledgers.model,
        StatusChange.history.model,
        Citation.history.model,
    ]
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)


def after_bulk_load() -> None:
    """Whatever the register maintains beside its rows and a bulk load bypasses (the write path
    keeps them in step one write at a time): rebuild it here from the loaded rows, i.e. the
    overview's summary table (commitments/summary.py; kept on PostgreSQL only)."""
    summary.rebuild()


def analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def generate(pledges: int, *, states: int = 200, seed: int = 12, progress: Callable[[str], None] | None = None) -> dict:
    """Fill the (empty) register with `pledges` synthetic pledges; return timings and row counts."""
    fmt = Format(connection.vendor)
    rng = random.Random(seed)
    started = time.monotonic()
    with transaction.atomic():
        context = make_context(rng, states)
    generator = Generator(pledges=pledges, seed=seed + 1, context=context, fmt=fmt)
    done = 0
    # The overview's summary triggers are off while the rows stream in; as they come back on, the
    # summary is rebuilt once from the loaded rows (timed apart, as after_bulk_load).
    with summary.triggers_suspended(rebuild_after=False):
        for batch in generator.batches():
            write_batch(batch, fmt)
            done += len(batch["pledge"].rows)
            if progress and done % 100_000 < BATCH:
                progress(f"  {done:,} pledges in {time.monotonic() - started:.1f} s")
        reset_sequences()
    fill_seconds = time.monotonic() - started
    mark = time.monotonic()
    after_bulk_load()
    after_seconds = time.monotonic() - mark
    mark = time.monotonic()
    analyze()
    return {
        "pledges": pledges,
        "seed": seed,
        "generator_version": GENERATOR_VERSION,
        "fill_seconds": round(fill_seconds, 3),
        "after_bulk_load_seconds": round(after_seconds, 3),
        "analyze_seconds": round(time.monotonic() - mark, 3),
        "rows": {table.name: table.total for table in generator.tables.values()},
    }
