"""The public pages of the guarantees' architecture: instruments (their list and page), people, and
what the pledge, meeting, declaration and party pages now show of instruments, representatives
and statements. Same rules as tests/test_pages.py: a fixed number of queries, escaping, 404s, the
one read rule, unknown never shown as zero."""

import datetime
import re

import pytest
from django.urls import reverse

from commitments.choices import Category, InstrumentRole, InstrumentStatus, PartyRole, Stance
from commitments.models import Citation, DeclarationParty, ForceRequirement, Pledge, State

from . import builders as make
from .builders import DAY
from .test_pages import count_queries, get, text


@pytest.fixture
def built(world):
    """The world with its pledges (builders.one_of_each) and its architecture (builders.architecture),
    the Paris Declaration signed for France by its President, and a British spokesman's statement
    about it: every list the pages show has a row."""
    built = {"pledges": make.one_of_each(world), **make.world_architecture(world)}
    signature = DeclarationParty.objects.create(
        declaration=world["declaration"],
        state=world["states"]["FR"],
        role=PartyRole.SIGNATORY,
        signed_on=DAY,
        represented_by="Macron",
        source=world["source"],
    )
    signature.representatives.set([built["president"]])
    spokesman = make.person("gb-spokesman", name="A spokesman")
    make.post("gb-spokesman", holder=spokesman, party="GB", title="Spokesman")
    built["on_text"] = make.statement(
        "on-paris-text",
        about=(world["declaration"],),
        speaker=spokesman,
        state=world["states"]["GB"],
        quote="a fine text",
    )
    return built


def instrument_url(instrument) -> str:
    return reverse("pages:instrument", args=[instrument.slug])


# ---------------------------------------------------------------------------------------------
# The instrument page


def test_instrument_page_shows_status_timeline_mandate_condition_and_parties(client, world, public, built):
    page = text(get(client, instrument_url(built["force"])))
    assert "Multinational force Multinational Force Ukraine Led by France and United Kingdom" in page
    assert "Status Agreed (its creation agreed or endorsed by the parties) since 27 March 2025" in page
    # The dated timeline, each step with its source and quote.
    assert "25 February 2025 : Not yet assessable → Proposed as reported Coalition summit , Radio Liberty" in page
    assert (
        "27 March 2025 : Proposed → Agreed Agreed in Paris. agreed force Leaders meet in Paris , The Guardian" in page
    )
    # The mandate with the citation that supports it.
    assert (
        "Mandate to secure Ukraine's skies and seas after a ceasefire “skies and seas” — Leaders meet in Paris" in page
    )
    assert "Condition Upon a ceasefire: “once a ceasefire is agreed” condition not yet met" in page
    # Parties by role, each with its quote and source.
    assert "Leads France “France as lead” — Leaders meet in Paris , The Guardian United Kingdom" in page
    assert "Participant Coalition of the Willing “Coalition of the Willing as participant”" in page
    assert "Texts that create or describe it Paris Declaration — Adopted or endorsed, 27 March 2025" in page
    assert "Sources skies and seas Leaders meet in Paris , The Guardian supports: mandate" in page


def test_instrument_page_sets_the_requirement_against_quantified_contributions(client, world, public, built):
    response = get(client, instrument_url(built["force"]))
    page = text(response)
    # Each contribution at its own status and quantity.
    contributions = page[page.index("Contributing pledges Each") : page.index("Texts that create")]
    assert "Troops for the force Troops France , United Kingdom joint 10,000–20,000 troops None stated Announced" in (
        contributions
    )
    assert "Thousands of troops for the force Troops Coalition of the Willing thousands of troops (unquantified)" in (
        contributions
    )
    assert "Proposed since 27 Mar 2025" in contributions
    assert "Aid of 2 billion euros" not in contributions  # not a contribution
    # The requirement, what is contributed in numbers, what is not, and the gap end by end.
    assert "Required: Multinational force 15,000–30,000 troops" in page
    assert "Contributed in numbers 10,000–20,000 troops (1 contribution giving a troop figure)" in page
    assert "Troop contributions without a number 1" in page
    assert "Gap at the low end 5,000 troops short Gap at the high end 10,000 troops short" in page
    # The chart beside the table draws the same figures.
    markup = response.content.decode()
    assert 'aria-labelledby="chart-requirement-title chart-requirement-desc"' in markup
    assert "Contributed in numbers: 10,000–20,000 troops. Required (Multinational force): 15,000–30,000 troops" in (
        markup
    )


