"""The public pages of sources and data: the sources list with the API's filters and how many facts
cite each, a source's page with every fact it supports, sources shown by title, publisher and
date (never by file name), the Data page with every download's measured size, the favicon, and
a fixed number of queries whatever the number of sources, facts or rows."""

import datetime
import re

import pytest
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.urls import reverse

from commitments.choices import (
    AttendanceStatus,
    CountedThing,
    CountQualifier,
    DatePrecision,
    InstrumentStatus,
    PartyRole,
    SourceKind,
)
from commitments.exports import TABLES
from commitments.models import (
    Attendance,
    AttendanceReport,
    Citation,
    DeclarationComponent,
    DeclarationParty,
    Pledge,
    Source,
    State,
)
from commitments.views.sources import FACTS, GROUPS

from . import builders as make
from .builders import DAY
from .test_pages import count_queries, get, text


@pytest.fixture(autouse=True)
def fresh_cache():
    """The Data page caches its measured sizes; each test starts without them."""
    cache.clear()
    yield
    cache.clear()


def every_kind_of_fact(world, source) -> dict:
    """One fact of every sourced model resting on `source`, each with a quote naming it."""
    made = make.world_architecture(world)
    pledge = make.reported_pledge(world, "Air policing", citations=0)
    Citation.objects.create(pledge=pledge, source=source, quote="pledge quote", field="category")
    Citation.objects.create(summit=world["summit"], source=source, quote="summit quote")
    Citation.objects.create(declaration=world["declaration"], source=source, quote="declaration quote")
    Citation.objects.create(instrument=made["force"], source=source, quote="instrument quote")
    Citation.objects.create(force_requirement=world["requirement"], source=source, quote="requirement quote")
    make.move(pledge, "agreed", DAY, source=source, note="Agreed.", quote="status quote")
    Attendance.objects.create(
        summit=world["summit"],
        state=world["states"]["GB"],
        status=AttendanceStatus.ABSENT,
        source=source,
        quote="attendance quote",
    )
    AttendanceReport.objects.create(
        summit=world["summit"],
        counted=CountedThing.COUNTRIES,
        qualifier=CountQualifier.MORE_THAN,
        value=30,
        source=source,
        quote="head count quote",
    )
    DeclarationParty.objects.create(
        declaration=world["declaration"],
        state=world["states"]["GB"],
        role=PartyRole.ENDORSER,
        source=source,
        quote="party quote",
    )
    DeclarationComponent.objects.create(
        declaration=world["declaration"], number=1, text="A force", source=source, quote="component quote"
    )
    make.instrument_party(made["force"], "US", source=source, quote="instrument party quote")
    make.move(
        made["force"], InstrumentStatus.ESTABLISHED, DAY, source=source, note="Set up.", quote="instrument status quote"
    )
    make.post("gb-minister", party="GB", title="Foreign Secretary", source=source, quote="post quote")
    make.statement("gb-says", state=world["states"]["GB"], source=source, quote="statement quote")
    return made


# ---------------------------------------------------------------------------------------------
# The list


def test_sources_list_shows_title_publisher_date_to_its_precision_kind_and_facts(client, world, public):
    monthly = make.source(
        "monthly",
        title="Allies weigh a force",
        publisher="Example Wire",
        published_on=datetime.date(2025, 3, 1),
        published_precision=DatePrecision.MONTH,
        kind=SourceKind.PRIMARY,
    )
    pledge = make.reported_pledge(world, "Air policing", citations=0)
    Citation.objects.create(pledge=pledge, source=monthly, quote="one")
    Citation.objects.create(summit=world["summit"], source=monthly, quote="two")
    make.move(pledge, "agreed", DAY, source=monthly, note="Agreed.")
    page = text(get(client, reverse("pages:source-list")))
    assert "Allies weigh a force Example Wire March 2025 Primary 3" in page
    assert "1 March 2025" not in page  # no day the source does not give
    # The world's second source rests on a seed report: shown by title and publisher, not its file.
    assert "Coalition summit Radio Liberty not known Secondary 0" in page
    assert "b.txt" not in page and "seed" not in page.lower()
    assert "Any kind" in page and "---" not in page
    # Newest first, the undated last (by title).
    assert page.index("Allies weigh a force") < page.index("Coalition summit") < page.index("Leaders meet in Paris")


@pytest.mark.parametrize(
    "query, shown, hidden",
    [
        ("kind=primary", "Allies weigh a force", "Leaders meet in Paris"),
        ("q=liberty", "Coalition summit", "Allies weigh a force"),
        ("published_after=2025-02-01&published_before=2025-03-31", "Allies weigh a force", "Coalition summit"),
    ],
)
def test_sources_list_uses_the_api_filters(client, world, public, query, shown, hidden):
    make.source(
        "monthly",
        title="Allies weigh a force",
        published_on=datetime.date(2025, 3, 1),
        published_precision=DatePrecision.MONTH,
        kind=SourceKind.PRIMARY,
    )
    page = text(get(client, f"{reverse('pages:source-list')}?{query}"))
    assert shown in page and hidden not in page
    assert "1 source matches" in page


