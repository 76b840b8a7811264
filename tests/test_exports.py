"""The pledge export: one column spec, the same file three ways, Excel-safe, typed for pandas, streamed."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commitments import exports
from commitments.models import ApiToken, Pledge

from . import builders as make
from .builders import FORMULA_CORPUS

pytestmark = pytest.mark.django_db

DOCS = exports.__file__.rsplit("/commitments/", 1)[0] + "/docs/exports.md"


def export_text(queryset=None, bom=False) -> str:
    return "".join(exports.pledge_csv_chunks(queryset, bom=bom))


@pytest.fixture(autouse=True)
def fresh_throttles():
    """The anonymous API throttle counts in the cache across tests: this module's many downloads
    would otherwise be refused (429) in a long run, here or in the next module."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def parse(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def streamed(response) -> bytes:
    return b"".join(response.streaming_content)


# --- the column spec ------------------------------------------------------------------------


def test_pledge_columns_are_documented_with_their_type_in_order():
    """docs/exports.md lists every column with its type, in export order."""
    with open(DOCS, encoding="utf-8") as fh:
        text = fh.read()
    section = text.split("## Pledge columns", 1)[1].split("\n## ", 1)[0]
    documented = re.findall(r"^\| *\d+ *\| *`([a-z_]+)` *\| *([a-z]+) *\|", section, flags=re.M)
    assert documented == [(c.name, c.type) for c in exports.PLEDGE_COLUMNS]
    for columns, heading in (
        (exports.STATUS_CHANGE_COLUMNS, "## Import-only columns"),
        (exports.SUMMARY_COLUMNS, "## Summary report"),
        (exports.SUMMIT_COLUMNS, "## Summit columns"),
        (exports.DECLARATION_COLUMNS, "## Declaration columns"),
        (exports.STATE_COLUMNS, "## State columns"),
        (exports.INSTRUMENT_COLUMNS, "## Instrument columns"),
        (exports.PERSON_COLUMNS, "## Person columns"),
        (exports.POST_COLUMNS, "## Post columns"),
        (exports.STATEMENT_COLUMNS, "## Statement columns"),
    ):
        part = text.split(heading, 1)[1].split("\n## ", 1)[0]
        documented = re.findall(r"^\| *`([a-z_]+)` *\| *([a-z]+) *\|", part, flags=re.M)
        assert documented == [(c.name, c.type) for c in columns], heading
        for column in columns:  # a fixed list of codes is spelled out
            assert all(f"`{choice}`" in part for choice in column.choices), (heading, column.name)
    # Every exported table has its section, and its command and address are named.
    for table in exports.TABLES:
        assert f"export_{table}" in text and (f"/api/{table}/export.csv" in text or "`" + table + "`" in text), table


def test_row_has_a_value_for_every_column(register):
    [row] = exports.iter_pledges(Pledge.objects.filter(slug="fr-gb-bulk"))
    assert len(row) == len(exports.PLEDGE_COLUMNS)


def test_one_row_per_pledge_joint_pledgers_in_one_cell_typed_quantities(register):
    rows = {r["slug"]: r for r in parse(export_text())}
    assert len(rows) == Pledge.objects.count()
    bulk = rows["fr-gb-bulk"]
    assert (bulk["pledger_codes"], bulk["pledger_names"]) == ("FR;GB", "France; United Kingdom")
    assert (bulk["troops_min"], bulk["troops_max"], bulk["status"]) == ("5000", "10000", "announced")
    assert (bulk["condition"], bulk["condition_state"]) == ("upon_ceasefire", "pending")
    # The first source by citation order, with its title's quotes and line break kept.
    assert bulk["first_source_key"] == "guardian-2026-01-06"
    assert bulk["first_source_title"] == 'Allies agree "security guarantees", plan\nfor force'
    assert rows["fr-share"]["part_of"] == "fr-gb-bulk"
    dollars = rows["us-aid"]
    assert (dollars["amount"], dollars["currency"], dollars["fx_rate"], dollars["amount_eur"]) == (
        "1000.50",
        "USD",
        "0.91234567",
        "912.80",
    )
    assert dollars["value_date"] == "2026-01-05"
    assert dollars["last_reviewed_at"] == "2026-01-07T09:30:15.123456+00:00"
    assert rows["cow-reassurance"]["troops_min"] == "" and rows["cow-reassurance"]["quantity_text"] == (
        "thousands of troops"
    )


