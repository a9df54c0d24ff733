"""After an invalid POST, on any form of any app: the title starts with "Error:", and an error
summary at the top of the main content links to each failing field (WCAG 3.3.1, 2.4.3).

The summary comes from base.html and the error_summary tag (accounts/templatetags), not from
each page: these tests post to forms of four apps and of allauth to show that no page needs its
own. The browser test (tests/browser/test_error_focus.py) checks that it takes focus.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pytest
from django import forms
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.templatetags.error_summary import Problem, summarise
from events.models import Event
from projects.models import Deliverable, Project
from reports.models import ConferenceReport
from tests.events.factories import make_event, make_report


@dataclass
class Page(HTMLParser):
    """What a reader meets: the title, every id, and the error summary's links and lines."""

    title: str = ""
    ids: set[str] = field(default_factory=set)
    summary_links: list[str] = field(default_factory=list)
    summary_lines: list[str] = field(default_factory=list)
    first_in_main: str = ""  # the first element inside <main>
    _in_title: bool = False
    _in_main: bool = False
    _summary_depth: int = 0
    _line: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if element_id := attributes.get("id"):
            self.ids.add(element_id)
        if self._in_main and not self.first_in_main:
            self.first_in_main = f"{tag}.{attributes.get('class') or ''}"
        if tag == "title":
            self._in_title = True
        elif tag == "main":
            self._in_main = True
        elif tag == "section" and "data-error-summary" in attributes:
            self._summary_depth = 1
        elif self._summary_depth:
            if tag == "section":
                self._summary_depth += 1
            if tag == "a":
                self.summary_links.append(attributes.get("href") or "")
            if tag == "li":
                self._line = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif self._summary_depth and tag == "li":
            self.summary_lines.append(" ".join("".join(self._line).split()))
        elif self._summary_depth and tag == "section":
            self._summary_depth -= 1

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if self._summary_depth:
            self._line.append(data)


def read(response: Any) -> Page:
    page = Page()
    page.feed(response.content.decode())
    page.title = " ".join(page.title.split())
    return page


def assert_summary_links_each_field(page: Page, field_ids: list[str]) -> None:
    assert page.title.startswith("Error: "), page.title
    assert page.first_in_main.startswith("section.message message-error error-summary")
    assert page.summary_links == [f"#{field_id}" for field_id in field_ids]
    for field_id in field_ids:
        assert field_id in page.ids  # the link goes somewhere


# --- one form of each app ---------------------------------------------------------------------


def test_an_invalid_account_form_is_summarised(client: Client, partner: User) -> None:
    client.force_login(partner)
    response = client.post(reverse("account_settings"), {"full_name": "Ana", "language": "xx"})

    assert response.status_code == 422
    page = read(response)
    assert_summary_links_each_field(page, ["id_language"])
    assert page.summary_lines[0].startswith("Language of pages and emails: Select a valid choice.")


def test_an_invalid_event_form_is_summarised_field_by_field(
    client: Client, partner: User, project: Project
) -> None:
    client.force_login(partner)
    response = client.post(reverse("events:event_create", args=[project.slug]), {"title": ""})

    assert response.status_code == 422
    page = read(response)
    # In the order of the page, not of validation.
    failing = [field.id_for_label for field in response.context["form"] if field.errors]
    assert "id_title" in failing and len(failing) > 2
    assert_summary_links_each_field(page, failing)


def test_an_upload_without_a_file_is_summarised(
    client: Client, partner: User, deliverable: Deliverable
) -> None:
    client.force_login(partner)
    url = reverse("projects:deliverable_version_upload", args=[deliverable.project.slug, "D1.1"])
    response = client.post(url, {"note": "forgot the file"})

    assert response.status_code == 422
    # The upload form's ids carry its prefix ("upload-"): the summary links to them as rendered.
    assert_summary_links_each_field(read(response), ["upload-file"])


def test_a_refused_send_back_is_summarised(
    client: Client, coordinator: User, project: Project
) -> None:
    event = make_event(project, kind=Event.Kind.FINAL_CONFERENCE)
    report = make_report(event, status=ConferenceReport.Status.IN_REVIEW)
    client.force_login(coordinator)
    url = reverse("reports:conference_report_send_back", args=[project.slug, event.pk])
    response = client.post(url, {"version": report.version, "comment": " "})

    assert response.status_code == 422
    page = read(response)
    assert_summary_links_each_field(page, ["id_comment"])
    assert page.summary_lines == ["What should change: Say what should change."]


@pytest.mark.django_db
def test_a_wrong_password_is_summarised_as_the_form_s_error(client: Client) -> None:
    response = client.post(reverse("account_login"), {"login": "x@example.org", "password": "n"})

    page = read(response)
    assert page.title.startswith("Error: Sign in")
    assert page.summary_links == []  # the form's error, not a field's: nothing to link to
    assert len(page.summary_lines) == 1
    assert "not correct" in page.summary_lines[0]


def test_a_page_without_errors_has_no_summary(client: Client, partner: User) -> None:
    client.force_login(partner)
    page = read(client.get(reverse("account_settings")))

    assert not page.title.startswith("Error")
    assert page.summary_lines == []
    assert "data-error-summary" not in client.get(reverse("account_settings")).content.decode()


# --- what the summary lists -------------------------------------------------------------------


class RowForm(forms.Form):
    text = forms.CharField(label="Recommendation")
    version = forms.IntegerField(widget=forms.HiddenInput)


def test_formset_rows_are_numbered_and_hidden_errors_have_no_link() -> None:
    RowFormSet = forms.formset_factory(RowForm, extra=0)
    data = {
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "0",
        "form-0-text": "Fine",
        "form-0-version": "1",
        "form-1-text": "",
        "form-1-version": "x",
    }
    formset = RowFormSet(data)
    # The same form twice in the context (as a page passing `form` and `send_back_form`): once.
    summary = summarise([formset, formset.forms[1], "csrf", None])

    assert summary.problems == [
        Problem("Recommendation, row 2: This field is required.", "id_form-1-text"),
        Problem("Enter a whole number."),
    ]


def test_an_unbound_or_valid_form_gives_no_summary() -> None:
    assert not summarise([RowForm(), RowForm({"text": "a", "version": "1"})])
