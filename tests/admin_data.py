"""Records and accounts the admin tests build (the seed fixtures are not needed for these)."""

import datetime
from decimal import Decimal

from django.contrib.auth.models import Group, User
from django.utils.text import slugify

from commitments.choices import Category, Currency
from commitments.models import Citation, Pledge, Source, State

PASSWORD = "a-long-test-password-1"
FRENCH_PLEDGE = "French aid announcement of 2 billion euros"


def source(key="guardian-2025-03-11", **fields) -> Source:
    fields = {"title": f"Report {key}", "publisher": "The Guardian", "url": f"https://example.org/{key}", **fields}
    return Source.objects.get_or_create(key=key, defaults=fields)[0]


def state(code, name=None, **fields) -> State:
    return State.objects.get_or_create(code=code, defaults={"name": name or f"State {code}", **fields})[0]


def pledge(title, pledgers=("FR",), **fields) -> Pledge:
    fields.setdefault("category", Category.TROOPS)
    obj = Pledge.objects.create(slug=slugify(title)[:80], title=title, **fields)
    obj.pledgers.set([state(code) for code in pledgers])
    return obj


def french_pledge() -> Pledge:
    """The seed's "France, EUR 2 billion" pledge, until the lead's fixtures are merged."""
    state("FR", "France")
    obj = pledge(
        FRENCH_PLEDGE,
        pledgers=("FR",),
        category=Category.FUNDING,
        amount=Decimal("2000000000"),
        currency=Currency.EUR,
        value_date=datetime.date(2025, 3, 1),
        fx_rate=Decimal(1),
        amount_eur=Decimal("2000000000"),
    )
    Citation.objects.create(pledge=obj, source=source("france24-2025-03"), quote="2 billion euros")
    return obj


def user(username, role=None, *, superuser=False) -> User:
    account = User.objects.create_user(username, password=PASSWORD, is_staff=True, is_superuser=superuser)
    if role:
        account.groups.add(Group.objects.get(name=role))
    return account
