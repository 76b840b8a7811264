"""Who may do what: a permission matrix over every endpoint and method, tokens, PUBLIC_READ,
throttling."""

import datetime
import json

import pytest
from django.contrib.auth.models import Permission, User
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from commitments import models
from commitments.api.permissions import load_permissions
from commitments.models.tokens import hash_key

from . import builders as make

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()


PRINCIPALS = [
    "anonymous",
    "anonymous, PUBLIC_READ off",
    "read-only token (Analyst)",
    "read-write token (Analyst)",
    "read-write token (Viewer)",
    "Viewer session",
    "Analyst session",
    "read-write token (superuser)",
]
WRITERS = {"read-write token (Analyst)", "Analyst session", "read-write token (superuser)"}
DELETERS = {"read-write token (superuser)"}  # analysts delete nothing, in the admin as here


def principal_client(name: str) -> APIClient:
    if name.startswith("anonymous"):
        return APIClient()
    if "superuser" in name:
        return make.token_client(make.user(superuser=True), can_write=True)[0]
    role = "Analyst" if "Analyst" in name else "Viewer"
    user = make.user(role=role, staff=False)
    if "token" in name:
        return make.token_client(user, can_write="read-write" in name)[0]
    return make.session_client(user)


def operations():
    """Every endpoint × method, each with what it needs; the pledge-changing ones get their own pledge."""
    make.state("FR")
    source = make.source("bbc")
    make.summit("paris")
    make.declaration("paris-text")
    shown = make.pledge("shown", citations=1)
    make.instrument("force")
    make.post("envoy", holder=make.person("someone"))
    make.statement("said")
    new = {"slug": "created", "title": "New", "category": "troops", "pledgers": ["FR"]}
    reads = [
        ("GET", "/api/", None),
        ("GET", "/api/pledges/", None),
        ("GET", f"/api/pledges/{shown.pk}/", None),
        ("GET", f"/api/pledges/{shown.pk}/history/", None),
        ("GET", "/api/states/", None),
        ("GET", "/api/states/FR/", None),
        ("GET", "/api/summits/", None),
        ("GET", "/api/summits/paris/", None),
        ("GET", "/api/declarations/", None),
        ("GET", "/api/declarations/paris-text/", None),
        ("GET", "/api/sources/", None),
        ("GET", "/api/sources/bbc/", None),
        ("GET", "/api/instruments/", None),
        ("GET", "/api/instruments/force/", None),
        ("GET", "/api/instruments/force/history/", None),
        ("GET", "/api/people/someone/", None),
        ("GET", "/api/posts/envoy/", None),
        ("GET", "/api/statements/", None),
        ("GET", "/api/statements/said/", None),
        ("GET", "/api/instruments/export.csv", None),
        ("GET", "/api/changes/", None),
        ("GET", "/api/schema/", None),
        ("GET", "/api/docs/", None),
        ("HEAD", "/api/pledges/", None),
        ("OPTIONS", "/api/pledges/", None),
    ]
    writes = [
        ("POST", "/api/pledges/", new),
        ("PUT", "/api/pledges/{pk}/", {**new, "slug": "replaced"}),
        ("PATCH", "/api/pledges/{pk}/", {"title": "Patched"}),
        ("DELETE", "/api/pledges/{pk}/", None),
        (
            "POST",
            "/api/pledges/{pk}/status/",
            {"status": "announced", "effective_date": "2025-01-01", "note": "n", "source": source.key},
        ),
    ]
    not_offered = [
        (method, url, {})
        for url in (
            "/api/",
            "/api/states/",
            "/api/states/FR/",
            "/api/summits/paris/",
            "/api/declarations/",
            "/api/sources/bbc/",
            "/api/instruments/",
            "/api/instruments/force/",
            "/api/instruments/force/history/",
            "/api/people/someone/",
            "/api/posts/",
            "/api/statements/said/",
            "/api/changes/",
            "/api/pledges/{pk}/history/",
        )
        for method in ("POST", "PUT", "PATCH", "DELETE")
    ] + [("PUT", "/api/pledges/", {}), ("DELETE", "/api/pledges/", {}), ("GET", "/api/pledges/{pk}/status/", None)]
    return reads, writes, not_offered


def expected_status(principal: str, kind: str, method: str) -> int:
    anonymous = principal.startswith("anonymous")
    if kind == "not offered":
        return 405
    if kind == "read":
        return 401 if principal == "anonymous, PUBLIC_READ off" else 200
    if anonymous:
        return 401
    if principal not in WRITERS or (method == "DELETE" and principal not in DELETERS):
        return 403
    return {"POST": 201, "DELETE": 204}.get(method, 200)


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_permission_matrix(settings, principal):
    settings.PUBLIC_READ = principal != "anonymous, PUBLIC_READ off"
    client = principal_client(principal)
    reads, writes, not_offered = operations()
    got, wanted = {}, {}
    for kind, items in (("read", reads), ("write", writes), ("not offered", not_offered)):
        for method, url, data in items:
            target = make.pledge()  # each write acts on a pledge of its own
            url = url.format(pk=target.pk)
            payload = "" if data is None else json.dumps(data)
            # Writes carry the pledge's ETag, as API_REQUIRE_IF_MATCH asks; the matrix is about permissions.
            response = client.generic(method, url, payload, content_type="application/json", **make.if_match(target))
            key = f"{method} {url.replace(str(target.pk), '{pk}')}"
            got[key], wanted[key] = response.status_code, expected_status(principal, kind, method)
            if response.status_code >= 300 and kind == "write":
                target.refresh_from_db()  # a refused write leaves the pledge as it was
                assert (target.title, target.version, target.status) == (f"Pledge {target.slug}", 1, "not_assessable")
    assert got == wanted
    unexpected = {key for key, code in got.items() if 200 <= code < 300 and wanted[key] >= 300}
    assert not unexpected
    if principal not in WRITERS:
        assert not models.Pledge.objects.filter(slug__in=["created", "replaced"]).exists()


