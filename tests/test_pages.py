"""The public pages: what they count and show, who may see them, bad filter input, escaping,
and a fixed number of queries whatever the number of pledges."""

import html
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commitments.choices import (
    Category,
    Condition,
    ConditionState,
    CountedThing,
    CountQualifier,
    PartyRole,
    StateKind,
    Status,
    SummitKind,
)
from commitments.models import (
    Attendance,
    AttendanceReport,
    Citation,
    Declaration,
    DeclarationComponent,
    DeclarationParty,
    Pledge,
    State,
    Summit,
)

from . import builders as make
from .builders import DAY


def get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.content[:2000]
    return response


def text(response) -> str:
    """The page as a reader sees it: tags removed, whitespace collapsed."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


# ---------------------------------------------------------------------------------------------
# What the overview counts


def test_totals_count_a_joint_pledge_once_and_leave_shares_out(world):
    make.one_of_each(world)
    figures = Pledge.objects.totals()
    assert figures["pledges"] == 5  # the share is inside the joint pledge
    assert (figures["troops_low"], figures["troops_high"]) == (10000, 20000)  # not 15,000: the share is not added
    assert figures["troop_pledges_unquantified"] == 1  # "thousands" is counted as a pledge, never as a number
    assert figures["eur"] == Decimal("3200000000")
    assert figures["eur_pledges"] == 2
    assert figures["pending_on_ceasefire"] == 2


def test_troop_ranges_add_low_ends_and_high_ends_with_open_ends_honestly(world):
    make.reported_pledge(world, "Exactly", ("FR",), category=Category.TROOPS, troops_min=1000, troops_max=1000)
    make.reported_pledge(world, "At least", ("FR",), category=Category.TROOPS, troops_min=2000)
    make.reported_pledge(world, "Up to", ("GB",), category=Category.TROOPS, troops_max=4000)
    figures = Pledge.objects.totals()
    # An "up to" pledge adds nothing to the low end; an "at least" pledge adds its floor there and
    # leaves the high end open: no upper bound is known, so none is stated.
    assert (figures["troops_low"], figures["troops_high"], figures["troop_pledges_open_ended"]) == (3000, None, 1)


def test_by_party_rows_show_a_joint_pledge_under_each_pledger_and_say_so(world):
    make.one_of_each(world)
    rows = {row["code"]: row for row in Pledge.objects.totals_by_pledger()}
    assert rows["GB"]["troops_low"] == 10000 and rows["GB"]["troop_pledges_joint"] == 1
    # France: the joint pledge, flagged; its share of it is inside it, as in every total.
    assert (rows["FR"]["troops_low"], rows["FR"]["troops_high"]) == (10000, 20000)
    assert rows["FR"]["troop_pledges_joint"] == 1 and rows["FR"]["troop_pledges"] == 1
    # Unknown is not zero: no troop figure, no troop sum.
    assert rows["COW"]["troop_pledges"] == 0 and rows["COW"]["troop_pledges_unquantified"] == 1
    assert (rows["COW"]["troops_low"], rows["COW"]["troops_high"], rows["COW"]["eur"]) == (None, None, None)
    assert rows["GB"]["eur"] == Decimal("1200000000")


def test_count_by_status_lists_every_status_in_order(world):
    make.one_of_each(world)
    counts = Pledge.objects.count_by_status()
    assert list(counts) == list(Status.values)
    assert counts[Status.ANNOUNCED] == 3 and counts[Status.COMMITTED] == 1 and counts[Status.PROPOSED] == 1
    assert sum(counts.values()) == 5


def test_overview_shows_the_headline_figures_and_every_chart_with_its_table(client, world, public):
    make.one_of_each(world)
    response = get(client, "/")
    page = text(response)
    assert "States pledging 2 plus Coalition of the Willing as a group" in page
    assert "Troops pledged 10,000–20,000 troops against 15,000–30,000 troops required" in page
    assert "1 troop pledge without a number" in page
    assert "Euros pledged €3.2 bn in 2 pledges with a euro amount" in page
    assert "Still conditional on a ceasefire 2" in page
    markup = response.content.decode()
    charts = ("troops-total", "troops-by-state", "eur-by-state", "status", "status-over-time", "party-category")
    for chart in (*charts, "timeline"):
        assert f'aria-labelledby="chart-{chart}-title chart-{chart}-desc"' in markup
    assert markup.count("<table") == 7
    # Each cell of the party x category table leads to its pledges.
    assert re.search(r'href="/pledges/\?state=[A-Z]+&amp;category=[a-z_]+&amp;top_level=true"', markup)
    # The vague pledge is listed in words and its party drawn without a bar.
    assert "Coalition of the Willing: 1 pledge not quantified" in page
    assert "Thousands of troops — Coalition of the Willing: thousands of troops" in page
    assert "France 10,000–20,000 troops includes 1 joint pledge (shown under each pledger)" in page


def test_the_chart_of_a_party_without_a_number_draws_no_bar(client, world, public):
    make.reported_pledge(world, "Thousands of troops", ("COW",), category=Category.TROOPS, quantity_text="thousands")
    markup = get(client, "/").content.decode()
    chart = markup[
        markup.index('id="chart-troops-by-state-title"') : markup.index("</svg>", markup.index("chart-troops-by"))
    ]
    assert "1 pledge not quantified" in chart
    assert '<rect class="bar' not in chart
    assert 'class="value none"' in chart


def test_the_timeline_numbers_meetings_and_texts_by_date_and_links_them(client, world, public):
    Declaration.objects.create(slug="undated", title="Undated draft", kind="statement", status="draft")
    later = Summit.objects.create(
        slug="later", title="Later summit", kind=SummitKind.LEADERS_SUMMIT, date=DAY.replace(year=2026)
    )
    markup = get(client, "/").content.decode()
    timeline = markup[
        markup.index('<svg class="chart chart-timeline') : markup.index("</svg>", markup.index("chart-timeline"))
    ]
    assert timeline.count("<circle") == 2 and timeline.count("<rect") == 1  # the undated text cannot be placed
    assert f'href="{reverse("pages:summit", args=[later.pk])}"' in timeline
    assert "3. 1 January 2026" not in timeline  # dates are shown as given, not rounded
    assert "3. 27 March 2026: Later summit" in timeline


def test_overview_with_the_seed_data_shows_frances_two_billion(client, seeded, public):
    page = text(get(client, "/"))
    assert "Euros pledged €2.0 bn" in page
    assert "France €2.0 bn" in page
    assert "against 15,000–30,000 troops required" in page


# ---------------------------------------------------------------------------------------------
# Fixed query counts


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        get(client, url)
    return len(queries)


def test_overview_runs_the_same_thirteen_queries_with_one_or_many_pledges(client, world, public):
    make.one_of_each(world)
    make.world_architecture(world)
    one = count_queries(client, "/")
    for n in range(4):
        make.one_of_each(world)
        more = make.instrument(f"more-{n}")
        make.instrument_party(more, "GB")
        make.pledge(contributes_to=more, category=Category.TROOPS, troops_min=100)
    assert Pledge.objects.count() == 36
    many = count_queries(client, "/")
    # 1 totals, 2 count by status, 3 totals by pledger, 4 force requirements (with their
    # instruments), 5 unquantified troop pledges, 6 their pledgers, 7 summits, 8 declarations, 9
    # instruments with their number of contributions, 10 their leads, 11 the contributions'
    # figures per instrument, 12 the status history for the chart over time, 13 the pledges per
    # party and category (an anonymous reader has no session).
    assert one == many == 13


def test_pledge_list_runs_the_same_queries_with_one_or_many_pledges(client, world, public):
    make.one_of_each(world)
    one = count_queries(client, "/pledges/?state=FR&status=announced")
    for _ in range(6):
        make.one_of_each(world)
    many = count_queries(client, "/pledges/?state=FR&status=announced")
    # 1 the state code checked, 2 count, 3 page of pledges (with meeting, text, larger pledge),
    # 4 pledgers, 5 citations with sources; the filter form's choices: 6 parties, 7 meetings, 8 texts,
    # 9 instruments.
    assert one == many == 9
    assert count_queries(client, "/pledges/") == 8


@pytest.mark.parametrize("page", ["summit", "declaration", "state", "pledge"])
def test_detail_pages_run_the_same_queries_with_one_or_many_pledges(client, world, public, page):
    pledges = make.one_of_each(world)
    url = {
        "summit": reverse("pages:summit", args=[world["summit"].pk]),
        "declaration": reverse("pages:declaration", args=[world["declaration"].pk]),
        "state": reverse("pages:state", args=["FR"]),
        "pledge": reverse("pages:pledge", args=[pledges["joint"].pk]),
    }[page]
    one = count_queries(client, url)
    for _ in range(4):
        make.one_of_each(world)
    for _ in range(3):  # more citations, status changes and shares on the same pledge
        Citation.objects.create(pledge=pledges["joint"], source=world["other_source"], quote="more")
        make.reported_pledge(world, "Another share", ("GB",), category=Category.TROOPS, part_of=pledges["joint"])
    make.move(pledges["joint"], Status.IN_IMPLEMENTATION, DAY, source=world["source"], note="Began.")
    assert count_queries(client, url) == one


# ---------------------------------------------------------------------------------------------
# Pages


def test_pledge_page_shows_quantities_condition_status_timeline_and_every_citation(client, world, public):
    pledge = make.reported_pledge(
        world,
        "Aid of 1 billion pounds",
        ("GB", "FR"),
        category=Category.FUNDING,
        amount=Decimal("1000000000"),
        currency="GBP",
        value_date=DAY,
        fx_rate=Decimal("1.2"),
        amount_eur=Decimal("1200000000"),
        condition=Condition.UPON_PEACE_AGREEMENT,
        condition_text="after a peace agreement is achieved",
        condition_state=ConditionState.PENDING,
        citations=3,
    )
    make.move(pledge, Status.AGREED, DAY, source=world["other_source"], note="Endorsed in the text.")
    page = text(get(client, reverse("pages:pledge", args=[pledge.pk])))
    assert "Pledged by United Kingdom and France joint pledge, counted once" in page or (
        "Pledged by France and United Kingdom joint pledge, counted once" in page
    )
    assert (
        "Amount £1.0 bn (1,000,000,000 GBP) = 1,200,000,000 EUR at 1.2 EUR per GBP (value date 27 March 2025)" in page
    )
    # The quantity is stated once: its parts have their own lines, no summary repeats them.
    assert page.count("£1.0 bn") == 1 and "Quantity" not in page
    assert "Upon a peace agreement: “after a peace agreement is achieved” condition not yet met" in page
    assert "Not yet assessable → Announced" in page and "Announced → Agreed or endorsed" in page
    assert "Endorsed in the text." in page
    for number in range(3):
        assert f"quoted phrase {number}" in page
    assert page.count("Emmanuel Macron — Leaders meet in Paris , The Guardian") == 3
    # The status change's source, by title and publisher; never by its internal file name.
    assert "Coalition summit , Radio Liberty" in page and "b.txt" not in page


def test_pledge_page_links_a_share_and_its_larger_pledge(client, world, public):
    pledges = make.one_of_each(world)
    share_page = get(client, reverse("pages:pledge", args=[pledges["share"].pk])).content.decode()
    assert f'href="{reverse("pages:pledge", args=[pledges["joint"].pk])}"' in share_page
    joint_page = text(get(client, reverse("pages:pledge", args=[pledges["joint"].pk])))
    assert "France's share of the force — France: 5,000 troops" in joint_page


def test_summit_page_puts_each_sources_count_side_by_side(client, world, public):
    AttendanceReport.objects.create(
        summit=world["summit"], source=world["source"], counted=CountedThing.COUNTRIES, value=35, quote="35 countries"
    )
    AttendanceReport.objects.create(
        summit=world["summit"],
        source=world["other_source"],
        counted=CountedThing.COUNTRIES,
        qualifier=CountQualifier.MORE_THAN,
        value=30,
    )
    AttendanceReport.objects.create(
        summit=world["summit"], source=world["other_source"], counted=CountedThing.LEADERS, value=27
    )
    Attendance.objects.create(
        summit=world["summit"], state=world["states"]["GB"], source=world["source"], represented_by="Keir Starmer"
    )
    make.one_of_each(world)
    response = get(client, reverse("pages:summit", args=[world["summit"].pk]))
    page = text(response)
    assert "Countries Exactly 35 35 countries More than 30" in page
    assert "Leaders and representatives — Exactly 27" in page
    assert "United Kingdom Attended Keir Starmer" in page
    assert "Paris Declaration" in page and "Aid of 2 billion euros" in page


def test_summit_page_and_state_page_keep_hosts_chairs_and_organisers_apart(client, world, public):
    summit, states = world["summit"], world["states"]
    summit.hosts.set([states["FR"]])
    summit.chairs.set([states["GB"]])
    summit.organisers.set([states["FR"], states["GB"]])
    page = text(get(client, reverse("pages:summit", args=[summit.pk])))
    assert "Hosted by France Chaired by United Kingdom Organised by France , United Kingdom" in page
    britain = text(get(client, reverse("pages:state", args=["GB"])))
    assert "Chaired Paris summit" in britain and "Organised Paris summit" in britain
    assert "Hosted Paris summit" not in britain


def test_summit_page_names_no_role_no_report_gives(client, world, public):
    page = text(get(client, reverse("pages:summit", args=[world["summit"].pk])))
    assert "Hosted by" not in page and "Chaired by" not in page and "Organised by" not in page


def test_declaration_page_separates_signatories_from_endorsers(client, world, public):
    DeclarationParty.objects.create(
        declaration=world["declaration"],
        state=world["states"]["FR"],
        role=PartyRole.SIGNATORY,
        signed_on=DAY,
        source=world["source"],
    )
    DeclarationParty.objects.create(
        declaration=world["declaration"], state=world["states"]["COW"], role=PartyRole.ENDORSER, source=world["source"]
    )
    DeclarationComponent.objects.create(
        declaration=world["declaration"], number=2, text="Reassurance force", source=world["source"]
    )
    page = text(get(client, reverse("pages:declaration", args=[world["declaration"].pk])))
    signatories = page[page.index("Signatories") : page.index("Endorsers")]
    endorsers = page[page.index("Endorsers") : page.index("Components")]
    assert "France , signed 27 March 2025" in signatories and "Coalition" not in signatories
    assert "Coalition of the Willing" in endorsers and "France" not in endorsers
    assert "Reassurance force" in page


def test_state_page_lists_its_pledges_with_its_figures(client, world, public):
    make.one_of_each(world)
    page = text(get(client, reverse("pages:state", args=["GB"])))
    assert "Pledges, alone or jointly 2" in page
    assert "Troops 10,000–20,000 troops" in page
    assert "Euros €1.2 bn" in page
    assert "Aid of 1 billion pounds" in page and "Aid of 2 billion euros" not in page


def test_state_codes_are_upper_case_and_unknown_ones_are_not_found(client, world, public):
    response = client.get("/states/gb/")
    assert response.status_code == 301 and response["Location"] == "/states/GB/"
    assert client.get("/states/XX/").status_code == 404
    assert client.get("/pledges/999999/").status_code == 404


def test_index_pages_list_meetings_texts_and_parties(client, world, public):
    make.one_of_each(world)
    assert "Paris summit" in text(get(client, "/summits/"))
    assert "Paris Declaration" in text(get(client, "/declarations/"))
    assert "France Sovereign state 2 10,000–20,000 troops €2.0 bn" in text(get(client, "/states/"))


# ---------------------------------------------------------------------------------------------
# The pledge list: filters, errors, pagination


def test_pledge_list_uses_the_api_filters(client, world, public):
    make.one_of_each(world)
    page = text(get(client, "/pledges/?state=GB"))
    assert "2 pledges match" in page
    assert "Aid of 1 billion pounds" in page and "Aid of 2 billion euros" not in page
    page = text(get(client, "/pledges/?condition=upon_ceasefire&condition_state=pending&top_level=true"))
    assert "2 pledges match" in page
    page = text(get(client, "/pledges/?q=thousands"))
    assert "1 pledge matches" in page and "Thousands of troops" in page


@pytest.mark.parametrize(
    "query, message",
    [
        ("status=bogus", "Select a valid choice. bogus is not one of the available choices."),
        ("state=XX", "Select a valid choice. XX is not one of the available choices."),
        ("value_date_after=27/03/2025x", "Enter a valid date."),
        ("ordering=password", "Select a valid choice. password is not one of the available choices."),
    ],
)
def test_filter_input_that_cannot_be_understood_is_a_400_with_the_reason(client, world, public, query, message):
    make.one_of_each(world)
    response = get(client, f"/pledges/?{query}", status=400)
    page = text(response)
    assert "These filters cannot be applied" in page
    assert message in page
    assert "Aid of 2 billion euros" not in page  # never an unfiltered list


def test_pages_of_pledges_keep_the_filters_and_reject_bad_page_numbers(client, world, public):
    for _ in range(6):
        make.one_of_each(world)  # 36 pledges, 12 of them by GB
    first = get(client, "/pledges/?category=funding")
    assert "12 pledges match" in text(first)
    assert len(re.findall(r'<tr>\s*<th scope="row">', first.content.decode())) == 12
    everything = get(client, "/pledges/")
    assert "Page 1 of 2" in text(everything)
    assert 'href="?page=2"' in everything.content.decode()
    filtered = get(client, "/pledges/?open=true&page=1")
    assert 'href="?open=true&amp;page=2"' in filtered.content.decode()
    assert "Page 2 of 2" in text(get(client, "/pledges/?page=2"))
    assert client.get("/pledges/?page=3").status_code == 404
    assert "The page number must be a whole number." in text(get(client, "/pledges/?page=two", status=400))


# ---------------------------------------------------------------------------------------------
# Who may read, and the analyst's link to the admin


ALL_PAGES = ["/", "/pledges/", "/summits/", "/declarations/", "/states/", "/states/FR/"]


@pytest.mark.parametrize("url", ALL_PAGES)
def test_without_public_read_anonymous_readers_are_sent_to_the_admin_login(client, world, settings, url):
    settings.PUBLIC_READ = False
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={url}"


def test_without_public_read_signed_in_accounts_read_and_inactive_ones_do_not(client, world, settings):
    """The register's one read rule (commitments.access), as for the API and the exports."""
    settings.PUBLIC_READ = False
    pledge = make.reported_pledge(world, "A pledge", ("FR",), category=Category.DIPLOMATIC)
    inactive = make.user("gone", staff=False)
    inactive.is_active = False
    inactive.save()
    client.force_login(inactive)
    assert client.get("/").status_code == 302
    for account in (make.user("reader", staff=False), make.user("analyst")):
        client.force_login(account)
        for url in [*ALL_PAGES, reverse("pages:pledge", args=[pledge.pk])]:
            assert client.get(url).status_code == 200, url