@pytest.mark.parametrize(
    "query, message",
    [
        ("kind=tertiary", "Select a valid choice. tertiary is not one of the available choices."),
        ("published_after=27/03/2025x", "Enter a valid date."),
        ("page=two", "The page number must be a whole number."),
        ("q=a%00b", "Null characters are not allowed."),
        ("published_before=99999-01-01", "Enter a valid date."),
    ],
)
def test_sources_list_answers_input_it_cannot_understand_with_a_400_and_why(client, world, public, query, message):
    page = text(get(client, f"{reverse('pages:source-list')}?{query}", status=400))
    assert message in page
    assert "Leaders meet in Paris" not in page  # never an unfiltered list


def test_a_page_of_sources_past_the_last_is_not_found(client, world, public):
    get(client, f"{reverse('pages:source-list')}?page=9", status=404)


def test_sources_list_runs_the_same_queries_with_one_or_many_sources_and_facts(client, world, public):
    make.one_of_each(world)
    one = count_queries(client, reverse("pages:source-list"))
    every_kind_of_fact(world, make.source())
    for _ in range(5):
        Citation.objects.create(summit=world["summit"], source=make.source(), quote="more")
        make.one_of_each(world)
    assert Source.objects.count() > 6
    many = count_queries(client, reverse("pages:source-list"))
    # 1 count, 2 the page of sources with their number of facts (a subquery per sourced model).
    assert one == many == 2


# ---------------------------------------------------------------------------------------------
# A source's page


def test_the_source_page_lists_every_model_with_a_source():
    sourced = {rel.related_model for rel in Source._meta.related_objects if rel.field.name == "source"}
    assert {facts.model for facts in FACTS} == sourced


def test_a_source_page_shows_every_fact_it_supports_grouped_with_its_quote_and_link(client, world, public):
    source = make.source(
        "full",
        title="The whole story",
        publisher="Example Wire",
        published_on=datetime.date(2025, 3, 1),
        published_precision=DatePrecision.MONTH,
        date_basis="the report says 'earlier this month'",
    )
    made = every_kind_of_fact(world, source)
    response = get(client, reverse("pages:source", args=["full"]))
    page = text(response)
    markup = response.content.decode()
    assert "The whole story" in page and "Example Wire" in page
    assert "March 2025 (the report says 'earlier this month')" in page and "1 March 2025" not in page
    assert f'href="{reverse("api:source-detail", args=["full"])}"' in markup
    for heading in GROUPS.values():
        assert heading in page
    assert "14 facts of the register cite it" in page
    for quote in (
        "pledge quote",
        "summit quote",
        "declaration quote",
        "instrument quote",
        "requirement quote",
        "status quote",
        "attendance quote",
        "head count quote",
        "party quote",
        "component quote",
        "instrument party quote",
        "instrument status quote",
        "post quote",
        "statement quote",
    ):
        assert quote in page, quote
    pledge = Pledge.objects.get(title="Air policing")
    for url in (
        reverse("pages:pledge", args=[pledge.pk]),
        reverse("pages:summit", args=[world["summit"].pk]),
        reverse("pages:declaration", args=[world["declaration"].pk]),
        reverse("pages:instrument", args=[made["force"].slug]),
        reverse("pages:state", args=["GB"]),  # the post and the statement of a party, no person named
    ):
        assert f'href="{url}"' in markup, url
    assert "Supports its category" in page
    assert "United Kingdom: absent" in page
    assert "Head count: More than 30" in page
    assert "Component 1: A force" in page
    assert "Status Announced → Agreed" in page


def test_a_source_nothing_cites_says_so_and_an_unknown_one_is_not_found(client, world, public):
    page = text(get(client, reverse("pages:source", args=["report-b"])))
    assert "No fact of the register cites this source." in page
    get(client, reverse("pages:source", args=["no-such-source"]), status=404)


def test_a_source_page_runs_the_same_queries_with_one_or_many_facts(client, world, public):
    source = make.source("full")
    every_kind_of_fact(world, source)
    url = reverse("pages:source", args=["full"])
    one = count_queries(client, url)
    for n in range(3):
        pledge = make.reported_pledge(world, f"More {n}", citations=0)
        Citation.objects.create(pledge=pledge, source=source, quote="more")
        Citation.objects.create(instrument=make.instrument(), source=source, quote="more")
        make.move(pledge, "agreed", DAY, source=source, note="Agreed.")
        make.post(party="FR", source=source)
        make.statement(source=source)
    assert count_queries(client, url) == one == 1 + len(FACTS)  # the source, then one query per sourced model


def test_sources_are_named_by_title_and_linked_to_their_page_never_by_file_name(client, world, public):
    pledges = make.one_of_each(world)
    make.world_architecture(world)
    make.move(pledges["joint"], "in_implementation", DAY, source=world["other_source"], note="Began.")
    Citation.objects.create(summit=world["summit"], source=world["other_source"], quote="seen")
    source_page = reverse("pages:source", args=["report-b"])
    for url in (
        reverse("pages:pledge", args=[pledges["joint"].pk]),
        reverse("pages:summit", args=[world["summit"].pk]),
        reverse("pages:source-list"),
        source_page,
    ):
        markup = get(client, url).content.decode()
        assert "b.txt" not in markup, url
        assert "Coalition summit" in markup, url
    summit = get(client, reverse("pages:summit", args=[world["summit"].pk])).content.decode()
    assert f'href="{source_page}"' in summit