def test_unknown_is_not_zero_when_no_contribution_gives_a_number(client, world, public):
    force = make.instrument("force", name="Reassurance force")
    ForceRequirement.objects.create(slug="needed", title="Needed", instrument=force, troops_min=15000)
    make.pledge(contributes_to=force, category=Category.TROOPS, quantity_text="thousands of troops")
    make.pledge(contributes_to=force, category=Category.TROOPS, quantity_text="the bulk")
    response = get(client, instrument_url(force))
    page = text(response)
    assert "Contributed in numbers none in numbers (0 contributions giving a troop figure)" in page
    assert "Troop contributions without a number 2" in page
    assert "Gap at the low end unknown Gap at the high end unknown" in page
    assert "at least 15,000 troops" in page
    markup = response.content.decode()
    chart = markup[markup.index('<svg class="chart') : markup.index("</svg>")]
    assert chart.count('<rect class="bar') == 1  # the requirement only; no contribution drawn as zero
    assert 'class="value none"' in chart
    listed = text(get(client, "/instruments/"))
    assert "at least 15,000 troops required; none in numbers contributed; 2 troop contributions without a number" in (
        listed
    )


def test_an_instrument_without_requirement_contributions_or_history_says_so(client, world, public, built):
    page = text(get(client, instrument_url(built["monitoring"])))
    assert "Ceasefire monitoring and verification mechanism Ceasefire monitoring mechanism Led by United States" in page
    assert "No status change recorded: the instrument is not yet assessable." in page
    assert "No force requirement is recorded for this instrument." in page
    assert "No pledge contributes to it yet." in page
    assert "No statement recorded." in page


def test_instrument_page_lists_statements_with_speaker_post_stance_quote_and_source(client, world, public, built):
    page = text(get(client, instrument_url(built["force"])))
    said = page[page.index("What was said about it") : page.index("Sources skies")]
    assert (
        "Supports Emmanuel Macron (President) for France , 27 March 2025, at Paris summit we will be there on day one "
        "Leaders meet in Paris , The Guardian" in said
    )
    # A party that pledges nothing may speak, with no speaker named.
    assert "Rejects United States no American boots on the ground Coalition summit , Radio Liberty" in said
    markup = get(client, instrument_url(built["force"])).content.decode()
    assert f'href="{reverse("pages:person", args=["emmanuel-macron"])}"' in markup


def test_a_speakers_post_is_shown_only_where_held_for_that_party_at_that_time(client, world, public, built):
    macron = built["macron"]
    make.post("co-prince", holder=macron, party="AD", title="Co-Prince of Andorra")
    make.post(
        "fr-minister",
        holder=macron,
        party="FR",
        title="Minister of the Economy",
        start_date=datetime.date(2014, 8, 26),
        end_date=datetime.date(2016, 8, 30),
    )
    page = text(get(client, instrument_url(built["force"])))
    assert "Emmanuel Macron (President) for France" in page
    assert "Co-Prince" not in page and "Minister of the Economy" not in page


def test_instrument_list_shows_kind_status_lead_contributions_and_requirement(client, world, public, built):
    page = text(get(client, "/instruments/"))
    assert (
        "Multinational Force Ukraine Multinational force Agreed since 27 Mar 2025 France , United Kingdom 2 "
        "15,000–30,000 troops required; 10,000–20,000 troops contributed; 1 troop contribution without a number"
    ) in page
    assert (
        "Ceasefire monitoring mechanism Ceasefire monitoring and verification mechanism Not yet assessable "
        "United States 0 —"
    ) in page


# ---------------------------------------------------------------------------------------------
# The overview's instruments


