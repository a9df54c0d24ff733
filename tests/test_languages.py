"""The platform in a partner's own language: a person who chose German reads the dashboard, a
form's errors and their email in German, with German dates; a browser asking for Bulgarian gets
the login page in Bulgarian. (PDFs in a chosen language: tests/reports/test_report_language.py;
the switcher and Accept-Language: tests/accounts/test_language_choose.py; the catalogues:
tests/test_translations.py.)

The German words asserted are the glossary's (locale/glossary.toml) and Django's own, so a test
fails when a page falls back to English, not when a translator rewords a sentence."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.workflows import invite_user
from projects.models import Deliverable, Project
from tests.factories import make_milestone, make_user
from tests.smtp import body

pytestmark = pytest.mark.django_db


def html_lang(content: bytes) -> str:
    match = re.search(rb'<html lang="([^"]+)"', content)
    assert match, "the page declares its language"
    return match.group(1).decode()


def speaks_german(user: User) -> User:
    user.language = "de"
    user.save(update_fields=["language"])
    return user


def test_a_german_reader_gets_the_dashboard_in_german_with_german_dates(
    client: Client, coordinator: User, project: Project
) -> None:
    make_milestone(project, number="MS1", title="Kick-off held", due_month=12)
    client.force_login(speaks_german(coordinator))

    # The browser asks for English: the saved preference wins.
    response = client.get(project.get_absolute_url(), headers={"accept-language": "en"})

    assert response.status_code == 200
    content = response.content.decode()
    assert html_lang(response.content) == "de"
    assert response["Content-Language"] == "de"
    assert "Arbeitspaket" in content and "Meilenstein" in content
    assert "Work packages" not in content and "Milestones" not in content
    # M12 ends on 30 September 2023: German short dates are day.month.year.
    assert "30.9.2023" in content
    assert "30 Sep 2023" not in content
    # What people wrote stays as written.
    assert "Kick-off held" in content


def test_the_same_dashboard_in_english_keeps_its_english(
    client: Client, coordinator: User, project: Project
) -> None:
    make_milestone(project, number="MS1", title="Kick-off held", due_month=12)
    client.force_login(coordinator)
    content = client.get(project.get_absolute_url()).content.decode()
    assert "Work packages" in content and "30 Sep 2023" in content


def test_a_german_reader_gets_a_forms_errors_in_german(
    client: Client, coordinator: User, deliverable: Deliverable
) -> None:
    client.force_login(speaks_german(coordinator))
    data = {
        "number": deliverable.number,
        "title": "",
        "work_package": deliverable.work_package_id,
        "lead": deliverable.lead_id,
        "type": deliverable.type,
        "dissemination": deliverable.dissemination,
        "due_month": 40,
        "description": "",
        "version": deliverable.version,
    }
    url = reverse("projects:deliverable_edit", args=[deliverable.project.slug, deliverable.number])

    response = client.post(url, data)

    assert response.status_code == 422
    form = response.context["form"]
    assert form.errors["title"] == ["Dieses Feld ist zwingend erforderlich."]  # Django's German
    due_month_error = form.errors["due_month"][0]
    assert "M40" in due_month_error and "M18" in due_month_error
    assert "outside the project" not in due_month_error  # the platform's own message, in German
    content = response.content.decode()
    assert "Dieses Feld ist zwingend erforderlich." in content
    assert html_lang(response.content) == "de"
    # The label the error is tied to is German too.
    assert "Titel" in content
    assert Deliverable.objects.get(pk=deliverable.pk).version == 1  # nothing saved


@pytest.mark.usefixtures("in_process_tasks")
def test_an_invitation_reaches_a_german_reader_in_german(
    smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    user = make_user("greta@example.org", password=None, full_name="Greta Gleisdorf")
    speaks_german(user)

    # Sent from an English admin page: the recipient's language, not the sender's.
    with django_capture_on_commit_callbacks(execute=True):
        invite_user(user)

    (message,) = smtp_server.to("greta@example.org")
    assert "CO-RESP" in message["Subject"]
    assert "invited" not in message["Subject"]
    text = body(message)
    assert "Greta" in text and "Passwort" in text  # "password", as any German text says it
    assert "/accounts/password/reset/key/" in text
    assert "Hello" not in text and "Choose your password" not in text


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("in_process_tasks")
def test_a_password_reset_asked_from_an_english_browser_is_mailed_in_the_readers_language(
    client: Client, smtp_server: Any
) -> None:
    user = make_user("greta@example.org", full_name="Greta Gleisdorf")
    speaks_german(user)

    response = client.post(
        reverse("account_reset_password"),
        {"email": "greta@example.org"},
        headers={"accept-language": "en"},
    )

    assert response.status_code == 302
    (message,) = smtp_server.to("greta@example.org")
    assert "Passwort" in message["Subject"] or "Passwort" in body(message)
    assert "password reset" not in body(message).lower()


def test_a_bulgarian_browser_gets_the_login_page_in_bulgarian(client: Client) -> None:
    response = client.get(reverse("account_login"), headers={"accept-language": "bg,en;q=0.5"})

    content = response.content.decode()
    assert html_lang(response.content) == "bg"
    assert "Вход" in content  # allauth's "Sign In", through the site's template
    assert "Sign In" not in content and "Forgot your password?" not in content
    # The page frame is the platform's own text: Cyrillic in the footer and the skip link.
    assert re.search(r'class="skip-link"[^>]*>[^<]*[\u0400-\u04ff]', content)


@pytest.mark.parametrize(
    ("language", "label", "expected"),
    [
        ("en", "Submitted for review", "submitted for review"),
        ("en", "SEN: sensitive", "SEN: sensitive"),
        ("fr", "Soumis pour relecture", "soumis pour relecture"),
        ("de", "Arbeit begonnen", "Arbeit begonnen"),
        ("bg", "Изпратен за преглед", "изпратен за преглед"),
        ("en", "", ""),
    ],
)
def test_a_label_inside_a_sentence_keeps_german_nouns_capitalised(
    language: str, label: str, expected: str
) -> None:
    from django.utils import translation

    from coresp.text import in_sentence

    with translation.override(language):
        assert in_sentence(label) == expected