def test_rfc4180_quoting_and_crlf(register):
    text = export_text()
    assert text.startswith("slug,title,category,pledger_codes,")
    assert text.endswith("\r\n")
    # A field with a quote, a comma or a line break is quoted, quotes doubled; records end with CRLF.
    assert '"after a ceasefire, ""durable"""' in text
    assert '"line one\r\nline two, ' in text
    records = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    assert {len(r) for r in records} == {len(exports.PLEDGE_COLUMNS)}


def every_csv_route(release_number: int) -> list[str]:
    from django.urls import reverse

    return [
        *(reverse(f"api:export-{table}-csv") for table in exports.TABLES),
        "/api/pledges/?format=csv",
        reverse("api:report-summary-csv"),
        reverse("api:release-diff-csv", args=[release_number, "now"]),
    ]


def test_every_csv_route_starts_with_the_byte_order_mark_unless_told_not_to(register, public, client):
    """Excel reads a UTF-8 file without the mark as the local code page (the data hold curly quotes
    and dashes), so every route that serves a CSV starts with it; `?bom=0` leaves it out. The
    admin's export is checked with the API's file in test_api_admin_action_and_command_give_the_same_file."""
    from commitments.releases import make_release

    routes = every_csv_route(make_release("For its diff").number)
    csv_routes = [
        pattern
        for pattern in _url_patterns()
        if "csv" in pattern and "data-package" not in pattern  # the package's CSVs are in its zip
    ]
    assert len(csv_routes) == len(routes) - 1  # ?format=csv is the pledge list's own route
    for url in routes:
        with_mark = streamed(client.get(url))
        assert with_mark.startswith(b"\xef\xbb\xbf") and not with_mark.startswith(b"\xef\xbb\xbf\xef\xbb\xbf"), url
        joiner = "&" if "?" in url else "?"
        without = streamed(client.get(f"{url}{joiner}bom=0"))
        assert with_mark == b"\xef\xbb\xbf" + without, url


def _url_patterns() -> list[str]:
    """Every route of the project, as its pattern."""
    from django.urls import get_resolver

    def walk(resolver, prefix=""):
        for entry in resolver.url_patterns:
            pattern = prefix + str(entry.pattern)
            if hasattr(entry, "url_patterns"):
                yield from walk(entry, pattern)
            else:
                yield pattern

    return list(walk(get_resolver()))


def test_bom_by_default_and_when_asked_none_with_0(register, public, client):
    assert not export_text().startswith("\ufeff")  # the command's default: a file for a pipeline
    assert export_text(bom=True).startswith("\ufeff" + "slug,")
    assert streamed(client.get("/api/pledges/export.csv?bom=1")).startswith(b"\xef\xbb\xbfslug,")
    assert streamed(client.get("/api/pledges/export.csv")).startswith(b"\xef\xbb\xbfslug,")
    assert streamed(client.get("/api/pledges/export.csv?bom=0")).startswith(b"slug,")
    # A value it cannot read is an error, as for the filters, not a guess either way.
    for url in (
        "/api/pledges/export.csv?bom=maybe",
        "/api/reports/summary.csv?bom=yes",
        "/api/pledges/?format=csv&bom=2",
    ):
        refused = client.get(url)
        assert (refused.status_code, list(refused.json())) == (400, ["bom"]), url


# --- formula injection ----------------------------------------------------------------------


@pytest.mark.parametrize("text", FORMULA_CORPUS)
def test_formula_safe_neutralises_and_unescape_restores(text):
    safe = exports.formula_safe(text)
    assert safe.startswith("'") and not safe[1:2] == ""
    assert exports.unescape(safe) == text


@pytest.mark.parametrize("text", ["plain", "15,000 troops", "", "a=b", "Coalition -- UK"])
def test_harmless_text_is_left_alone(text):
    assert exports.formula_safe(text) == text


def test_no_exported_text_cell_can_start_a_formula_and_numbers_stay_numbers(register):
    rows = parse(export_text())
    text_columns = [c.name for c in exports.PLEDGE_COLUMNS if c.type in exports.TEXT_TYPES]
    for row in rows:
        for name in text_columns:
            assert not row[name].startswith(exports.FORMULA_TRIGGERS), (row["slug"], name, row[name])
    by_slug = {r["slug"]: r for r in rows}
    for index, text in enumerate(FORMULA_CORPUS):
        row = by_slug[f"formula-{index}"]
        assert row["title"] == "'" + text
        assert row["quantity_text"] == "'" + text
        # Only a cell's first character matters: the description starts harmlessly.
        assert row["description"] == f"line one\r\nline two, {text}"
    # Numeric columns are never prefixed, so a spreadsheet still sums them.
    assert by_slug["fr-aid"]["amount"] == "2000000000.00"