def test_overview_has_an_instruments_section_and_sets_the_requirement_against_contributions(
    client, world, public, built
):
    response = get(client, "/")
    page = text(response)
    section = page[page.index("Instruments The forces") : page.index("Troops pledged against the force required")]
    assert (
        "Multinational Force Ukraine Multinational force Agreed France , United Kingdom 2 15,000–30,000 troops "
        "required; 10,000–20,000 troops contributed; 1 troop contribution without a number; gap 5,000 troops short "
        "(low end), 10,000 troops short (high end)"
    ) in section
    assert (
        "Ceasefire monitoring mechanism Ceasefire monitoring and verification mechanism Not yet assessable "
        "United States 0 —"
    ) in section
    # The headline: every pledge in numbers, and the requirement against its instrument's contributions only.
    assert (
        "Troops pledged 20,000–40,000 troops of which 10,000–20,000 troops to Multinational Force Ukraine , "
        "against 15,000–30,000 troops required"
    ) in page
    assert "Contributed to Multinational Force Ukraine in numbers 10,000–20,000 troops; 1 troop contribution" in page
    markup = response.content.decode()
    chart = markup[markup.index('id="chart-troops-total-title"') : markup.index("</svg>")]
    assert "Contributed to Multinational Force Ukraine in numbers: 10,000–20,000 troops" in chart
    assert f'href="{instrument_url(built["force"])}"' in chart
    assert f'<a href="{instrument_url(built["force"])}">Multinational Force Ukraine</a>' in markup


def test_overview_without_instruments_says_so(client, world, public):
    make.one_of_each(world)
    page = text(get(client, "/"))
    assert "Instruments The forces" in page and "No instrument recorded yet." in page


# ---------------------------------------------------------------------------------------------
# The other pages: pledge, meeting, declaration, party, person


def test_pledge_page_names_its_instrument_and_the_statements_about_it(client, world, public, built):
    response = get(client, reverse("pages:pledge", args=[built["troops"].pk]))
    page = text(response)
    assert "Contributes to Multinational Force Ukraine (multinational force, agreed)" in page
    assert f'href="{instrument_url(built["force"])}"' in response.content.decode()
    start = page.index("What was said about it")
    said = page[start : page.index("Sources", start)]  # the section after it (the header links Sources too)
    assert "Supports Emmanuel Macron (President) for France" in said and "American boots" not in said
    other = text(get(client, reverse("pages:pledge", args=[built["pledges"]["funding"].pk])))
    assert "Contributes to" not in other and "No statement recorded." in other


def test_summit_page_lists_representatives_as_people_with_posts_and_its_chair(client, world, public, built):
    summit = world["summit"]
    page = text(get(client, reverse("pages:summit", args=[summit.pk])))
    assert "France Attended Emmanuel Macron , President Leaders meet in Paris" in page
    # A post without a known holder is shown as the post alone.
    assert "Chair Defence Secretary (United Kingdom)" in page
    assert "What was said here or about it Supports Emmanuel Macron" in page
    # A statement about the meeting's outcome, said elsewhere, is listed too (once).
    make.statement("about-paris", about=(summit,), state=built["US"], quote="a good summit", stance=Stance.SUPPORTS)
    page = text(get(client, reverse("pages:summit", args=[summit.pk])))
    assert page.count("a good summit") == 1 and page.count("we will be there on day one") == 1


def test_declaration_page_lists_signers_posts_and_its_instruments(client, world, public, built):
    page = text(get(client, reverse("pages:declaration", args=[world["declaration"].pk])))
    assert "France , signed 27 March 2025 by Macron ( Emmanuel Macron , President )" in page
    assert "Instruments it creates or describes Multinational Force Ukraine — Agreed" in page
    assert "What was said about it Supports A spokesman (Spokesman) for United Kingdom a fine text" in page


def test_state_page_lists_its_roles_in_instruments_posts_and_statements(client, world, public, built):
    us = text(get(client, reverse("pages:state", args=["US"])))
    assert "Pledges, alone or jointly 0" in us  # pledges nothing...
    assert "Instruments Ceasefire monitoring mechanism — lead “US-led”" in us
    assert "Statements Rejects United States no American boots on the ground" in us  # ...and still speaks
    gb = text(get(client, reverse("pages:state", args=["GB"])))
    assert "Multinational Force Ukraine — lead" in gb
    assert "Posts Defence Secretary" in gb
    fr = get(client, reverse("pages:state", args=["FR"]))
    assert f'href="{reverse("pages:person", args=["emmanuel-macron"])}"' in fr.content.decode()