# ---------------------------------------------------------------------------------------------
# The Data page


def sizes_shown(markup: str) -> dict[str, int]:
    """{download address: the bytes the page says it has}."""
    pattern = r'<a href="([^"]+)" download>[^<]+</a> <span class="size" title="(\d+) bytes">'
    return {url: int(size) for url, size in re.findall(pattern, markup)}


def served_bytes(client, url) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def test_the_data_page_links_every_download_with_its_measured_size_and_the_last_change(client, world, public):
    make.one_of_each(world)
    make.world_architecture(world)
    response = get(client, reverse("pages:data"))
    markup = response.content.decode()
    shown = sizes_shown(markup)
    expected = (
        {reverse(f"api:export-{table}-{ext}") for table in TABLES for ext in ("csv", "xlsx")}
        | {reverse(f"api:report-summary-{ext}") for ext in ("csv", "xlsx", "json")}
        | {reverse("api:data-package-zip"), reverse("api:data-package-xlsx")}
    )
    assert set(shown) == expected
    for url, size in shown.items():
        body = served_bytes(client, url)
        if url.endswith((".csv", ".json")):
            assert size == len(body), url  # the very file served
        else:  # a workbook or package records when it was written, so its compressed size may move by a few bytes
            assert abs(size - len(body)) <= 64, url
    for name in ("api:root", "api:schema", "api:docs", "api:change-list"):
        assert f'href="{reverse(name)}"' in markup
    latest = Pledge.objects.latest("updated_at").updated_at
    assert f'datetime="{latest.isoformat()}"' in markup or latest.strftime("%-d %B %Y") in text(response)
    page = text(response)
    assert "CC BY 4.0" in page and "short quotation" in page


def test_the_data_page_measures_again_once_the_data_changes(client, world, public):
    make.one_of_each(world)
    url = reverse("api:export-pledges-csv")
    before = sizes_shown(get(client, reverse("pages:data")).content.decode())[url]
    make.reported_pledge(world, "A pledge made after the page was first shown")
    after = sizes_shown(get(client, reverse("pages:data")).content.decode())[url]
    assert after > before
    assert after == len(served_bytes(client, url))


def test_the_data_page_measures_again_after_rows_arrive_without_an_audit_entry_or_a_new_time(client, world, public):
    make.one_of_each(world)
    url = reverse("api:export-states-csv")
    before = sizes_shown(get(client, reverse("pages:data")).content.decode())[url]
    # As a raw fixture load does: no audit entry, and times older than the last change.
    State.objects.bulk_create([State(code="PL", name="Poland")])
    after = sizes_shown(get(client, reverse("pages:data")).content.decode())[url]
    assert after == len(served_bytes(client, url)) > before


def test_the_data_page_runs_the_same_queries_with_one_or_many_records(client, world, public):
    make.one_of_each(world)
    make.world_architecture(world)  # a row in every table: an empty table skips its prefetches
    url = reverse("pages:data")
    measuring_one = count_queries(client, url)
    one = count_queries(client, url)
    for _ in range(4):
        make.one_of_each(world)
        make.source()
        force = make.instrument(parties=(("FR", "lead"), ("GB", "participant")))
        make.pledge(contributes_to=force, category="troops", troops_min=100)
        make.statement(about=(force,), speaker=make.person(), state=world["states"]["GB"])
        make.post(holder=make.person(), party="GB")
    measuring_many = count_queries(client, url)
    many = count_queries(client, url)
    # Once measured: the last change of the register (one UNION query); the sizes come from the cache.
    assert one == many == 1
    # Measuring builds every file with the exports' own fixed number of queries.
    assert measuring_one == measuring_many


def test_the_data_page_of_an_empty_register_says_nothing_is_recorded(client, db, public):
    page = text(get(client, reverse("pages:data")))
    assert "Nothing has been recorded yet." in page


# ---------------------------------------------------------------------------------------------
# Header, favicon, read rule


def test_the_header_links_sources_and_data_and_marks_the_current_page(client, world, public):
    markup = get(client, reverse("pages:data")).content.decode()
    assert f'<a href="{reverse("pages:source-list")}">Sources</a>' in markup
    assert f'<a href="{reverse("pages:data")}" aria-current="page">Data</a>' in markup


def test_favicon_ico_redirects_to_the_icon_the_pages_link(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/commitments/favicon.svg"
    assert finders.find("commitments/favicon.svg")  # the file it names exists (whitenoise serves it)


@pytest.mark.parametrize("name, args", [("source-list", []), ("source", ["report-a"]), ("data", [])])
def test_without_public_read_the_new_pages_send_anonymous_readers_to_the_login(client, world, settings, name, args):
    settings.PUBLIC_READ = False
    response = client.get(reverse(f"pages:{name}", args=args))
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