# --- pandas -----------------------------------------------------------------------------------


def test_pandas_reads_the_export_with_the_documented_dtypes(register):
    pd = pytest.importorskip("pandas")
    frame = pd.read_csv(io.StringIO(export_text()), **exports.pandas_read_csv_kwargs())
    assert list(frame.columns) == [c.name for c in exports.PLEDGE_COLUMNS]
    assert len(frame) == Pledge.objects.count()
    for column in exports.PLEDGE_COLUMNS:
        dtype = frame[column.name].dtype
        if column.type == "integer":
            assert str(dtype) == "Int64", column.name
        elif column.type == "decimal":
            assert str(dtype) == "float64", column.name
        elif column.type in ("date", "datetime"):
            assert pd.api.types.is_datetime64_any_dtype(dtype), column.name
        else:
            assert pd.api.types.is_string_dtype(dtype), column.name
    frame = frame.set_index("slug")
    assert frame.loc["fr-gb-bulk", "troops_max"] == 10000
    assert pd.isna(frame.loc["cow-reassurance", "troops_min"])
    assert frame.loc["fr-aid", "amount_eur"] == 2_000_000_000.0
    assert frame.loc["na-aid", "pledger_codes"] == "NA"  # Namibia, not a missing value
    assert frame.loc["fr-share", "summit"] == "paris-2026"
    assert frame.loc["us-aid", "value_date"] == pd.Timestamp("2026-01-05")
    assert frame["troops_min"].sum() == 7000


# --- three ways, the same file ----------------------------------------------------------------


def test_api_admin_action_and_command_give_the_same_file(register, public, client, tmp_path, settings):
    from django.contrib import admin
    from django.test import RequestFactory

    from commitments.admin.exports import export_pledges_action

    api = streamed(client.get("/api/pledges/export.csv"))
    assert api.startswith(b"\xef\xbb\xbf")

    target = tmp_path / "pledges.csv"
    call_command("export_pledges", "-o", str(target), "--bom")
    command = target.read_bytes()

    request = RequestFactory().get("/admin/")
    request.user = get_user_model().objects.create_superuser("root", "root@example.org", "pw")
    action = export_pledges_action(admin.site._registry[Pledge], request, Pledge.objects.all())
    from_admin = streamed(action)

    assert api == command == from_admin
    assert sorted(row["slug"] for row in parse(api.decode())) == sorted(Pledge.objects.values_list("slug", flat=True))


def test_command_filters_are_the_apis(register, public, client):
    out = io.StringIO()
    # Both of the joint pledge's pledgers asked for: it is listed once.
    call_command(
        "export_pledges",
        *("--state", "FR", "--state", "GB", "--summit", "paris-2026", "--category", "troops", "--top-level", "true"),
        stdout=out,
    )
    assert [r["slug"] for r in parse(out.getvalue())] == ["fr-gb-bulk"]
    query = "state=FR&state=GB&summit=paris-2026&category=troops&top_level=true"
    api = streamed(client.get(f"/api/pledges/export.csv?{query}")).decode()
    assert api == "\ufeff" + out.getvalue()  # the route's byte-order mark; the command's only with --bom
    out = io.StringIO()
    call_command("export_pledges", "--state", "US", "--summit", "paris-2026", stdout=out)
    assert parse(out.getvalue()) == []  # no American pledge at the Paris summit


def test_command_rejects_a_bad_filter_naming_it(register):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--status: Select a valid choice"):
        call_command("export_pledges", "--status", "bogus", stdout=io.StringIO())