def test_person_page_lists_posts_meetings_texts_and_statements(client, world, public, built):
    world["summit"].chaired_by.add(built["president"])
    page = text(get(client, reverse("pages:person", args=["emmanuel-macron"])))
    assert "Posts President, France “President Emmanuel Macron” — Leaders meet in Paris" in page
    assert "Meetings Paris summit — 27 March 2025: for France as President Chaired Paris summit" in page
    assert (
        "Texts signed or endorsed Paris Declaration — signatory for France as President, signed 27 March 2025" in page
    )
    assert (
        "Statements Supports Emmanuel Macron (President) for France , 27 March 2025, at Paris summit we will be there "
        "on day one About: Troops for the force ; Multinational Force Ukraine"
    ) in page


def test_navigation_leads_to_the_instruments(client, world, public):
    markup = get(client, "/instruments/").content.decode()
    assert '<a href="/instruments/" aria-current="page">Instruments</a>' in markup
    assert '<a href="/instruments/">Instruments</a>' in get(client, "/").content.decode()


# ---------------------------------------------------------------------------------------------
# Fixed query counts


def grow(world, n):
    """More of everything the pages list: instruments with parties, history, contributions,
    requirements and citations; people with posts, representations and statements."""
    for index in range(n):
        make.one_of_each(world)
        force = make.instrument(f"grown-{index}")
        for code in ("FR", "GB"):
            make.instrument_party(force, code, InstrumentRole.LEAD)
        make.instrument_party(force, "COW", InstrumentRole.SUPPORTER)
        make.move(force, InstrumentStatus.PROPOSED, DAY, source=world["source"])
        ForceRequirement.objects.create(slug=f"grown-{index}", title="More", instrument=force, troops_min=index)
        Citation.objects.create(instrument=force, source=world["source"], quote="more")
        for _ in range(2):
            make.pledge(contributes_to=force, category=Category.TROOPS, troops_min=100)
        person = make.person(f"grown-{index}")
        post = make.post(holder=person, party="GB")
        world["summit"].attendances.get(state__code="FR").representatives.add(post)
        world["summit"].chaired_by.add(post)
        make.statement(
            about=(force, world["summit"], world["declaration"]), speaker=person, state=State.objects.get(code="GB")
        )


@pytest.mark.parametrize(
    ("page", "queries"),
    [
        # 1 instruments with their number of contributions, 2 leads, 3 requirements, 4 contributions' figures.
        ("instrument-list", 4),
        # 1 the instrument, 2 its parties, 3 texts, 4 requirements, 5 citations, 6 status history, 7
        # contributions' figures, 8-10 contributing pledges (pledgers, citations), 11-12 statements
        # (the speakers' posts).
        ("instrument", 12),
        # 1 the person, 2 posts, 3-4 meetings attended (their posts there), 5 meetings chaired, 6-7 texts
        # (their posts there), 8-9 statements (the speakers' posts), 10-13 what each is about.
        ("person", 13),
        # Before: 12 (the meeting, its hosts, chairs, organisers, counts, attendance, declarations,
        # requirements, pledges, pledgers, citations of pledges, citations); now also the posts that
        # chaired it, the representatives, and the statements (the speakers' posts).
        ("summit", 16),
        # Before: 9; now also the signers' posts, the instruments it describes, and the statements.
        ("declaration", 13),
        # Before: 10 (the party, its figures, pledges, pledgers, citations, attendance, texts, meetings
        # hosted, chaired, organised); now also its roles in instruments, its posts, and its statements.
        ("state", 14),
        # Before: 6; now also the statements about it (the instrument is joined to the pledge).
        ("pledge", 8),
    ],
)
def test_pages_run_a_fixed_number_of_queries(client, world, public, built, page, queries):
    url = {
        "instrument-list": "/instruments/",
        "instrument": instrument_url(built["force"]),
        "person": reverse("pages:person", args=["emmanuel-macron"]),
        "summit": reverse("pages:summit", args=[world["summit"].pk]),
        "declaration": reverse("pages:declaration", args=[world["declaration"].pk]),
        "state": reverse("pages:state", args=["GB"]),
        "pledge": reverse("pages:pledge", args=[built["troops"].pk]),
    }[page]
    one = count_queries(client, url)
    grow(world, 3)
    force = built["force"]
    for code in ("US", "DE", "IT"):  # more of everything on the instrument, the pledge and the person
        make.instrument_party(force, code, InstrumentRole.SUPPORTER)
        make.pledge(contributes_to=force, citations=2)
        make.statement(about=(force, built["troops"]), speaker=built["macron"])
        make.post(holder=built["macron"], party="FR")
    make.move(force, InstrumentStatus.ESTABLISHED, DAY, source=world["source"])
    assert count_queries(client, url) == one == queries


