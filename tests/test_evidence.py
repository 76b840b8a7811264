"""The evidence ladder: commitments/evidence.py and docs/data.md say the same (pledge statuses,
instrument statuses, statement stances), the ladders read quotes as documented, and the re-audit and
re-model logs name real records and quote real phrases."""

import re

import pytest

from commitments import evidence
from commitments.choices import InstrumentStatus, Stance, Status
from commitments.models import MAX_QUOTE_WORDS, quote_words

from .conftest import PROJECT_DIR, needs_seeds, seed_dir
from .fixture_walk import load_records, natural_key, normalise

DOC = PROJECT_DIR / "docs" / "data.md"
SEEDS = seed_dir()


def section(title: str) -> list[str]:
    """The table rows (lines starting with '|', header and rule left out) under a '## ' or '### ' heading."""
    lines = DOC.read_text(encoding="utf-8").splitlines()
    start = lines.index(title) + 1
    rows = []
    for line in lines[start:]:
        if line.startswith("#"):
            break
        if line.startswith("|") and not line.startswith("|---"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows[1:]  # the header


def wording_table(title: str) -> dict[str, tuple[str, ...]]:
    """{status or stance: the phrases of its row}, as the doc's table under `title` shows them."""
    doc = {}
    for cells in section(title):
        (value,) = re.fullmatch(r"`(\w+)`", cells[0]).groups()
        doc[value] = tuple(re.findall(r'"([^"]+)"', cells[1]))
    return doc


def ceiling_table(title: str) -> list[tuple[str, str]]:
    rows = []
    for cells in section(title):
        (hedge,) = re.fullmatch(r'"([^"]+)"', cells[0]).groups()
        (ceiling,) = re.fullmatch(r"`(\w+)`", cells[1]).groups()
        rows.append((hedge, ceiling))
    return rows


@pytest.mark.parametrize(
    "title, wording, values",
    [
        ("### Status wording", evidence.STATUS_WORDING, Status.values),
        ("### Instrument status wording", evidence.INSTRUMENT_STATUS_WORDING, InstrumentStatus.values),
        ("### Stance wording", evidence.STANCE_WORDING, Stance.values),
    ],
)
def test_the_doc_shows_the_wording_the_module_holds(title, wording, values):
    doc = wording_table(title)
    assert doc == {str(value): phrases for value, phrases in wording.items()}
    assert list(doc) == list(values)  # every status or stance, in the order of its choices


@pytest.mark.parametrize(
    "title, ceilings",
    [
        ("### Hedges and their ceilings", evidence.HEDGE_CEILINGS),
        ("### Instrument hedges and their ceilings", evidence.INSTRUMENT_HEDGE_CEILINGS),
    ],
)
def test_the_doc_shows_the_hedge_ceilings_the_module_holds(title, ceilings):
    assert ceiling_table(title) == [(hedge, str(ceiling)) for hedge, ceiling in ceilings.items()]


@pytest.mark.parametrize(
    "quote, status",
    [
        ("Britain and France agreed to establish military hubs across Ukraine", Status.AGREED),
        ("the leaders unanimously agreed that no sanctions imposed on Russia would be lifted", Status.AGREED),
        ("Macron said that could involve sending thousands of French troops.", Status.PROPOSED),
        ("including the French announcement of 2 billion euros", Status.ANNOUNCED),
        ("a declaration by the leaders of France and Britain that they would commit troops", Status.ANNOUNCED),
        ("The draft also envisages setting up a special commission", Status.PROPOSED),
        ("promised “binding commitments” to the country", Status.ANNOUNCED),
    ],
)
def test_the_ladder_accepts_the_wording_it_documents(quote, status):
    assert evidence.problems(quote, status) == []


@pytest.mark.parametrize(
    "quote, status, expected",
    [
        # "would provide" in a declaration of intent is not a commitment.
        ("France and the United Kingdom would provide the bulk of the troops", Status.COMMITTED, "no wording"),
        ("France and the United Kingdom would provide the bulk of the troops", Status.COMMITTED, '"would"'),
        # "agreed" is agreed, not committed.
        ("Britain and France agreed to establish military hubs", Status.COMMITTED, "no wording"),
        # "could" caps any phrase at proposed, even one with a stronger word in it.
        ("Between 15,000 and 30,000 Western troops could be deployed", Status.IN_IMPLEMENTATION, '"could"'),
        ("Macron said that could involve sending thousands of French troops.", Status.ANNOUNCED, '"could"'),
        # A draft's content is at most proposed, whatever it says it agreed.
        ("The draft says: we have agreed to finalise binding commitments", Status.AGREED, '"draft"'),
        # "are committed to" in a speech is no signed binding text.
        ("all coalition members are committed to achieving peace", Status.COMMITTED, "no wording"),
        # "pledged" alone is announced.
        ("pledged to finance the Ukrainian army", Status.AGREED, "no wording"),
        ("", Status.AGREED, "no quote"),
    ],
)
def test_the_ladder_refuses_a_status_stronger_than_the_words(quote, status, expected):
    assert any(expected in problem for problem in evidence.problems(quote, status)), evidence.problems(quote, status)


def test_the_ladder_reads_whole_words_and_typographic_quotes():
    assert evidence.supporting_wording("it couldn't be agreed", Status.PROPOSED) == []
    assert evidence.supporting_wording("it was disagreed", Status.AGREED) == []
    assert evidence.supporting_wording("the leaders’ statement of the coalition", Status.AGREED) == [
        "statement of the coalition"
    ]
    assert evidence.supporting_wording("PLEDGED to finance", Status.ANNOUNCED) == ["pledged"]


@pytest.mark.parametrize(
    "quote, status",
    [
        (
            "Britain and France agreed to establish military hubs across Ukraine after a ceasefire",
            InstrumentStatus.AGREED,
        ),
        (
            "Ukraine, France and the United Kingdom on Tuesday signed a Declaration of Intent on the deployment of "
            "multinational forces",
            InstrumentStatus.AGREED,
        ),
        ("the agreement also said that … a special commission would be created", InstrumentStatus.AGREED),
        ("a “proposed US-led ceasefire monitoring and verification mechanism”", InstrumentStatus.PROPOSED),
        ("The draft also envisages setting up a special commission", InstrumentStatus.PROPOSED),
        ("Turkey would be tasked with securing the Black Sea", InstrumentStatus.PROPOSED),
        ("The commission was set up in Kyiv on Monday", InstrumentStatus.ESTABLISHED),
        ("Monitors deployed along the line on Friday", InstrumentStatus.OPERATIONAL),
    ],
)
def test_the_instrument_ladder_accepts_the_wording_it_documents(quote, status):
    assert evidence.instrument_problems(quote, status) == []


@pytest.mark.parametrize(
    "quote, status, expected",
    [
        # Agreed to establish is not established.
        ("Britain and France agreed to establish military hubs", InstrumentStatus.ESTABLISHED, "no wording"),
        # A plan is not a fact, even with the word in it.
        ("Long-term partnerships will also be established", InstrumentStatus.ESTABLISHED, '"will"'),
        ("a system of guarantees is to be launched", InstrumentStatus.ESTABLISHED, '"is to"'),
        ("a special commission would be created", InstrumentStatus.ESTABLISHED, '"would"'),
        # "proposed" on the instrument itself keeps it proposed, whatever the text around it.
        ("A statement of the coalition: a proposed US-led mechanism", InstrumentStatus.AGREED, '"proposed"'),
        ("15,000 and 30,000 Western troops could be deployed", InstrumentStatus.OPERATIONAL, '"could"'),
        # A pledge's announcing word is no instrument status.
        ("the US announced it will lead the mechanism", InstrumentStatus.AGREED, "no wording"),
        ("", InstrumentStatus.AGREED, "no quote"),
    ],
)
def test_the_instrument_ladder_refuses_a_status_stronger_than_the_words(quote, status, expected):
    found = evidence.instrument_problems(quote, status)
    assert any(expected in problem for problem in found), found


def test_the_instrument_ladder_needs_a_quote_from_agreed_up():
    assert evidence.instrument_problems("", InstrumentStatus.PROPOSED) == []
    assert evidence.INSTRUMENTS.quote_required(InstrumentStatus.ENDED)


@pytest.mark.parametrize(
    "quote, stance",
    [
        ("have been “largely finalised”, said Witkoff", Stance.CLAIMS_PROGRESS),
        ("it remained to be determined how the monitoring would work", Stance.QUALIFIES),
        ("has said that it will not agree to any deal that includes Nato-country troops", Stance.REJECTS),
        ("They are as strong as anyone has ever seen", Stance.SUPPORTS),
        ("Where exactly will these forces be located?", Stance.QUESTIONS),
    ],
)
def test_the_stance_wording_reads_the_statements_it_documents(quote, stance):
    assert evidence.stance_problems(quote, stance) == []


def test_a_stance_its_words_do_not_carry_is_refused():
    assert (
        "no wording the ladder accepts for the stance rejects"
        in evidence.stance_problems("have been “largely finalised”", Stance.REJECTS)[0]
    )
    assert evidence.stance_problems("", Stance.SUPPORTS) == ["no quote: a statement is its quoted words"]


def test_a_quote_is_required_from_agreed_up():
    required = [status for status in Status.values if evidence.quote_required(status)]
    assert required[0] == Status.AGREED and Status.PROPOSED not in required and Status.WITHDRAWN in required
    assert evidence.problems("", Status.ANNOUNCED) == []


# ---------------------------------------------------------------------------------------------
# The re-audit log


LOGS = ("## Re-audit log", "## Re-model log (issue 10)")


def log_rows(title: str = "## Re-audit log") -> list[list[str]]:
    return section(title)


def held_records() -> set[tuple[str, str]]:
    """(model, key) of every fixture record, keyed as the logs name them."""
    held = {(record["model"].split(".")[1], str(natural_key(record))) for record in load_records()}
    for record in load_records():
        fields = record["fields"]
        model = record["model"].split(".")[1]
        if model == "attendance":
            held.add((model, f"{fields['summit'][0]} / {fields['state'][0]}"))
        elif model == "declarationparty":
            held.add((model, f"{fields['declaration'][0]} / {fields['state'][0]} / {fields['role']}"))
        elif model == "declarationcomponent":
            held.add((model, f"{fields['declaration'][0]} / {fields['number']}"))
    return held


@pytest.mark.parametrize("title, at_least", [("## Re-audit log", 40), ("## Re-model log (issue 10)", 100)])
def test_the_logs_name_only_records_the_fixtures_hold(title, at_least):
    held = held_records()
    named = [(model, key) for cells in log_rows(title) for model, key in re.findall(r"`(\w+) ([^`]+)`", cells[1])]
    assert len(named) > at_least
    assert [entry for entry in named if entry not in held] == []


def test_the_re_model_log_names_every_instrument_person_post_and_statement():
    named = {(model, key) for cells in log_rows(LOGS[1]) for model, key in re.findall(r"`(\w+) ([^`]+)`", cells[1])}
    new_models = ("instrument", "instrumentparty", "instrumentstatuschange", "person", "post", "statement")
    fixtures = {(model, key) for model, key in held_records() if model in new_models}
    assert fixtures - named == set()


@needs_seeds
@pytest.mark.parametrize("title", LOGS)
def test_the_logs_quote_phrases_found_in_their_reports(title):
    texts = {path.name[:3]: normalise(path.read_text(encoding="utf-8")) for path in SEEDS.glob("*.txt")}
    rows = log_rows(title)
    quoted = [(quote, number) for cells in rows for quote, number in re.findall(r"«([^»]+)» — (\d{3})", cells[3])]
    assert len(quoted) >= len(rows)
    for quote, number in quoted:
        assert quote_words(quote) <= MAX_QUOTE_WORDS, quote
        assert normalise(quote) in texts[number], (number, quote)


@pytest.mark.parametrize("title", LOGS)
def test_the_logs_are_numbered_in_order(title):
    assert [cells[0] for cells in log_rows(title)] == [str(n) for n in range(1, len(log_rows(title)) + 1)]