def test_read_only_token_and_viewer_messages_say_why(settings):
    settings.PUBLIC_READ = False
    analyst = make.user(role="Analyst", staff=False)
    read_only, _ = make.token_client(analyst, can_write=False)
    response = read_only.post("/api/pledges/", {}, format="json")
    assert response.status_code == 403 and "read-only" in response.json()["detail"]
    viewer_writer, _ = make.token_client(make.user(role="Viewer", staff=False), can_write=True)
    response = viewer_writer.post("/api/pledges/", {}, format="json")
    assert response.status_code == 403 and "commitments.add_pledge" in response.json()["detail"]


def test_unauthenticated_is_401_with_a_challenge(settings):
    settings.PUBLIC_READ = False
    response = APIClient().get("/api/pledges/")
    assert response.status_code == 401 and response["WWW-Authenticate"] == 'Token realm="api"'


@pytest.mark.parametrize(
    "header",
    ["Token nonsense", "Token", "Token a b", "Bearer wrong", "Token \u00e9t\u00e9".encode().decode("latin-1")],
)
def test_bad_tokens_are_401(settings, header):
    settings.PUBLIC_READ = True  # a bad token is refused even where anonymous reading is allowed
    response = APIClient().get("/api/pledges/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401


def test_tokens_are_stored_hashed_and_record_use(settings):
    settings.PUBLIC_READ = False
    user = make.user(role="Viewer", staff=False)
    token, key = models.ApiToken.issue(user, name="sync", can_write=False)
    assert token.key_hash == hash_key(key) and key not in {token.key_hash, token.prefix}
    assert key.startswith(token.prefix)
    assert token.last_used is None
    client = APIClient()
    assert client.get("/api/pledges/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    token.refresh_from_db()
    assert token.last_used is not None and timezone.now() - token.last_used < datetime.timedelta(minutes=1)
    user.is_active = False
    user.save()
    assert client.get("/api/pledges/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401


def test_admin_issues_a_token_and_shows_the_key_once(client):
    admin = User.objects.create_superuser("root", "root@example.org", None)
    owner = make.user(role="Analyst", staff=False)
    client.force_login(admin)
    response = client.post(
        "/admin/commitments/apitoken/add/", {"name": "partner", "user": owner.pk, "can_write": "on"}, follow=True
    )
    assert response.status_code == 200
    token = models.ApiToken.objects.get(name="partner")
    shown = next(str(m) for m in response.context["messages"] if "copy it now" in str(m))
    key = shown.split(" is ")[1].split(" ")[0]
    assert hash_key(key) == token.key_hash and token.can_write
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.patch("/api/pledges/1/", {}, format="json", HTTP_IF_MATCH="*").status_code == 404  # authenticated


def test_anonymous_and_token_clients_are_throttled(settings):
    settings.PUBLIC_READ = True
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/min", "token": "5/min"},
    }
    anonymous = APIClient()
    assert [anonymous.get("/api/states/").status_code for _ in range(4)] == [200, 200, 200, 429]
    throttled = anonymous.get("/api/states/")
    assert 0 < int(throttled["Retry-After"]) <= 60  # within the rate's minute
    token_client, _ = make.token_client(make.user(role="Viewer", staff=False), can_write=False)
    assert [token_client.get("/api/states/").status_code for _ in range(6)] == [200] * 5 + [429]
    other_token, _ = make.token_client(make.user(role="Viewer", staff=False), can_write=False)
    assert other_token.get("/api/states/").status_code == 200  # counted per token
    session = make.session_client(make.user(role="Analyst", staff=False))
    assert {session.get("/api/states/").status_code for _ in range(8)} == {200}  # analysts at work are not limited


def test_throttle_rates_are_parsed_strictly():
    from django.core.exceptions import ImproperlyConfigured

    from tracker.settings import throttle_rate

    assert throttle_rate("API_THROTTLE_ANON", "30/hour", "1/min") == "30/hour"
    assert throttle_rate("API_THROTTLE_ANON", None, "1/min") == "1/min"
    assert throttle_rate("API_THROTTLE_ANON", "off", "1/min") is None
    with pytest.raises(ImproperlyConfigured, match="API_THROTTLE_ANON"):
        throttle_rate("API_THROTTLE_ANON", "lots", "1/min")


@pytest.mark.parametrize("role", [None, "Viewer", "Analyst"])
def test_permissions_loaded_in_one_query_are_the_backends(role, django_assert_num_queries):
    """The API reads a user's permissions, their own and their groups', in one query: the same
    set Django's ModelBackend reads in two."""
    account = make.user(role=role, staff=False)
    account.user_permissions.add(Permission.objects.get(codename="view_source"))
    expected = User.objects.get(pk=account.pk).get_all_permissions()
    fresh = User.objects.get(pk=account.pk)
    with django_assert_num_queries(1):
        load_permissions(fresh)
        assert fresh.get_all_permissions() == expected and "commitments.view_source" in expected
