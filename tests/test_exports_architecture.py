"""The exports of instruments, people, posts and statements (the same file from the API and the
commands, documented columns, fixed query counts), and a pledge's instrument in the pledge export
and import."""

import csv
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commitments import exports, imports
from commitments.choices import InstrumentRole
from commitments.models import ForceRequirement, Instrument, Person, Pledge, Post, Statement

from . import builders as make

pytestmark = pytest.mark.django_db

TABLES = {
    "instruments": (exports.INSTRUMENT_COLUMNS, Instrument),
    "people": (exports.PERSON_COLUMNS, Person),
    "posts": (exports.POST_COLUMNS, Post),
    "statements": (exports.STATEMENT_COLUMNS, Statement),
}


@pytest.fixture
def arch(db):
    return make.architecture()


def parse(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def streamed(response) -> str:
    """The file's text without the byte-order mark every CSV route starts with (asserted)."""
    assert response.status_code == 200, getattr(response, "content", b"")
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf") or not response["Content-Type"].startswith("text/csv")
    return body.decode("utf-8-sig")


def command_output(table: str, *args) -> str:
    out = io.StringIO()
    call_command(f"export_{table}", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("table", list(TABLES))
def test_api_and_command_give_the_same_file_with_the_documented_columns(arch, public, client, table):
    columns, model = TABLES[table]
    api = streamed(client.get(f"/api/{table}/export.csv"))
    assert api == command_output(table)
    assert api.startswith(",".join(c.name for c in columns) + "\r\n")
    records = parse(api)
    assert sorted(r["slug"] for r in records) == sorted(model.objects.values_list("slug", flat=True))
    records = list(csv.reader(io.StringIO(api, newline=""), strict=True))
    assert {len(r) for r in records} == {len(columns)}


@pytest.mark.parametrize("table", list(TABLES))
def test_xlsx_sheet_and_column_sheet(arch, public, client, table):
    openpyxl = pytest.importorskip("openpyxl")
    columns, model = TABLES[table]
    response = client.get(f"/api/{table}/export.xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == [table, "columns"]
    sheet_rows = list(book[table].iter_rows(values_only=True))
    assert list(sheet_rows[0]) == [c.name for c in columns] and len(sheet_rows) == model.objects.count() + 1
    assert [r[0] for r in list(book["columns"].iter_rows(values_only=True))[1:]] == [c.name for c in columns]


def test_instrument_rows_hold_parties_by_role_and_the_contributions_figures(arch, public, client):
    rows = {r["slug"]: r for r in parse(streamed(client.get("/api/instruments/export.csv")))}
    force = rows["multinational-force"]
    assert (force["lead_codes"], force["contributor_codes"], force["participant_codes"]) == ("FR;GB", "COW", "")
    assert (force["status"], force["status_changed_on"], force["condition"]) == (
        "agreed",
        "2025-03-27",
        "upon_ceasefire",
    )
    # Three contributions; the share is inside the joint pledge, so the sums are 5,000–10,000.
    assert (force["contributions"], force["troop_pledges"], force["troops_min"], force["troops_max"]) == (
        "3",
        "1",
        "5000",
        "10000",
    )
    assert (force["troop_pledges_unquantified"], force["force_requirements"]) == ("1", "force-size")
    monitoring = rows["ceasefire-monitoring"]
    assert (monitoring["lead_codes"], monitoring["participant_codes"]) == ("US", "FR;GB")
    # No contribution gives a troop figure: blank, never 0.
    assert (monitoring["troops_min"], monitoring["troops_max"], monitoring["troop_pledges"]) == ("", "", "0")


def test_people_posts_and_statements_rows(arch, public, client):
    people = {r["slug"]: r for r in parse(streamed(client.get("/api/people/export.csv")))}
    assert (people["steve-witkoff"]["post_slugs"], people["steve-witkoff"]["state_codes"]) == ("us-envoy", "US")
    posts = {r["slug"]: r for r in parse(streamed(client.get("/api/posts/export.csv")))}
    assert (posts["gb-defence-secretary"]["person"], posts["gb-defence-secretary"]["state"]) == ("", "GB")
    assert (posts["us-envoy"]["person"], posts["us-envoy"]["person_name"]) == ("steve-witkoff", "Steve Witkoff")
    statements = parse(streamed(client.get("/api/statements/export.csv?stance=qualifies&stance=rejects")))
    assert [(s["slug"], s["speaker_name"], s["state"], s["quote"]) for s in statements] == [
        ("witkoff-qualifies", "Steve Witkoff", "US", "monitoring only after a ceasefire"),
        ("russia-rejects", "", "RU", "no foreign troops"),
    ]
    assert (statements[1]["about_instruments"], statements[1]["about_summits"]) == ("multinational-force", "paris-arch")


def test_pandas_reads_the_new_files_with_their_dtypes(arch, public, client):
    pd = pytest.importorskip("pandas")
    for table, (columns, _) in TABLES.items():
        text = streamed(client.get(f"/api/{table}/export.csv"))
        frame = pd.read_csv(io.StringIO(text), **exports.pandas_read_csv_kwargs(columns))
        assert list(frame.columns) == [c.name for c in columns], table
    frame = pd.read_csv(
        io.StringIO(streamed(client.get("/api/instruments/export.csv"))),
        **exports.pandas_read_csv_kwargs(exports.INSTRUMENT_COLUMNS),
    ).set_index("slug")
    assert frame.loc["multinational-force", "troops_max"] == 10000
    assert pd.isna(frame.loc["ceasefire-monitoring", "troops_min"])


def test_filters_and_bad_filters(arch, public, client):
    led = parse(streamed(client.get("/api/instruments/export.csv?state=US&role=lead")))
    assert [r["slug"] for r in led] == ["ceasefire-monitoring"]
    for url, field in (
        ("/api/instruments/export.csv?kind=tank", "kind"),
        ("/api/people/export.csv?state=XX", "state"),
        ("/api/posts/export.xlsx?person=nobody", "person"),
        ("/api/statements/export.csv?made_after=never", "made_after"),
    ):
        bad = client.get(url)
        assert bad.status_code == 400 and field in bad.json(), url
    assert [r["slug"] for r in parse(command_output("statements", "--person", "steve-witkoff"))] == [
        "witkoff-qualifies"
    ]
    with pytest.raises(CommandError, match="--stance: Select a valid choice"):
        command_output("statements", "--stance", "shouts")


def test_anonymous_needs_public_read(arch, client, settings):
    settings.PUBLIC_READ = False
    for table in TABLES:
        for extension in ("csv", "xlsx"):
            assert client.get(f"/api/{table}/export.{extension}").status_code == 401, table


def make_more(count: int) -> None:
    for n in range(count):
        force = make.instrument(parties=(("FR", InstrumentRole.LEAD), ("GB", InstrumentRole.PARTICIPANT)))
        force.declarations.add(make.declaration())
        make.pledge(category="troops", troops_min=10, contributes_to=force)
        person = make.person()
        make.post(holder=person, party="FR")
        make.post(holder=person, party="GB")
        make.statement(speaker=person, about=(force, make.pledge(), make.declaration(), make.summit()))
        if n == 0:
            ForceRequirement.objects.create(slug=f"req-{force.slug}", title="req", instrument=force, troops_min=1)


# The rows' queries, whatever the row count.
EXPORT_QUERIES = {
    # the contribution figures; instruments with their contribution counts; parties joined to
    # states; declarations; force requirements
    "instruments": 5,
    # people; their posts joined to states
    "people": 2,
    # posts joined to people, states and sources
    "posts": 1,
    # statements joined to speakers, states, meetings and sources; pledges, instruments,
    # declarations and meetings they are about
    "statements": 5,
}


@pytest.mark.parametrize("table", list(EXPORT_QUERIES))
def test_export_query_count_does_not_grow_with_rows(table):
    spec = exports.TABLES[table]
    make_more(1)
    with CaptureQueriesContext(connection) as one:
        first = list(spec.rows(spec.model.objects.all()))
    make_more(6)
    with CaptureQueriesContext(connection) as many:
        more = list(spec.rows(spec.model.objects.all()))
    assert len(more) > len(first) > 0
    assert len(one) == len(many) == EXPORT_QUERIES[table], [q["sql"] for q in many]


# --- a pledge's instrument in the pledge export and the import ------------------------------


def pledge_export() -> bytes:
    return "".join(exports.pledge_csv_chunks()).encode()


def to_csv(rows: list[dict]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def test_pledge_export_ends_with_its_instrument(arch):
    # Added after `version` (columns are added at the end); the Ukrainian versions came after it (issue 16).
    names = [c.name for c in exports.PLEDGE_COLUMNS]
    assert names.index("contributes_to") == names.index("version") + 1
    rows = {r["slug"]: r for r in parse(pledge_export().decode())}
    assert list(rows["fr-gb-troops"])[names.index("contributes_to")] == "contributes_to"
    assert rows["fr-gb-troops"]["contributes_to"] == "multinational-force"
    assert rows["us-monitoring"]["contributes_to"] == "ceasefire-monitoring"


def test_import_writes_the_instrument_through_the_write_path(arch, django_user_model):
    user = django_user_model.objects.create_user("analyst")
    unchanged = imports.import_pledges(pledge_export())
    assert unchanged.ok and unchanged.count("update") == 0
    rows = parse(pledge_export().decode())
    by_slug = {r["slug"]: r for r in rows}
    by_slug["us-monitoring"]["contributes_to"] = "multinational-force"
    by_slug["cow-troops"]["contributes_to"] = ""
    history_before = Pledge.history.count()
    report = imports.import_pledges(to_csv(rows), user=user, reason="CSV import")
    assert report.ok, report.lines()
    assert report.count("update") == 2
    assert Pledge.objects.get(slug="us-monitoring").contributes_to.slug == "multinational-force"
    moved = Pledge.objects.get(slug="cow-troops")
    assert moved.contributes_to is None and moved.version == 2
    assert (moved.history.first().history_user, Pledge.history.count()) == (user, history_before + 2)
    plan = next(p for p in report.plans if p.slug == "us-monitoring")
    assert plan.changes == {"contributes_to": ("ceasefire-monitoring", "multinational-force")}


def test_import_without_the_column_keeps_the_instrument(arch):
    rows = [{k: v for k, v in r.items() if k != "contributes_to"} for r in parse(pledge_export().decode())]
    rows[0]["title"] = "Retitled"
    report = imports.import_pledges(to_csv(rows))
    assert report.ok, report.lines()
    changed = Pledge.objects.get(slug=rows[0]["slug"])
    assert changed.title == "Retitled" and changed.contributes_to.slug == "multinational-force"


def test_import_refuses_an_unknown_instrument_naming_the_column(arch):
    rows = parse(pledge_export().decode())
    rows[1]["contributes_to"] = "no-such-force"
    report = imports.import_pledges(to_csv(rows))
    assert not report.ok and not report.applied
    (error,) = report.errors
    assert (error.row, error.column, error.message) == (3, "contributes_to", "No instrument with slug 'no-such-force'.")
