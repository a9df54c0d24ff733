"""The conference report's admin page saves through the versioned-edit door, like the pages."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from projects.models import Project
from tests.events.factories import make_event, make_report
from tests.factories import make_user
from tests.projects.admin_pages import loaded

pytestmark = pytest.mark.django_db


def test_a_report_corrected_in_the_admin_moves_its_version_and_a_stale_save_is_refused(
    project: Project,
) -> None:
    report = make_report(make_event(project), recommendations=1)
    client = Client()
    client.force_login(make_user("admin@example.org", is_staff=True, is_superuser=True))
    url = reverse("admin:reports_conferencereport_change", args=[report.pk])
    page = loaded(client, url)
    assert page["version"] == report.version

    response = client.post(url, {**page, "summary": "Corrected summary."})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.summary, report.version) == ("Corrected summary.", page["version"] + 1)
    assert report.history.latest("history_id").history_change_reason == "Changed in the admin"

    # The page as first loaded is stale now: refused, nothing saved.
    response = client.post(url, {**page, "summary": "From the old page."}, follow=True)
    assert "nothing on the page was saved" in response.content.decode()
    report.refresh_from_db()
    assert report.summary == "Corrected summary."
