"""allauth's forms rendered with the site's form template (templates/allauth/elements/): each
field's help in a div tied to it by aria-describedby, its errors tied too (WCAG 1.3.1, 3.3.2).

allauth's own markup put the password rules (a list) in a span inside a paragraph; a list may be
in neither, so the browser closed the paragraph before it and left the help element empty: the
rules were not read with the field. The browser test (tests/browser/test_error_focus.py) reads
the help element as Chromium parses it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD

VOID = {"input", "br", "img", "meta", "link", "hr", "source", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    ancestors: list[str]
    text: str = ""


@dataclass
class Elements(HTMLParser):
    """Every element with an id, with its ancestors' tags and its text."""

    by_id: dict[str, Element] = field(default_factory=dict)
    _open: list[tuple[str, Element | None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        element = None
        if "id" in attributes:
            element = Element(tag, attributes, [t for t, _ in self._open])
            self.by_id[attributes["id"]] = element
        if tag not in VOID:
            self._open.append((tag, element))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            open_tag, _ = self._open.pop()
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        for _, element in self._open:
            if element is not None:
                element.text += data


def elements(response: Any) -> Elements:
    parsed = Elements()
    parsed.feed(response.content.decode())
    return parsed


@pytest.fixture
def signed_in(client: Client, partner: User) -> Client:
    client.force_login(partner)
    return client


def test_the_password_rules_are_the_help_of_the_new_password(signed_in: Client) -> None:
    response = signed_in.get(reverse("account_change_password"))
    page = elements(response)
    # The server's errors, not the browser's bubbles, as on every form of the site.
    assert '<form method="post" action="/accounts/password/change/" novalidate>' in (
        response.content.decode()
    )

    new_password = page.by_id["id_password1"]
    help_id = "id_password1_helptext"
    assert help_id in new_password.attrs["aria-describedby"].split()
    help_element = page.by_id[help_id]
    assert "at least 8 characters" in help_element.text
    # A list is allowed in a div; inside a p or a span the browser moves it out, emptying the help.
    assert help_element.tag == "div"
    assert not {"p", "span"} & set(help_element.ancestors)


def test_password_change_errors_are_tied_to_their_fields(signed_in: Client) -> None:
    response = signed_in.post(
        reverse("account_change_password"),
        {"oldpassword": "not it", "password1": "short", "password2": "other"},
    )

    page = elements(response)
    for name in ("oldpassword", "password1"):
        field_element = page.by_id[f"id_{name}"]
        assert field_element.attrs["aria-invalid"] == "true"
        described_by = field_element.attrs["aria-describedby"].split()
        assert f"id_{name}_error" in described_by
        assert page.by_id[f"id_{name}_error"].text.strip()


@pytest.mark.django_db
def test_the_login_form_has_labels_and_one_forgot_password_link(client: Client) -> None:
    response = client.get(reverse("account_login"))
    html = response.content.decode()

    assert '<label for="id_login">' in html and '<label for="id_password">' in html
    assert html.count("Forgot your password?") == 1
    # The one link is the password field's help, read with the field.
    page = elements(response)
    assert page.by_id["id_password"].attrs["aria-describedby"] == "id_password_helptext"
    assert "Forgot your password?" in page.by_id["id_password_helptext"].text


@pytest.mark.django_db
def test_the_password_reset_form_uses_the_site_s_form_template(client: Client) -> None:
    response = client.post(reverse("account_reset_password"), {"email": "not an address"})

    page = elements(response)
    assert page.by_id["id_email"].attrs["aria-describedby"] == "id_email_error"
    assert '<div class="field field-error">' in response.content.decode()


def test_the_authenticator_app_form_ties_help_and_errors(signed_in: Client) -> None:
    activate = reverse("mfa_activate_totp")
    reauthenticate = signed_in.get(activate)["Location"]  # allauth asks for the password first
    signed_in.post(reauthenticate, {"password": PASSWORD})

    response = signed_in.post(activate, {"code": "12"})

    page = elements(response)
    # The secret is a field allauth writes by hand (templates/allauth/elements/field.html).
    secret = page.by_id["authenticator_secret"]
    assert secret.attrs["aria-describedby"] == "authenticator_secret_helptext"
    assert "reinstall your authenticator app" in page.by_id["authenticator_secret_helptext"].text
    code = page.by_id["id_code"]
    assert (code.attrs["aria-invalid"], code.attrs["aria-describedby"]) == ("true", "id_code_error")
    assert "Incorrect code." in page.by_id["id_code_error"].text