def test_public_read_lets_anyone_read(client, world, public):
    for url in ALL_PAGES:
        assert client.get(url).status_code == 200, url


def test_an_analyst_who_may_edit_sees_an_edit_in_admin_link(client, world, public):
    pledge = make.reported_pledge(world, "A pledge", ("FR",), category=Category.DIPLOMATIC)
    url = reverse("pages:pledge", args=[pledge.pk])
    edit = reverse("admin:commitments_pledge_change", args=[pledge.pk])
    assert "Edit in admin" not in get(client, url).content.decode()

    analyst = make.user("analyst")
    client.force_login(analyst)
    assert "Edit in admin" not in get(client, url).content.decode()  # staff, but may not change pledges
    analyst.user_permissions.add(Permission.objects.get(codename="change_pledge"))
    assert f'<a href="{edit}">Edit in admin</a>' in get(client, url).content.decode()

    client.force_login(make.user("boss", superuser=True))
    for page, change in [
        (reverse("pages:summit", args=[world["summit"].pk]), "summit"),
        (reverse("pages:declaration", args=[world["declaration"].pk]), "declaration"),
        (reverse("pages:state", args=["FR"]), "state"),
    ]:
        assert f"/admin/commitments/{change}/" in get(client, page).content.decode()


# ---------------------------------------------------------------------------------------------
# Escaping and static files


