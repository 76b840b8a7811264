"""`ensure_admin` lets a newcomer log in without any fixed password."""

import io
import re

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.test import RequestFactory


def ensure_admin(*args):
    out = io.StringIO()
    call_command("ensure_admin", *args, stdout=out)
    return out.getvalue()


def login(username, password):
    """authenticate() as the admin login calls it: with the request (the login limits need it)."""
    return authenticate(RequestFactory().post("/admin/login/"), username=username, password=password)


def printed_password(output):
    match = re.search(r"password: (\S+)", output)
    return match and match.group(1)


@pytest.mark.django_db
def test_creates_an_admin_with_a_random_password_it_prints_once():
    first = printed_password(ensure_admin())
    assert first and len(first) >= 16
    assert login("admin", first).is_superuser
    assert printed_password(ensure_admin()) is None  # not recreated, not reprinted
    assert login("admin", first)


@pytest.mark.django_db
def test_reset_gives_a_new_random_password():
    first = printed_password(ensure_admin())
    second = printed_password(ensure_admin("--reset"))
    assert second and second != first
    assert login("admin", first) is None
    assert login("admin", second)


@pytest.mark.django_db
def test_an_existing_superuser_is_left_alone():
    get_user_model().objects.create_superuser("someone", password="their own")
    assert "superuser exists already" in ensure_admin()
    assert not get_user_model().objects.filter(username="admin").exists()


@pytest.mark.django_db
def test_the_printed_login_names_the_address_given():
    assert "Admin login: http://0.0.0.0:8123/admin/ " in ensure_admin("--url", "http://0.0.0.0:8123/admin/")
    assert "Log into http://0.0.0.0:8123/admin/ as 'admin'" in ensure_admin("--url", "http://0.0.0.0:8123/admin/")


def test_make_run_prints_the_address_it_serves():
    """`make run PORT=8123` must not print port 8000: prepare passes its own HOST and PORT."""
    import pathlib
    import subprocess

    root = pathlib.Path(__file__).resolve().parent.parent
    for target in ("prepare", "admin-password"):
        dry = subprocess.run(
            ["make", "-n", target, "HOST=0.0.0.0", "PORT=8123"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "ensure_admin" in dry and "--url http://0.0.0.0:8123/admin/" in dry, dry
