"""The site as a whole: the home page needs a login, and errors get the site's own pages."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_home_sends_anonymous_visitors_to_login(client: Client) -> None:
    response = client.get(reverse("projects:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login") + "?next=/"


def test_home_of_someone_in_no_project_says_so(client: Client, outsider: User) -> None:
    client.force_login(outsider)
    response = client.get(reverse("projects:home"))
    assert response.status_code == 200
    assert b"You are not a member of any project yet." in response.content


def test_unknown_address_gets_the_friendly_404_page(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    assert b"We could not find that page" in response.content
    assert b"CO-RESP" in response.content


def test_404_page_does_not_leak_debug_information(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert b"Using the URLconf" not in response.content
    assert b"Traceback" not in response.content
