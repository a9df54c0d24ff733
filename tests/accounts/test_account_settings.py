"""account_settings: a person's own account page, where they set their name and the language of
their pages and emails (the account menu's way to the preference; the footer's switcher is the
other)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.factories import make_user

pytestmark = pytest.mark.django_db

URL = reverse("account_settings")


@pytest.fixture
def ana(client: Client) -> User:
    user = make_user("ana@example.org", full_name="Ana Alonso")
    client.force_login(user)
    return user


def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert client.post(URL, {"full_name": "X", "language": "de"}).status_code == 302


def test_the_menu_leads_to_the_page_which_shows_the_account(client: Client, ana: User) -> None:
    home = client.get(reverse("projects:home")).content.decode()
    assert f'href="{URL}"' in home and "Your account" in home

    content = client.get(URL).content.decode()
    assert "ana@example.org" in content
    assert 'value="Ana Alonso"' in content
    assert f'href="{reverse("account_change_password")}"' in content
    for code, name in settings.LANGUAGES:
        assert f'<option value="{code}">{name}</option>' in content


def test_choosing_german_saves_it_and_the_next_page_is_german(client: Client, ana: User) -> None:
    response = client.post(URL, {"full_name": "Ana Alonso", "language": "de"}, follow=True)

    ana.refresh_from_db()
    assert ana.language == "de"
    assert response.redirect_chain == [(URL, 302)]
    assert '<html lang="de">' in response.content.decode()
    assert [str(m) for m in response.context["messages"]] != ["Your account is saved."]
    assert len(response.context["messages"]) == 1
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"


def test_the_browsers_language_again(client: Client, ana: User) -> None:
    ana.language = "de"
    ana.save()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"

    client.post(URL, {"full_name": "Ana Alonso", "language": ""})

    ana.refresh_from_db()
    assert ana.language == ""
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == ""  # deleted
    page = client.get(reverse("projects:home"), headers={"accept-language": "fr"})
    assert '<html lang="fr">' in page.content.decode()


def test_a_name_change_is_saved(client: Client, ana: User) -> None:
    client.post(URL, {"full_name": "Ana Alonso García", "language": ""})
    ana.refresh_from_db()
    assert ana.full_name == "Ana Alonso García"


def test_an_unknown_language_is_refused_with_the_error_on_the_field(
    client: Client, ana: User
) -> None:
    response = client.post(URL, {"full_name": "Someone else", "language": "xx"})

    assert response.status_code == 422
    content = response.content.decode()
    assert "<title>Error:" in content
    assert response.context["form"].errors["language"]
    assert 'aria-invalid="true"' in content
    ana.refresh_from_db()
    assert (ana.full_name, ana.language) == ("Ana Alonso", "")  # nothing saved


def test_only_get_and_post(client: Client, ana: User) -> None:
    assert client.delete(URL).status_code == 405
