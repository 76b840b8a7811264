"""The public pages: what they count and show, who may see them, bad filter input, escaping,
and a fixed number of queries whatever the number of pledges."""

import datetime
import html
import itertools
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commitments.choices import (
    Category,
    Condition,
    ConditionState,
    CountedThing,
    CountQualifier,
    DeclarationKind,
    DeclarationStatus,
    MonitoringRole,
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
    ForceRequirement,
    Pledge,
    Source,
    State,
    Summit,
)

DAY = datetime.date(2025, 3, 27)
_serial = itertools.count(1)


@pytest.fixture
def public(settings):
    settings.PUBLIC_READ = True


class World:
    """A small register built in the test: parties, a meeting, a text, a force requirement,
    and pledges of every kind the overview treats differently."""

    def __init__(self):
        self.source = Source.objects.create(
            key="report-a", title="Leaders meet in Paris", publisher="The Guardian", url="https://example.org/a"
        )
        self.other_source = Source.objects.create(
            key="report-b", title="Coalition summit", publisher="Radio Liberty", seed_file="b.txt"
        )
        self.fr = State.objects.create(code="FR", name="France")
        self.gb = State.objects.create(code="GB", name="United Kingdom")
        self.cow = State.objects.create(code="COW", name="Coalition of the Willing", kind=StateKind.COALITION)
        self.summit = Summit.objects.create(
            slug="paris", title="Paris summit", kind=SummitKind.LEADERS_SUMMIT, date=DAY, city="Paris"
        )
        self.declaration = Declaration.objects.create(
            slug="paris-declaration",
            title="Paris Declaration",
            kind=DeclarationKind.JOINT_DECLARATION,
            status=DeclarationStatus.ADOPTED,
            date=DAY,
            summit=self.summit,
        )
        self.requirement = ForceRequirement.objects.create(
            slug="force", title="Multinational force", summit=self.summit, troops_min=15000, troops_max=30000
        )

    def pledge(self, title, pledgers, *, status=Status.ANNOUNCED, citations=1, **fields):
        pledge = Pledge.objects.create(
            slug=f"p{next(_serial)}", title=title, summit=self.summit, declaration=self.declaration, **fields
        )
        pledge.pledgers.set(pledgers)
        for number in range(citations):
            Citation.objects.create(
                pledge=pledge, source=self.source, quote=f"quoted phrase {number}", attribution="Emmanuel Macron"
            )
        pledge.change_status(status, effective_date=DAY, source=self.source, note="As reported.", quote="announced")
        return pledge

    def one_of_each(self):
        """One pledge of every kind the overview counts differently; returns them by kind."""
        joint = self.pledge(
            "Troops for a reassurance force",
            [self.fr, self.gb],
            category=Category.TROOPS,
            troops_min=10000,
            troops_max=20000,
            condition=Condition.UPON_CEASEFIRE,
            condition_state=ConditionState.PENDING,
            status=Status.COMMITTED,
        )
        return {
            "funding": self.pledge(
                "Aid of 2 billion euros",
                [self.fr],
                category=Category.FUNDING,
                amount=Decimal("2000000000"),
                currency="EUR",
                value_date=DAY,
                fx_rate=Decimal(1),
                amount_eur=Decimal("2000000000"),
            ),
            "pounds": self.pledge(
                "Aid of 1 billion pounds",
                [self.gb],
                category=Category.FUNDING,
                amount=Decimal("1000000000"),
                currency="GBP",
                value_date=DAY,
                fx_rate=Decimal("1.2"),
                amount_eur=Decimal("1200000000"),
            ),
            "joint": joint,
            "share": self.pledge(
                "France's share of the force",
                [self.fr],
                category=Category.TROOPS,
                troops_min=5000,
                troops_max=5000,
                part_of=joint,
            ),
            "vague": self.pledge(
                "Thousands of troops",
                [self.cow],
                category=Category.TROOPS,
                quantity_text="thousands of troops",
                condition=Condition.UPON_CEASEFIRE,
                condition_state=ConditionState.PENDING,
                status=Status.PROPOSED,
            ),
            "monitoring": self.pledge(
                "Lead the monitoring",
                [self.cow],
                category=Category.MONITORING,
                monitoring_role=MonitoringRole.LEAD,
                monitoring_means="drones, satellites",
            ),
        }


