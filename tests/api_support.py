"""Test data and clients for the API tests (tests/test_api_*.py)."""

import datetime
import itertools

from django.contrib.auth.models import Group, Permission, User
from rest_framework.test import APIClient

from commitments import models
from commitments.choices import Category

_numbers = itertools.count(1)

# As the roles migration (0002_roles) grants them: analysts add, change and view the register but
# delete nothing (removing records is for superusers); viewers only view.
ANALYST_EDITS = ["pledge", "summit", "declaration", "source", "citation", "statuschange"]
ANALYST_PERMISSIONS = [f"{action}_{model}" for model in ANALYST_EDITS for action in ("add", "change", "view")] + [
    "view_state"
]
VIEWER_PERMISSIONS = [f"view_{model}" for model in [*ANALYST_EDITS, "state"]]


def role(name: str, codenames: list[str]) -> Group:
    """The Analyst and Viewer roles as the roles migration defines them (created here so the API
    tests do not depend on it: get_or_create keeps them if it is present)."""
    group, _ = Group.objects.get_or_create(name=name)
    group.permissions.add(*Permission.objects.filter(content_type__app_label="commitments", codename__in=codenames))
    return group


def user_with_role(name: str) -> User:
    codenames = ANALYST_PERMISSIONS if name == "Analyst" else VIEWER_PERMISSIONS
    user = User.objects.create_user(f"{name.lower()}-{next(_numbers)}")  # no password: no slow hashing
    user.groups.add(role(name, codenames))
    return user


def superuser() -> User:
    return User.objects.create_superuser(f"root-{next(_numbers)}", "root@example.org", None)


def token_client(user: User, *, can_write: bool) -> tuple[APIClient, models.ApiToken]:
    token, key = models.ApiToken.issue(user, name="test", can_write=can_write)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client, token


def session_client(user: User) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def state(code: str, name: str | None = None) -> models.State:
    return models.State.objects.get_or_create(code=code, defaults={"name": name or f"State {code}"})[0]


def source(key: str | None = None) -> models.Source:
    key = key or f"source-{next(_numbers)}"
    return models.Source.objects.get_or_create(
        key=key, defaults={"title": f"Report {key}", "publisher": "Example News", "url": f"https://example.org/{key}"}
    )[0]


def summit(slug: str = "paris-summit") -> models.Summit:
    return models.Summit.objects.get_or_create(
        slug=slug, defaults={"title": f"Summit {slug}", "kind": "leaders_summit", "date": datetime.date(2025, 3, 11)}
    )[0]


def declaration(slug: str = "paris-declaration") -> models.Declaration:
    return models.Declaration.objects.get_or_create(
        slug=slug, defaults={"title": f"Declaration {slug}", "kind": "joint_declaration", "status": "adopted"}
    )[0]


def pledge(
    slug: str | None = None,
    *,
    pledgers=("FR", "GB", "DE"),
    citations: int = 3,
    category: str = Category.TROOPS,
    **fields,
) -> models.Pledge:
    slug = slug or f"pledge-{next(_numbers)}"
    made = models.Pledge.objects.create(slug=slug, title=f"Pledge {slug}", category=category, **fields)
    made.pledgers.set([state(code) for code in pledgers])
    for n in range(citations):
        models.Citation.objects.create(pledge=made, source=source(), quote=f"quote {n} of {slug}")
    return made


def move(pledge_obj: models.Pledge, status: str, on: datetime.date, user=None) -> models.StatusChange:
    return pledge_obj.change_status(status, effective_date=on, source=source(), note="as reported", user=user)
