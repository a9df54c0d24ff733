"""Choosing the language: the browser's Accept-Language on a first visit, then the switcher
(a cookie for anyone, the account's preference for a person signed in)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.factories import make_user

pytestmark = pytest.mark.django_db

LOGIN = reverse("account_login")
CHOOSE = reverse("language_choose")


def html_lang(content: bytes) -> str:
    match = re.search(rb'<html lang="([^"]+)"', content)
    assert match, "the page declares its language"
    return match.group(1).decode()


def test_anonymous_visitor_gets_the_language_of_their_browser(client: Client) -> None:
    response = client.get(LOGIN, headers={"accept-language": "bg,en;q=0.5"})
    assert response.status_code == 200
    assert html_lang(response.content) == "bg"
    assert response["Content-Language"] == "bg"


def test_an_unknown_browser_language_falls_back_to_english(client: Client) -> None:
    response = client.get(LOGIN, headers={"accept-language": "ja"})
    assert html_lang(response.content) == "en"


def test_switcher_lists_every_language_in_its_own_name(client: Client) -> None:
    content = client.get(LOGIN).content.decode()
    for code, name in settings.LANGUAGES:
        assert f'<option value="{code}" lang="{code}"' in content
        assert f">{name}</option>" in content


def test_switcher_remembers_the_choice_of_an_anonymous_visitor(client: Client) -> None:
    response = client.post(CHOOSE, {"language": "de", "next": LOGIN})
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"
    assert html_lang(client.get(LOGIN, headers={"accept-language": "fr"}).content) == "de"


def test_signed_in_choice_is_saved_on_the_account_and_follows_the_person(client: Client) -> None:
    user = make_user("ana@example.org")
    client.force_login(user)
    client.post(CHOOSE, {"language": "es", "next": "/"})
    user.refresh_from_db()
    assert user.language == "es"
    # Another device: no cookie, a browser in English; the account's choice wins.
    other = Client()
    other.force_login(user)
    response = other.get(reverse("projects:home"), headers={"accept-language": "en"})
    assert html_lang(response.content) == "es"


def test_a_person_who_never_chose_follows_the_browser(client: Client) -> None:
    client.force_login(make_user("ana@example.org"))
    response = client.get(reverse("projects:home"), headers={"accept-language": "fr"})
    assert html_lang(response.content) == "fr"


def test_an_unknown_language_changes_nothing(client: Client) -> None:
    user = make_user("ana@example.org", language="de")
    client.force_login(user)
    client.post(CHOOSE, {"language": "xx", "next": "/"})
    user.refresh_from_db()
    assert user.language == "de"
    assert settings.LANGUAGE_COOKIE_NAME not in client.cookies


def test_switcher_never_redirects_off_the_site(client: Client) -> None:
    response = client.post(CHOOSE, {"language": "de", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert not response["Location"].startswith("https://evil.example")


def test_switcher_only_takes_posts(client: Client) -> None:
    assert client.get(CHOOSE).status_code == 405


def test_email_language_is_the_choice_or_the_site_default() -> None:
    assert User(email="a@example.org", language="bg").email_language == "bg"
    assert User(email="b@example.org").email_language == settings.LANGUAGE_CODE
