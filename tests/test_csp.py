"""The Content-Security-Policy header (django-csp; the policy is in tracker/settings.py) on every kind of
response, its few narrow exceptions, and templates that need none. tests/test_browser_csp.py checks
in Chromium that the pages run under it without a violation."""

import base64
import hashlib
import re

import pytest
from django.contrib.staticfiles import finders
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import Client

from . import builders as make
from .conftest import PROJECT_DIR

pytestmark = pytest.mark.django_db

HEADER = "Content-Security-Policy"
# The policy of every page that needs no exception, directive by directive.
STRICT = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
TEMPLATE_DIRS = [PROJECT_DIR / "templates", PROJECT_DIR / "commitments" / "templates"]


def policy(response) -> dict[str, list[str]]:
    directives = [part.split() for part in response[HEADER].split(";") if part.strip()]
    return {name: sources for name, *sources in directives}


def sha256(value: str) -> str:
    return f"'sha256-{base64.b64encode(hashlib.sha256(value.encode()).digest()).decode()}'"


def style_attributes(response) -> set[str]:
    return set(re.findall(r'\sstyle="([^"]*)"', response.content.decode()))


def without_comments(template: str) -> str:
    """The template's markup, without the Django comments that may mention what it avoids."""
    template = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", "", template, flags=re.DOTALL)
    return re.sub(r"{#.*?#}", "", template)


@pytest.fixture
def pledge():
    return make.pledge(citations=1)


def test_a_public_page_has_the_strict_policy(client, settings, pledge):
    settings.PUBLIC_READ = True
    for url in ("/", f"/pledges/{pledge.pk}/"):
        response = client.get(url)
        assert response.status_code == 200
        assert policy(response) == STRICT, url


def test_the_admin_has_the_strict_policy(client, analyst_client, pledge):
    assert policy(client.get("/admin/login/")) == STRICT
    for url in ("/admin/commitments/pledge/", f"/admin/commitments/pledge/{pledge.pk}/change/"):
        response = analyst_client.get(url)
        assert response.status_code == 200
        assert policy(response) == STRICT, url


def test_an_api_response_has_the_strict_policy(pledge):
    client, _ = make.token_client(make.user(role="Viewer", staff=False), can_write=False)
    response = client.get(f"/api/pledges/{pledge.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert policy(response) == STRICT


def test_the_error_page_has_the_policy_and_its_stylesheet(settings, monkeypatch):
    """The page shown while the database is down: the header, and its look from a file."""

    def refuse(self, sql, params=None):
        raise OperationalError("connection refused")

    settings.PUBLIC_READ = True
    monkeypatch.setattr(CursorWrapper, "execute", refuse)
    response = Client(raise_request_exception=False).get("/pledges/")
    assert response.status_code == 503
    assert policy(response) == STRICT
    assert "/static/commitments/error.css" in response.content.decode()
    assert style_attributes(response) == set()


def test_the_browsable_api_admits_exactly_the_style_attribute_it_has(pledge):
    """DRF's page carries one fixed style attribute; its hash, and no other, is in these responses'
    policy. A DRF upgrade that changes the attribute fails here (and in the browser test)."""
    client = make.session_client(make.user(role="Analyst", staff=False))
    response = client.get("/api/pledges/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    found = style_attributes(response)
    assert found == {"float: right; margin-right: 10px"}
    header = policy(response)
    assert header["style-src-attr"] == ["'unsafe-hashes'", *(sha256(value) for value in found)]
    assert {name: sources for name, sources in header.items() if name != "style-src-attr"} == STRICT
    # DRF's inline Pygments stylesheet is left out (commitments/api/renderers.py).
    assert "<style" not in response.content.decode()
    # The same address as JSON needs no exception.
    assert policy(client.get("/api/pledges/", HTTP_ACCEPT="application/json")) == STRICT


def test_the_history_page_needs_no_exception_to_the_policy(analyst_client, pledge):
    # simple-history's list had a style attribute on its paginator; our copy of the template
    # (templates/simple_history/object_history_list.html) styles it from admin.css instead.
    response = analyst_client.get(f"/admin/commitments/pledge/{pledge.pk}/history/")
    assert response.status_code == 200
    assert style_attributes(response) == set()
    assert policy(response) == STRICT


def test_the_api_docs_page_has_no_inline_script_and_alone_admits_data_images(client, settings):
    settings.PUBLIC_READ = True
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert re.findall(r"<script(?![^>]*\ssrc=)", page) == []
    assert "<style" not in page and style_attributes(response) == set()
    assert policy(response) == {**STRICT, "img-src": ["'self'", "data:"]}
    # The start-up script Swagger UI's page loads from this server.
    start = re.search(r'<script src="([^"]*\bscript\b[^"]*)"', page).group(1).replace("&amp;", "&")
    script = client.get(start)
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in script.content.decode()


def test_redoc_leads_to_swagger_ui(client):
    response = client.get("/api/redoc/")
    assert response.status_code == 302 and response["Location"] == "/api/docs/"


@pytest.mark.parametrize(
    "pattern, what",
    [
        (r"<script(?![^>]*\ssrc=)", "an inline <script>"),
        (r"<style", "a <style> element"),
        (r"\sstyle=", "a style attribute"),
        (r"\son[a-z]+=", "an event handler attribute"),
        (r"javascript:", "a javascript: URL"),
        (r"""=\s*["']?data:""", "a data: URL"),
    ],
)
def test_our_templates_need_no_exception_to_the_policy(pattern, what):
    offending = [
        str(path.relative_to(PROJECT_DIR))
        for folder in TEMPLATE_DIRS
        for path in sorted(folder.rglob("*.html"))
        if re.search(pattern, without_comments(path.read_text()))
    ]
    assert offending == [], f"{what} in {offending}"


def test_every_static_file_our_templates_name_exists():
    """A missing file would stop the page (and, in production's manifest storage, the error page)."""
    named = {
        name
        for folder in TEMPLATE_DIRS
        for path in folder.rglob("*.html")
        for name in re.findall(r"""{%\s*static\s+['"]([^'"]+)['"]""", path.read_text())
    }
    assert "commitments/error.css" in named and "commitments/favicon.svg" in named
    assert [name for name in sorted(named) if not finders.find(name)] == []
