"""Records and accounts the admin tests build (the seed fixtures are not needed for these)."""

import datetime
from decimal import Decimal
from html.parser import HTMLParser
from importlib import import_module

from django.contrib.auth.models import Group, Permission, User
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


def ensure_roles() -> None:
    """The groups migration 0002 creates. Tests on a transactional database (the browser tests)
    empty every table afterwards; permissions come back with post_migrate, the groups do not."""
    roles = import_module("commitments.migrations.0002_roles").ROLES
    for name, codenames in roles.items():
        group, created = Group.objects.get_or_create(name=name)
        if created:
            group.permissions.set(
                Permission.objects.filter(content_type__app_label="commitments", codename__in=codenames)
            )


def user(username, role=None, *, superuser=False) -> User:
    account = User.objects.create_user(username, password=PASSWORD, is_staff=True, is_superuser=superuser)
    if role:
        ensure_roles()
        account.groups.add(Group.objects.get(name=role))
    return account


class _FormParser(HTMLParser):
    """Collects what a browser would submit from the first form with the given id."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.fields = form_id, False, []
        self.select = self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (self.form_id is None or attrs.get("id") == self.form_id):
            self.inside = True
        if not self.inside or ("name" not in attrs and tag in ("input", "select", "textarea")):
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "image", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields.append((attrs["name"], attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select":
            self.select = attrs["name"]
        elif tag == "option" and self.select and "selected" in attrs:
            self.fields.append((self.select, attrs.get("value", "")))
        elif tag == "textarea":
            self.textarea = attrs["name"]
            self.fields.append((self.textarea, ""))

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, text):
        if self.textarea:
            name, value = self.fields[-1]
            # Browsers drop the newline that follows <textarea>.
            self.fields[-1] = (name, value + (text[1:] if not value and text.startswith("\n") else text))


def form_data(response, form_id=None, **changes) -> dict:
    """The POST data of the page's form as shown, with `changes` applied (lists for multiple values)."""
    parser = _FormParser(form_id)
    parser.feed(response.content.decode())
    data = {}
    for name, value in parser.fields:
        data.setdefault(name, []).append(value)
    data.update({name: value if isinstance(value, list) else [value] for name, value in changes.items()})
    return data
