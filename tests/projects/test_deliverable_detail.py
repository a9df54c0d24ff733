"""projects:deliverable_detail: a deliverable's facts, versions, progress, history and the actions
the viewer's role allows."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from projects.models import Deliverable, DeliverableVersion, ProgressUpdate, Project
from tests.factories import (
    make_deliverable,
    make_organisation,
    make_partner,
    make_project,
    make_work_package,
)

pytestmark = pytest.mark.django_db


def url(d: Deliverable) -> str:
    return reverse("projects:deliverable_detail", args=[d.project.slug, d.number])


def action(name: str, d: Deliverable) -> str:
    return reverse(f"projects:{name}", args=[d.project.slug, d.number])


def page(client: Client, d: Deliverable) -> str:
    response = client.get(url(d))
    assert response.status_code == 200
    return response.content.decode()


def set_status(d: Deliverable, status: str) -> None:
    Deliverable.objects.filter(pk=d.pk).update(status=status)


def test_shows_the_deliverables_facts(
    client: Client, partner: User, deliverable: Deliverable
) -> None:
    Deliverable.objects.filter(pk=deliverable.pk).update(description="Rules & templates.")
    client.force_login(partner)

    html = page(client, deliverable)

    assert "D1.1 Project handbook" in html
    assert "Rules &amp; templates." in html
    assert "M6: 31 March 2023" in html  # the due month and its calendar date
    assert "P2 CoopLab" in html
    assert "R: document, report" in html
    assert "PU: public" in html
    assert '<span class="badge">Planned</span>' in html
    assert "No file uploaded yet." in html
    assert "No progress update yet." in html


def test_shows_versions_progress_updates_and_the_latest_percent(
    client: Client, partner: User, coordinator: User, deliverable: Deliverable
) -> None:
    DeliverableVersion.objects.create(
        deliverable=deliverable,
        file="deliverables/1/abc.pdf",
        original_name="handbook_v1.pdf",
        content_type="application/pdf",
        size=2048,
        sha256="ab" * 32,
        note="First draft",
        uploaded_by=partner,
    )
    ProgressUpdate.objects.create(
        deliverable=deliverable, percent=20, note="Outline", author=partner
    )
    ProgressUpdate.objects.create(
        deliverable=deliverable, percent=60, note="Draft", author=coordinator
    )
    client.force_login(partner)

    html = page(client, deliverable)

    version = deliverable.versions.get()
    assert (
        reverse("projects:deliverable_version_download", args=["co-resp", "D1.1", version.pk])
        in html
    )
    assert "handbook_v1.pdf" in html and "First draft" in html and "2.0\xa0KB" in html
    assert "Pat Partner" in html
    assert "<strong>60%</strong>" in html and "<strong>20%</strong>" in html
    assert html.index("60%") < html.index("<strong>20%</strong>")  # newest first
    assert "60%</dd>" in html  # the latest update is the deliverable's progress


def test_a_request_for_changes_shows_the_coordinators_comment(
    client: Client, partner: User, deliverable: Deliverable
) -> None:
    Deliverable.objects.filter(pk=deliverable.pk).update(
        status=Deliverable.Status.CHANGES_REQUESTED, review_comment="Add the annexes."
    )
    client.force_login(partner)
    html = page(client, deliverable)
    assert "The coordinator asked for changes:</strong> Add the annexes." in html


# Actions by the last part of their URL name (deliverable_<action>), offered or not.
WORK = "start submit version_upload progress_add edit"
REVIEW = "approve request_changes record_submission"


@pytest.mark.parametrize(
    ("status", "who", "offered", "not_offered"),
    [
        # the lead organisation's staff start, submit, upload and log progress
        ("planned", "partner", WORK, "approve request_changes"),
        ("in_preparation", "partner", "submit version_upload", "start approve"),
        ("changes_requested", "partner", "submit", "start"),
        ("in_review", "partner", "version_upload", "submit approve request_changes"),
        # the coordinator reviews and records the submission
        ("in_review", "coordinator", "approve request_changes", "record_submission start"),
        ("approved", "coordinator", "record_submission", "approve submit"),
        ("submitted", "coordinator", "", REVIEW + " submit start"),
        # another partner and an observer only read
        ("planned", "other_partner", "", WORK + " " + REVIEW),
        ("in_review", "observer", "", WORK + " " + REVIEW),
    ],
)
def test_offers_the_actions_the_role_and_status_allow(
    client: Client,
    deliverable: Deliverable,
    status: str,
    who: str,
    offered: str,
    not_offered: str,
    request: pytest.FixtureRequest,
) -> None:
    set_status(deliverable, status)
    client.force_login(request.getfixturevalue(who))
    html = page(client, deliverable)
    for name in offered.split():
        assert action(f"deliverable_{name}", deliverable) in html, name
    for name in not_offered.split():
        assert action(f"deliverable_{name}", deliverable) not in html, name


def test_the_forms_carry_the_version_the_page_showed(
    client: Client, coordinator: User, deliverable: Deliverable
) -> None:
    set_status(deliverable, Deliverable.Status.IN_REVIEW)
    Deliverable.objects.filter(pk=deliverable.pk).update(version=7)
    client.force_login(coordinator)
    html = page(client, deliverable)
    assert html.count('name="version" value="7"') >= 2  # approve and request changes


def test_says_who_works_on_it_to_those_who_cannot_act(
    client: Client, observer: User, deliverable: Deliverable
) -> None:
    client.force_login(observer)
    assert "The lead partner, CoopLab, works on this deliverable." in page(client, deliverable)
    set_status(deliverable, Deliverable.Status.IN_REVIEW)
    assert "Waiting for the coordinator's review." in page(client, deliverable)


@pytest.mark.parametrize("who", ["coordinator", "partner", "other_partner", "observer"])
def test_every_member_may_read_it(
    client: Client, deliverable: Deliverable, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))
    assert client.get(url(deliverable)).status_code == 200


def test_outsider_gets_404(client: Client, outsider: User, deliverable: Deliverable) -> None:
    client.force_login(outsider)
    assert client.get(url(deliverable)).status_code == 404


def test_unknown_number_gets_404(client: Client, partner: User, project: Project) -> None:
    client.force_login(partner)
    response = client.get(reverse("projects:deliverable_detail", args=[project.slug, "D9.9"]))
    assert response.status_code == 404


def test_another_projects_deliverable_is_not_reachable_through_this_project(
    client: Client, partner: User, project: Project
) -> None:
    other = make_project("OTHER")
    lead = make_partner(other, make_organisation("Elsewhere"))
    make_deliverable(make_work_package(other, number=3, lead=lead), number="D3.1")
    client.force_login(partner)
    assert (
        client.get(reverse("projects:deliverable_detail", args=[project.slug, "D3.1"])).status_code
        == 404
    )
    assert (
        client.get(reverse("projects:deliverable_detail", args=[other.slug, "D3.1"])).status_code
        == 404
    )


def test_anonymous_is_sent_to_login(client: Client, deliverable: Deliverable) -> None:
    response = client.get(url(deliverable))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")


def test_post_is_not_allowed(client: Client, partner: User, deliverable: Deliverable) -> None:
    client.force_login(partner)
    assert client.post(url(deliverable)).status_code == 405