# ---------------------------------------------------------------------------------------------
# Not found, the read rule, escaping


def test_unknown_instruments_and_people_are_not_found(client, world, public):
    assert client.get("/instruments/no-such-thing/").status_code == 404
    assert client.get("/people/no-one/").status_code == 404


@pytest.mark.parametrize("url", ["/instruments/", "/instruments/multinational-force/", "/people/emmanuel-macron/"])
def test_without_public_read_anonymous_readers_are_sent_to_the_login(client, world, built, settings, url):
    settings.PUBLIC_READ = False
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == f"/admin/login/?next={url}"
    client.force_login(make.user("reader", staff=False))
    assert client.get(url).status_code == 200


def test_an_analyst_sees_the_edit_link_on_instrument_and_person_pages(client, world, built, public):
    client.force_login(make.user("boss", superuser=True))
    force = get(client, instrument_url(built["force"])).content.decode()
    assert f'href="/admin/commitments/instrument/{built["force"].pk}/change/">Edit in admin' in force
    person = get(client, reverse("pages:person", args=["emmanuel-macron"])).content.decode()
    assert f'href="/admin/commitments/person/{built["macron"].pk}/change/">Edit in admin' in person


def test_text_from_the_database_is_escaped_on_the_new_pages(client, world, public):
    evil = "<script>alert('x')</script>"
    force = make.instrument("evil", name=evil, mandate=evil, condition_text=evil)
    ForceRequirement.objects.create(slug="evil", title=evil, instrument=force, troops_min=10)
    make.instrument_party(force, State.objects.create(code="EV", name=evil, kind="coalition"), quote=evil)
    person = make.person("evil", name=evil)
    post = make.post(holder=person, party="EV", title=evil)
    world["summit"].chaired_by.set([post])
    pledge = make.pledge(title=evil, contributes_to=force, category=Category.TROOPS, troops_min=5)
    make.statement(about=(force, pledge, world["summit"]), speaker=person, quote=evil, summary=evil)
    urls = [
        "/",
        "/instruments/",
        instrument_url(force),
        reverse("pages:person", args=["evil"]),
        reverse("pages:pledge", args=[pledge.pk]),
        reverse("pages:summit", args=[world["summit"].pk]),
        "/states/EV/",
    ]
    for url in urls:
        markup = get(client, url).content.decode()
        assert "<script>alert" not in markup, url
        assert "&lt;script&gt;" in markup, url


def test_the_new_pages_load_nothing_from_elsewhere(client, world, public, built):
    for url in ["/instruments/", instrument_url(built["force"]), reverse("pages:person", args=["emmanuel-macron"])]:
        markup = get(client, url).content.decode()
        assert "<script" not in markup
        # Links out are to the sources a reader may follow; nothing is loaded (src=) from outside.
        assert re.findall(r'src="(https?://[^"]+)"', markup) == []
        assert re.findall(r'<link[^>]+href="(https?://[^"]+)"', markup) == []


def test_a_share_contributing_to_an_instrument_is_counted_once(client, world, public):
    """A contribution counts as every total counts it: a share of a contribution is inside it."""
    force = make.instrument("force", name="Force")
    ForceRequirement.objects.create(slug="req", title="Req", instrument=force, troops_min=10000, troops_max=10000)
    bulk = make.pledge(contributes_to=force, category=Category.TROOPS, troops_min=6000, troops_max=6000)
    make.pledge(contributes_to=force, category=Category.TROOPS, troops_min=2000, troops_max=2000, part_of=bulk)
    assert Pledge.objects.filter(contributes_to=force).count() == 2
    page = text(get(client, instrument_url(force)))
    assert "Contributed in numbers 6,000 troops (1 contribution giving a troop figure)" in page
    assert "Gap at the low end 4,000 troops short" in page