def test_text_from_the_database_is_escaped_in_pages_and_charts(client, world, public):
    evil = State.objects.create(code="EV", name="<script>alert('x')</script>", kind=StateKind.COALITION)
    pledge = make.reported_pledge(
        world,
        "<img src=x onerror=alert(1)>",
        (evil,),
        category=Category.FUNDING,
        amount=Decimal(5),
        currency="EUR",
        value_date=DAY,
        fx_rate=Decimal(1),
        amount_eur=Decimal(5),
    )
    for url in ["/", "/pledges/", reverse("pages:pledge", args=[pledge.pk]), "/states/EV/", "/states/"]:
        markup = get(client, url).content.decode()
        assert "<script>alert" not in markup and "<img src=x" not in markup, url
    overview = get(client, "/").content.decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in overview  # in the chart and its table


def test_pages_link_one_stylesheet_from_static_files_and_nothing_remote(client, world, public):
    markup = get(client, "/").content.decode()
    assert '<link rel="stylesheet" href="/static/commitments/dashboard.css">' in markup
    assert "<script" not in markup
    remote = re.findall(r'(?:src|href)="(https?://[^"]+)"', markup)
    assert remote == []


def test_overview_lists_the_first_troop_pledges_without_a_number_and_counts_the_rest(client, db, public, monkeypatch):
    import importlib

    monkeypatch.setattr(importlib.import_module("commitments.views.overview"), "UNQUANTIFIED_LISTED", 2)
    for n in range(3):
        make.pledge(title=f"Vague troops {n}", category=Category.TROOPS, quantity_text="thousands")
    page = text(get(client, "/"))
    assert "Vague troops 0" in page and "Vague troops 1" in page and "Vague troops 2" not in page
    assert "And 1 more: see the troop pledges" in page


def test_state_page_lists_its_newest_pledges_and_links_the_rest(client, db, public, monkeypatch):
    import importlib

    monkeypatch.setattr(importlib.import_module("commitments.views.records"), "STATE_PLEDGES_LISTED", 2)
    made = [make.pledge(title=f"French pledge {n}", pledgers=("FR", "GB")) for n in range(3)]
    page = text(get(client, "/states/FR/"))
    # No status change yet: newest by id. Joint pledges are listed once.
    assert page.count("French pledge 2") == 1 and "French pledge 1" in page and "French pledge 0" not in page
    assert "The newest 2 are shown: all of them in the pledge list" in page
    assert len(made) == 3 and "Pledges, alone or jointly 3" in page  # the figures count them all
    monkeypatch.setattr(importlib.import_module("commitments.views.records"), "STATE_PLEDGES_LISTED", 3)
    assert "are shown" not in text(get(client, "/states/FR/"))
