"""A conference report cites good practices from the project's collection (procurement's
GoodPractice): chosen on the report's form, listed on the event page with links and in the
report's PDF; a practice of another project cannot be cited."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from events.models import Event
from projects.models import Project
from reports import rendering
from reports.models import ConferenceReport
from tests.events.factories import make_event, make_report
from tests.factories import make_organisation, make_partner, make_project
from tests.procurement.factories import make_good_practice
from tests.reports import make_conference_pdf
from tests.reports.test_conference_report_edit import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(project: Project) -> Event:
    return make_event(project, title="Final conference", kind=Event.Kind.FINAL_CONFERENCE)


def edit_url(event: Event) -> str:
    return reverse("reports:conference_report_edit", args=[event.project.slug, event.pk])


def test_the_form_offers_the_projects_practices_and_saves_the_citations(
    client: Client, partner: Any, event: Event, project: Project
) -> None:
    catering = make_good_practice(project, title="Reserved catering in schools")
    make_good_practice(project, title="Cleaning by a sheltered workshop")
    other = make_project("OTHER", slug="other")
    recorder = make_partner(other, make_organisation("Elsewhere"), number=1)
    make_good_practice(other, recorded_by=recorder, title="Someone else's case")
    client.force_login(partner)
    page = client.get(edit_url(event)).content.decode()
    assert "Reserved catering in schools" in page and 'type="checkbox"' in page
    assert "Someone else" not in page

    response = client.post(
        edit_url(event),
        form_data([], summary="Buyers met social enterprises.", good_practices=[catering.pk]),
    )

    assert response.status_code == 302
    report = ConferenceReport.objects.get(event=event)
    assert list(report.good_practices.all()) == [catering]
    event_page = client.get(event.get_absolute_url()).content.decode()
    assert "Good practices cited" in event_page
    assert f'href="{catering.get_absolute_url()}"' in event_page


def test_a_practice_of_another_project_is_refused(
    client: Client, partner: Any, event: Event
) -> None:
    other = make_project("OTHER", slug="other")
    recorder = make_partner(other, make_organisation("Elsewhere"), number=1)
    foreign = make_good_practice(other, recorded_by=recorder, title="Someone else's case")
    client.force_login(partner)

    response = client.post(
        edit_url(event), form_data([], summary="A summary.", good_practices=[foreign.pk])
    )

    assert response.status_code == 422
    assert response.context["form"].errors["good_practices"]
    assert not ConferenceReport.objects.filter(event=event).exists()


def test_the_pdf_lists_the_practices_cited(
    event: Event, project: Project, coordinator: Any
) -> None:
    report = make_report(event, status=ConferenceReport.Status.PUBLISHED)
    report.good_practices.add(
        make_good_practice(project, title="Reserved catering in schools", results="Twelve jobs.")
    )
    pdf = make_conference_pdf(event, coordinator)

    content = rendering.render_generated_report(pdf, pdf.queued_at).content

    text = " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages
    )
    assert "Good practices cited" in text
    squeezed = text.replace(" ", "")  # the text layer splits some words
    assert "Reservedcateringinschools" in squeezed and "Twelvejobs." in squeezed