@pytest.fixture
def world(db):
    return World()


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
    world.one_of_each()
    figures = Pledge.objects.totals()
    assert figures["pledges"] == 5  # the share is inside the joint pledge
    assert (figures["troops_low"], figures["troops_high"]) == (10000, 20000)  # not 15,000: the share is not added
    assert figures["troop_pledges_unquantified"] == 1  # "thousands" is counted as a pledge, never as a number
    assert figures["eur"] == Decimal("3200000000")
    assert figures["eur_pledges"] == 2
    assert figures["pending_on_ceasefire"] == 2


def test_troop_ranges_add_low_ends_and_high_ends_with_open_ends_honestly(world):
    world.pledge("Exactly", [world.fr], category=Category.TROOPS, troops_min=1000, troops_max=1000)
    world.pledge("At least", [world.fr], category=Category.TROOPS, troops_min=2000)
    world.pledge("Up to", [world.gb], category=Category.TROOPS, troops_max=4000)
    figures = Pledge.objects.totals()
    # An "up to" pledge adds nothing to the low end; an "at least" pledge adds its floor to both.
    assert (figures["troops_low"], figures["troops_high"]) == (3000, 7000)


def test_by_party_rows_show_a_joint_pledge_under_each_pledger_and_say_so(world):
    world.one_of_each()
    rows = {row["state__code"]: row for row in Pledge.objects.totals_by_pledger()}
    assert rows["GB"]["troops_low"] == 10000 and rows["GB"]["troop_pledges_joint"] == 1
    # France: the joint pledge and its own share, both flagged.
    assert (rows["FR"]["troops_low"], rows["FR"]["troops_high"]) == (15000, 25000)
    assert rows["FR"]["troop_pledges_joint"] == 1 and rows["FR"]["troop_pledges_shares"] == 1
    assert rows["COW"]["troop_pledges"] == 0 and rows["COW"]["troop_pledges_unquantified"] == 1
    assert rows["GB"]["eur"] == Decimal("1200000000")


def test_count_by_status_lists_every_status_in_order(world):
    world.one_of_each()
    counts = Pledge.objects.count_by_status()
    assert list(counts) == list(Status.values)
    assert counts[Status.ANNOUNCED] == 3 and counts[Status.COMMITTED] == 1 and counts[Status.PROPOSED] == 1
    assert sum(counts.values()) == 5


def test_overview_shows_the_headline_figures_and_every_chart_with_its_table(client, world, public):
    world.one_of_each()
    response = get(client, "/")
    page = text(response)
    assert "States pledging 2 plus Coalition of the Willing as a group" in page
    assert "Troops pledged 10,000–20,000 troops against 15,000–30,000 troops required" in page
    assert "1 troop pledge without a number" in page
    assert "Euros pledged €3.2 bn in 2 pledges with an amount" in page
    assert "Still conditional on a ceasefire 2" in page
    markup = response.content.decode()
    for chart in ("troops-total", "troops-by-state", "eur-by-state", "status", "timeline"):
        assert f'aria-labelledby="chart-{chart}-title chart-{chart}-desc"' in markup
    assert markup.count("<table") == 5
    # The vague pledge is listed in words and its party drawn without a bar.
    assert "Coalition of the Willing: 1 pledge not quantified" in page
    assert "Thousands of troops — Coalition of the Willing: thousands of troops" in page
    assert "France 15,000–25,000 troops includes 1 joint pledge (shown under each pledger) and 1 share" in page


def test_the_chart_of_a_party_without_a_number_draws_no_bar(client, world, public):
    world.pledge("Thousands of troops", [world.cow], category=Category.TROOPS, quantity_text="thousands")
    markup = get(client, "/").content.decode()
    chart = markup[
        markup.index('id="chart-troops-by-state-title"') : markup.index("</svg>", markup.index("chart-troops-by"))
    ]
    assert "1 pledge not quantified" in chart
    assert '<rect class="bar' not in chart
    assert 'class="none"' in chart


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


def test_overview_runs_the_same_eight_queries_with_one_or_many_pledges(client, world, public):
    world.one_of_each()
    one = count_queries(client, "/")
    for _ in range(4):
        world.one_of_each()
    assert Pledge.objects.count() == 30
    many = count_queries(client, "/")
    # 1 totals, 2 count by status, 3 totals by pledger, 4 force requirements, 5 unquantified troop
    # pledges, 6 their pledgers, 7 summits, 8 declarations (an anonymous reader has no session).
    assert one == many == 8


