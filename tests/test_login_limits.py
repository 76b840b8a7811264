"""Login limits (django-axes): repeated failed logins from one address lock it out for a while —
429 with Retry-After, even with the right password then — while other addresses log in, and a
successful login clears the count. Found by an adversarial run: 40 wrong passwords in 20 s were all
answered, then the right one worked."""

import pytest
from django.conf import settings

from . import builders as make

pytestmark = pytest.mark.django_db
LOGIN = "/admin/login/"


@pytest.fixture
def account():
    return make.user("ana", "Analyst", password=make.PASSWORD)


def attempt(client, password, address="203.0.113.7"):
    return client.post(LOGIN, {"username": "ana", "password": password}, REMOTE_ADDR=address)


def test_an_address_is_locked_out_after_the_limit_even_with_the_right_password(client, account):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "wrong").status_code == 200  # the form again, with its error
    locked = attempt(client, "wrong")
    assert locked.status_code == 429
    assert locked["Retry-After"] == str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    assert "Too many failed logins" in locked.content.decode()
    right = attempt(client, make.PASSWORD)
    assert right.status_code == 429 and "_auth_user_id" not in client.session
    # Another address is not held back by this one's failures.
    assert attempt(client, make.PASSWORD, address="198.51.100.20").status_code == 302


def test_a_successful_login_clears_the_count(client, account):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, "wrong")
    assert attempt(client, make.PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "wrong").status_code == 200
    assert attempt(client, make.PASSWORD).status_code == 302
