"""The send-back comment is a field of the site's form template: its help and its error tied to
the textarea, aria-invalid when refused (WCAG 1.3.1, 3.3.1); the form's hidden version carries
no aria-describedby (not allowed on a hidden input) and its errors are still shown."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django import forms
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from events.models import Event
from projects.models import Project
from reports.models import ConferenceReport
from tests.events.factories import make_event, make_report


@pytest.fixture
def event(project: Project) -> Event:
    return make_event(project, title="Final conference", kind=Event.Kind.FINAL_CONFERENCE)


def textarea(html: str) -> str:
    found = re.search(r'<textarea name="comment"[^>]*>', html)
    assert found, "no textarea"
    return found.group(0)


def hidden_inputs(html: str) -> list[str]:
    return re.findall(r'<input type="hidden"[^>]*>', html)


def test_the_comment_s_help_is_tied_to_it_on_the_event_page(
    client: Client, coordinator: Any, event: Event
) -> None:
    make_report(event, status=ConferenceReport.Status.IN_REVIEW)
    client.force_login(coordinator)
    html = client.get(event.get_absolute_url()).content.decode()

    comment = textarea(html)
    assert 'id="id_comment"' in comment
    assert 'aria-describedby="id_comment_helptext"' in comment
    assert 'id="id_comment_helptext"' in html
    assert '<label for="id_comment">' in html
    assert not any("aria-describedby" in hidden for hidden in hidden_inputs(html))


def test_a_refused_comment_is_invalid_and_tied_to_its_error(
    client: Client, coordinator: Any, event: Event
) -> None:
    report = make_report(event, status=ConferenceReport.Status.IN_REVIEW)
    client.force_login(coordinator)
    url = reverse("reports:conference_report_send_back", args=[event.project.slug, event.pk])

    html = client.post(url, {"version": report.version, "comment": " "}).content.decode()

    comment = textarea(html)
    assert 'aria-invalid="true"' in comment
    assert 'aria-describedby="id_comment_helptext id_comment_error"' in comment
    assert re.search(r'<ul class="errorlist" id="id_comment_error"><li>Say what should', html)


def test_a_bad_version_is_shown_once_without_aria_on_the_hidden_input(
    client: Client, coordinator: Any, event: Event
) -> None:
    make_report(event, status=ConferenceReport.Status.IN_REVIEW)
    client.force_login(coordinator)
    url = reverse("reports:conference_report_send_back", args=[event.project.slug, event.pk])

    html = client.post(url, {"version": "x", "comment": "More figures"}).content.decode()

    # Once in the form and once in the summary at the top; never twice in the form.
    assert html.count('id="id_version_error"') == 1
    assert not any("aria-describedby" in hidden for hidden in hidden_inputs(html))


class HiddenHelpForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, help_text="Not for people.")
    name = forms.CharField(help_text="As others see it.")


def test_the_form_template_puts_no_aria_on_hidden_inputs_and_shows_their_errors() -> None:
    form = HiddenHelpForm({"token": "", "name": ""})
    assert not form.is_valid()

    html = render_to_string("includes/form.html", {"form": form})

    [token] = hidden_inputs(html)
    assert "aria-describedby" not in token and "aria-invalid" not in token
    assert 'id="id_token_error"' in html  # the hidden field's error is still shown
    assert 'aria-describedby="id_name_helptext id_name_error"' in html