def test_pledge_list_runs_the_same_queries_with_one_or_many_pledges(client, world, public):
    world.one_of_each()
    one = count_queries(client, "/pledges/?state=FR&status=announced")
    for _ in range(6):
        world.one_of_each()
    many = count_queries(client, "/pledges/?state=FR&status=announced")
    # 1 the state code checked, 2 count, 3 page of pledges (with meeting, text, larger pledge),
    # 4 pledgers, 5 citations with sources; the filter form's choices: 6 parties, 7 meetings, 8 texts.
    assert one == many == 8
    assert count_queries(client, "/pledges/") == 7


@pytest.mark.parametrize("page", ["summit", "declaration", "state", "pledge"])
def test_detail_pages_run_the_same_queries_with_one_or_many_pledges(client, world, public, page):
    pledges = world.one_of_each()
    url = {
        "summit": reverse("pages:summit", args=[world.summit.pk]),
        "declaration": reverse("pages:declaration", args=[world.declaration.pk]),
        "state": reverse("pages:state", args=["FR"]),
        "pledge": reverse("pages:pledge", args=[pledges["joint"].pk]),
    }[page]
    one = count_queries(client, url)
    for _ in range(4):
        world.one_of_each()
    for _ in range(3):  # more citations, status changes and shares on the same pledge
        Citation.objects.create(pledge=pledges["joint"], source=world.other_source, quote="more")
        world.pledge("Another share", [world.gb], category=Category.TROOPS, part_of=pledges["joint"])
    pledges["joint"].change_status(Status.IN_IMPLEMENTATION, effective_date=DAY, source=world.source, note="Began.")
    assert count_queries(client, url) == one


# ---------------------------------------------------------------------------------------------
# Pages