def test_command_writes_xlsx_and_other_tables(register, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    call_command("export_pledges", "--format", "xlsx", "-o", str(tmp_path / "p.xlsx"))
    assert openpyxl.load_workbook(tmp_path / "p.xlsx").sheetnames == ["pledges", "columns"]
    for table, columns in (
        ("summits", exports.SUMMIT_COLUMNS),
        ("declarations", exports.DECLARATION_COLUMNS),
        ("states", exports.STATE_COLUMNS),
    ):
        out = io.StringIO()
        call_command(f"export_{table}", "--bom", stdout=out)
        assert out.getvalue().startswith("\ufeff" + ",".join(c.name for c in columns) + "\r\n")


# --- API views ----------------------------------------------------------------------------------


def test_api_honours_filters_and_rejects_bad_ones(register, public, client):
    rows = parse(streamed(client.get("/api/pledges/export.csv?summit=london-2025")).decode())
    assert sorted(r["slug"] for r in rows) == ["cow-reassurance", "fr-aid"]
    rows = parse(streamed(client.get("/api/pledges/export.csv?top_level=true&category=troops")).decode())
    assert sorted(r["slug"] for r in rows) == ["cow-reassurance", "fr-gb-bulk"]
    bad = client.get("/api/pledges/export.csv?status=bogus&value_date_after=yesterday")
    assert bad.status_code == 400
    assert set(bad.json()) == {"status", "value_date_after"}


def test_anonymous_needs_public_read(register, client, settings):
    settings.PUBLIC_READ = False
    for url in (
        "/api/pledges/export.csv",
        "/api/pledges/export.xlsx",
        "/api/summits/export.csv",
        "/api/declarations/export.csv",
        "/api/states/export.csv",
        "/api/reports/summary.csv",
        "/api/reports/summary.json",
    ):
        response = client.get(url)
        assert response.status_code == 401, url
        assert "Authentication" in response.json()["detail"]
    user = get_user_model().objects.create_user("reader", password="pw")
    client.force_login(user)
    assert client.get("/api/pledges/export.csv").status_code == 200
    settings.PUBLIC_READ = True
    client.logout()
    assert client.get("/api/reports/summary.json").status_code == 200


def test_api_tokens_work_as_on_the_drf_endpoints(register, client, settings):
    """The exports are DRF views with the API's authentication: a script's API token reads them where
    an anonymous reader may not; a wrong key is refused with the token challenge."""
    settings.PUBLIC_READ = False
    _, key = ApiToken.issue(make.user(role="Viewer", staff=False), name="script", can_write=False)
    response = client.get("/api/pledges/export.csv", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    assert streamed(response).decode() == export_text(bom=True)
    wrong = key[:-1] + ("x" if key[-1] != "x" else "y")
    for url in ("/api/pledges/export.csv", "/api/pledges/export.xlsx", "/api/reports/summary.csv"):
        assert client.get(url, HTTP_AUTHORIZATION=f"Token {key}").status_code == 200, url
        refused = client.get(url, HTTP_AUTHORIZATION=f"Token {wrong}")
        assert (refused.status_code, refused.json()["detail"]) == (401, "Invalid token."), url
        assert refused["WWW-Authenticate"] == 'Token realm="api"'


def test_export_only_answers_get(register, public, client):
    assert client.post("/api/pledges/export.csv").status_code == 405


def test_other_tables_as_csv(register, public, client):
    summits = parse(streamed(client.get("/api/summits/export.csv")).decode())
    paris = next(r for r in summits if r["slug"] == "paris-2026")
    assert (paris["host_codes"], paris["pledges"], paris["date"]) == ("FR", "2", "2026-01-06")
    assert (paris["chair_codes"], paris["organiser_codes"]) == ("GB", "FR;GB")
    # Added at the end, each in turn: the chairs and organisers, then the Ukrainian versions (issue 16).
    assert list(summits[0])[-4:] == ["chair_codes", "organiser_codes", "title_uk", "summary_uk"]
    declarations = parse(streamed(client.get("/api/declarations/export.csv?summit=paris-2026")).decode())
    assert [(d["slug"], d["pledges"]) for d in declarations] == [("paris-declaration", "1")]
    states = {r["code"]: r for r in parse(streamed(client.get("/api/states/export.csv")).decode())}
    # A joint pledge counts for each of its pledgers here; the share counts for France.
    assert (states["FR"]["pledges"], states["GB"]["pledges"], states["NA"]["name"]) == ("3", "10", "Namibia")


def test_xlsx_has_typed_cells_no_formulas_and_a_column_sheet(register, public, client):
    openpyxl = pytest.importorskip("openpyxl")
    response = client.get("/api/pledges/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(streamed(response)))
    assert book.sheetnames == ["pledges", "columns"]
    sheet = book["pledges"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [c.name for c in exports.PLEDGE_COLUMNS]
    header = rows[0]
    by_slug = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert by_slug["fr-gb-bulk"]["troops_max"] == 10000
    assert Decimal(str(by_slug["us-aid"]["amount_eur"])) == Decimal("912.8")
    assert by_slug["us-aid"]["value_date"].year == 2026
    for cells in sheet.iter_rows(min_row=2):
        for c in cells:
            assert c.data_type != "f", (c.coordinate, c.value)
    assert by_slug["formula-0"]["title"] == "'=1+1"
    documented = list(book["columns"].iter_rows(values_only=True))
    assert documented[0] == ("column", "type", "meaning", "allowed values")
    assert [r[0] for r in documented[1:]] == [c.name for c in exports.PLEDGE_COLUMNS]


def test_xlsx_opens_as_people_read_it(register, public, client):
    """Widths by type, a bold frozen header, an autofilter over every row, numbers with thousands
    separators and dates shown as dates, on every table's workbook."""
    openpyxl = pytest.importorskip("openpyxl")
    from openpyxl.utils import get_column_letter

    for table in exports.TABLES:
        book = openpyxl.load_workbook(io.BytesIO(streamed(client.get(f"/api/{table}/export.xlsx"))))
        sheet, columns = book[table], exports.TABLES[table].columns
        assert sheet.freeze_panes == "A2", table
        assert sheet.auto_filter.ref == f"A1:{get_column_letter(len(columns))}{sheet.max_row}", table
        assert all(cell.font.b for cell in sheet[1]), table
        for index, column in enumerate(columns, start=1):
            letter = get_column_letter(index)
            assert sheet.column_dimensions[letter].width >= len(column.name) + 3, (table, column.name)
            if column.type == "text":
                assert sheet.column_dimensions[letter].width >= 40, (table, column.name)
            for cell in sheet[letter][1:]:
                if cell.value is not None and column.type in exports.XLSX_FORMATS:
                    assert cell.number_format == exports.XLSX_FORMATS[column.type], (table, column.name)
    pledges = openpyxl.load_workbook(io.BytesIO(streamed(client.get("/api/pledges/export.xlsx"))))["pledges"]
    names = [cell.value for cell in pledges[1]]
    troops = pledges.cell(row=2, column=names.index("troops_max") + 1)
    assert troops.number_format == "#,##0"


# --- streaming and query counts -----------------------------------------------------------------


def test_response_starts_before_the_query_is_exhausted(register, public, client, monkeypatch):
    """With two pledges per chunk and a flush per row, the response is made after one chunk is
    read (the header with the first row, so a failing query is an error status, not a 200 cut
    short): the remaining chunks' prefetch queries run only as the client reads on."""
    monkeypatch.setattr(exports.files, "CHUNK_SIZE", 2)
    monkeypatch.setattr(exports.files, "FLUSH_BYTES", 1)
    monkeypatch.setattr(exports.pg_copy, "usable", lambda queryset: False)  # the chunked Python writer
    total = Pledge.objects.count()
    with CaptureQueriesContext(connection) as first:
        response = client.get("/api/pledges/export.csv")
    assert response.streaming
    # the row count (X-Row-Count), the pledge query, then the pledgers and citations of the first chunk only
    assert len(first) == 4, [q["sql"][:90] for q in first.captured_queries]
    assert response["X-Row-Count"] == str(total)
    chunks = iter(response.streaming_content)
    with CaptureQueriesContext(connection) as head:
        header_and_first = next(chunks)
    assert len(head) == 0  # made before the response started
    assert header_and_first.startswith(b"\xef\xbb\xbfslug,")
    assert header_and_first.split(b"\r\n")[1].startswith(b"fr-gb-bulk,")
    with CaptureQueriesContext(connection) as rest:
        remaining = list(chunks)
    assert len(remaining) == total - 1
    chunk_count = -(-total // 2)
    assert len(rest) == 2 * (chunk_count - 1)


@pytest.mark.parametrize("extra", [0, 25])
def test_query_count_does_not_grow_with_rows(register, extra):
    """One pledge or many: the pledge query plus one prefetch each for pledgers and citations
    (with select_related sources)."""
    for index in range(extra):
        pledge = Pledge.objects.create(slug=f"extra-{index}", title="x", category="troops")
        pledge.pledgers.set([register["states"]["FR"]])
    slugs = ["fr-gb-bulk"] + [f"extra-{i}" for i in range(extra)]
    with CaptureQueriesContext(connection) as queries:
        text = export_text(Pledge.objects.filter(slug__in=slugs))
    assert len(parse(text)) == 1 + extra
    # SELECT pledges (with part_of, summit, declaration joined); SELECT pledgers; SELECT citations + sources;
    # on PostgreSQL one COPY of the whole file (exports/pg_copy.py).
    expected = 1 if connection.vendor == "postgresql" else 3
    assert len(queries) == expected, [q["sql"][:90] for q in queries.captured_queries]
    # The same from a queryset that already prefetches (as the admin's does): nothing loaded twice.
    with CaptureQueriesContext(connection) as queries:
        again = export_text(Pledge.objects.with_related().filter(slug__in=slugs))
    assert again == text
    assert len(queries) == expected


@pytest.mark.usefixtures("public")
def test_api_list_with_format_csv_streams_the_same_file(register, client):
    """?format=csv on the API's pledge list gives the export of every matching pledge, unpaginated."""
    response = client.get("/api/pledges/?format=csv&category=funding&bom=1")
    assert response.status_code == 200 and response.streaming
    expected = "".join(exports.pledge_csv_chunks(Pledge.objects.filter(category="funding"), bom=True))
    assert streamed(response).decode() == expected
    page = client.get("/api/pledges/?format=json&category=funding").json()
    assert sorted(p["slug"] for p in page["results"]) == sorted(r["slug"] for r in parse(expected.lstrip("\ufeff")))
    bad = client.get("/api/pledges/?format=csv&category=tanks")
    assert bad.status_code == 400 and "category" in bad.json()


@pytest.mark.parametrize(
    "url",
    [
        "/api/pledges/export.csv",
        "/api/pledges/export.csv?state=FR&bom=1",
        "/api/pledges/?format=csv&category=troops",
        "/api/pledges/export.csv?top_level=true&ordering=-amount_eur",
        "/api/summits/export.csv",
        "/api/statements/export.csv",
        "/api/instruments/export.csv",
    ],
)
def test_x_row_count_is_the_number_of_rows_in_the_file(register, public, client, url):
    """A client checks it against the rows it got: fewer means a cut file."""
    response = client.get(url)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(streamed(response).decode("utf-8-sig"), newline="")))
    assert int(response["X-Row-Count"]) == len(rows) - 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a second connection writing during a read: PostgreSQL")
def test_what_is_written_while_the_file_streams_is_in_neither_the_count_nor_the_file(client, settings, monkeypatch):
    """The count and every query of the file run in one REPEATABLE READ transaction: a pledge or a
    pledger committed by another connection after the response started is in none of them, so
    the header always matches the file and each row is as it stood at one moment."""
    import threading

    monkeypatch.setattr(exports.files, "CHUNK_SIZE", 2)
    monkeypatch.setattr(exports.files, "FLUSH_BYTES", 1)
    settings.PUBLIC_READ = True
    france = make.state("FR")
    Pledge.objects.bulk_create(Pledge(slug=f"snap-{i}", title=f"P{i}", category="funding") for i in range(5))
    response = client.get("/api/pledges/export.csv")  # by id
    chunks = iter(response.streaming_content)
    first = next(chunks)  # the first chunk of pledges is read; the last one (snap-4) is not

    def write_elsewhere():
        Pledge.objects.create(slug="snap-late", title="Late", category="funding")
        Pledge.objects.get(slug="snap-4").pledgers.add(france)
        connection.close()  # this thread's own connection

    writer = threading.Thread(target=write_elsewhere)
    writer.start()
    writer.join()
    rows = parse((first + b"".join(chunks)).decode())
    assert response["X-Row-Count"] == "5"
    assert [r["slug"] for r in rows] == [f"snap-{i}" for i in range(5)]
    assert rows[-1]["pledger_codes"] == ""
    assert list(Pledge.objects.get(slug="snap-4").pledgers.all()) == [france]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is the PostgreSQL path")
@pytest.mark.parametrize("bom", [False, True])
def test_the_database_written_csv_is_byte_for_byte_the_python_one(register, bom):
    """On PostgreSQL the rows are written by COPY (exports/pg_copy.py); they must be the bytes the
    Python writer makes: formula escaping, quoting of commas, quotes and line breaks, blanks,
    dates, UTC times, decimals, joint pledgers, first citations, shares and instruments."""
    assert exports.pg_copy.TRIGGER_CODES == tuple(map(ord, (*exports.files.FORMULA_TRIGGERS, exports.files.ESCAPE)))
    make.pledge("no-pledger-cited-twice", pledgers=(), citations=2, description="", quantity_text="")
    make.pledge("quoted", title='He said "yes", then\nleft', troops_min=0, description=" lead space")
    for queryset in (Pledge.objects.all(), Pledge.objects.filter(category="funding").order_by("-amount_eur", "slug")):
        python = "".join(exports.pledge_csv_chunks(queryset, bom=bom, copy=False))
        copied = "".join(exports.pledge_csv_chunks(queryset, bom=bom, copy=True))
        assert copied == python
        assert len(parse(copied.removeprefix("\ufeff"))) == queryset.count()