def test_pledge_page_shows_quantities_condition_status_timeline_and_every_citation(client, world, public):
    pledge = world.pledge(
        "Aid of 1 billion pounds",
        [world.gb, world.fr],
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
    pledge.change_status(Status.AGREED, effective_date=DAY, source=world.other_source, note="Endorsed in the text.")
    page = text(get(client, reverse("pages:pledge", args=[pledge.pk])))
    assert "Pledged by United Kingdom and France joint pledge, counted once" in page or (
        "Pledged by France and United Kingdom joint pledge, counted once" in page
    )
    assert "1,000,000,000 GBP = 1,200,000,000 EUR at 1.2 EUR per GBP (value date 27 March 2025)" in page
    assert "Quantity £1.0 bn (€1.2 bn)" in page
    assert "Upon a peace agreement: “after a peace agreement is achieved” Pending (condition not yet met)" in page
    assert "Not yet assessable → Announced" in page and "Announced → Agreed or endorsed" in page
    assert "Endorsed in the text." in page
    for number in range(3):
        assert f"quoted phrase {number}" in page
    assert page.count("Emmanuel Macron — Leaders meet in Paris , The Guardian") == 3
    assert "[seed report b.txt]" in page  # the status change's source


def test_pledge_page_links_a_share_and_its_larger_pledge(client, world, public):
    pledges = world.one_of_each()
    share_page = get(client, reverse("pages:pledge", args=[pledges["share"].pk])).content.decode()
    assert f'href="{reverse("pages:pledge", args=[pledges["joint"].pk])}"' in share_page
    joint_page = text(get(client, reverse("pages:pledge", args=[pledges["joint"].pk])))
    assert "France's share of the force — France: 5,000 troops" in joint_page


def test_summit_page_puts_each_sources_count_side_by_side(client, world, public):
    AttendanceReport.objects.create(
        summit=world.summit, source=world.source, counted=CountedThing.COUNTRIES, value=35, quote="35 countries"
    )
    AttendanceReport.objects.create(
        summit=world.summit,
        source=world.other_source,
        counted=CountedThing.COUNTRIES,
        qualifier=CountQualifier.MORE_THAN,
        value=30,
    )
    AttendanceReport.objects.create(
        summit=world.summit, source=world.other_source, counted=CountedThing.LEADERS, value=27
    )
    Attendance.objects.create(summit=world.summit, state=world.gb, source=world.source, represented_by="Keir Starmer")
    world.one_of_each()
    response = get(client, reverse("pages:summit", args=[world.summit.pk]))
    page = text(response)
    assert "Countries Exactly 35 35 countries More than 30" in page
    assert "Leaders and representatives — Exactly 27" in page
    assert "United Kingdom Attended Keir Starmer" in page
    assert "Paris Declaration" in page and "Aid of 2 billion euros" in page


def test_declaration_page_separates_signatories_from_endorsers(client, world, public):
    DeclarationParty.objects.create(
        declaration=world.declaration, state=world.fr, role=PartyRole.SIGNATORY, signed_on=DAY, source=world.source
    )
    DeclarationParty.objects.create(
        declaration=world.declaration, state=world.cow, role=PartyRole.ENDORSER, source=world.source
    )
    DeclarationComponent.objects.create(
        declaration=world.declaration, number=2, text="Reassurance force", source=world.source
    )
    page = text(get(client, reverse("pages:declaration", args=[world.declaration.pk])))
    signatories = page[page.index("Signatories") : page.index("Endorsers")]
    endorsers = page[page.index("Endorsers") : page.index("Components")]
    assert "France , signed 27 March 2025" in signatories and "Coalition" not in signatories
    assert "Coalition of the Willing" in endorsers and "France" not in endorsers
    assert "Reassurance force" in page


def test_state_page_lists_its_pledges_with_its_figures(client, world, public):
    world.one_of_each()
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
    world.one_of_each()
    assert "Paris summit" in text(get(client, "/summits/"))
    assert "Paris Declaration" in text(get(client, "/declarations/"))
    assert "France Sovereign state 3 15,000–25,000 troops €2.0 bn" in text(get(client, "/states/"))


# ---------------------------------------------------------------------------------------------
# The pledge list: filters, errors, pagination


def test_pledge_list_uses_the_api_filters(client, world, public):
    world.one_of_each()
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
    world.one_of_each()
    response = get(client, f"/pledges/?{query}", status=400)
    page = text(response)
    assert "These filters cannot be applied" in page
    assert message in page
    assert "Aid of 2 billion euros" not in page  # never an unfiltered list


def test_pages_of_pledges_keep_the_filters_and_reject_bad_page_numbers(client, world, public):
    for _ in range(6):
        world.one_of_each()  # 36 pledges, 12 of them by GB
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


def test_without_public_read_staff_read_and_other_accounts_do_not(client, world, settings):
    settings.PUBLIC_READ = False
    pledge = world.pledge("A pledge", [world.fr], category=Category.DIPLOMATIC)
    User.objects.create_user("reader", password="x")
    client.login(username="reader", password="x")
    assert client.get("/").status_code == 302
    staff = User.objects.create_user("analyst", password="x", is_staff=True)
    client.force_login(staff)
    for url in [*ALL_PAGES, reverse("pages:pledge", args=[pledge.pk])]:
        assert client.get(url).status_code == 200, url


def test_public_read_lets_anyone_read(client, world, public):
    for url in ALL_PAGES:
        assert client.get(url).status_code == 200, url


def test_an_analyst_who_may_edit_sees_an_edit_in_admin_link(client, world, public):
    pledge = world.pledge("A pledge", [world.fr], category=Category.DIPLOMATIC)
    url = reverse("pages:pledge", args=[pledge.pk])
    edit = reverse("admin:commitments_pledge_change", args=[pledge.pk])
    assert "Edit in admin" not in get(client, url).content.decode()

    analyst = User.objects.create_user("analyst", password="x", is_staff=True)
    client.force_login(analyst)
    assert "Edit in admin" not in get(client, url).content.decode()  # staff, but may not change pledges
    analyst.user_permissions.add(Permission.objects.get(codename="change_pledge"))
    assert f'<a href="{edit}">Edit in admin</a>' in get(client, url).content.decode()

    client.force_login(User.objects.create_superuser("boss", password="x"))
    for page, change in [
        (reverse("pages:summit", args=[world.summit.pk]), "summit"),
        (reverse("pages:declaration", args=[world.declaration.pk]), "declaration"),
        (reverse("pages:state", args=["FR"]), "state"),
    ]:
        assert f"/admin/commitments/{change}/" in get(client, page).content.decode()


# ---------------------------------------------------------------------------------------------
# Escaping and static files


def test_text_from_the_database_is_escaped_in_pages_and_charts(client, world, public):
    evil = State.objects.create(code="EV", name="<script>alert('x')</script>", kind=StateKind.COALITION)
    pledge = world.pledge(
        "<img src=x onerror=alert(1)>",
        [evil],
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
