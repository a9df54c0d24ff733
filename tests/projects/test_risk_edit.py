"""projects:risk_edit: the coordinator, or the owner's staff, edit a risk's register entry; a save
from a stale form is refused (no lost updates)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from projects.models import Project, Risk, WorkPackage
from tests.factories import make_risk, make_work_package

pytestmark = pytest.mark.django_db


@pytest.fixture
def risk(project: Project, work_package: WorkPackage) -> Risk:
    """R1, owned by P2 (the `partner`'s organisation), in WP1."""
    return make_risk(
        project,
        owner=project.partners.get(number=2),
        title="Low turnout at local roundtables",
        work_packages=[work_package],
    )


def url(risk: Risk) -> str:
    return reverse("projects:risk_edit", args=[risk.project.slug, risk.number])


def form_data(risk: Risk, **changes: Any) -> dict[str, Any]:
    return {
        "title": risk.title,
        "description": risk.description,
        "category": risk.category,
        "work_packages": [str(wp.pk) for wp in risk.work_packages.all()],
        "mitigation": risk.mitigation,
        "owner": str(risk.owner_id),
        "version": str(risk.version),
        "change_reason": "",
        **changes,
    }


def loaded_version(client: Client, risk: Risk) -> str:
    """The version the edit form carries, as a browser would submit it."""
    html = client.get(url(risk)).content.decode()
    match = re.search(r'<input type="hidden" name="version" value="(\d+)"', html)
    assert match, "the edit form carries the row's version"
    return match.group(1)


def test_coordinator_edits_the_entry_and_its_work_packages(
    client: Client, coordinator: User, project: Project, risk: Risk
) -> None:
    wp2 = make_work_package(project, number=2, lead=project.partners.get(number=3))
    client.force_login(coordinator)
    version = loaded_version(client, risk)
    records_before = risk.history.count()

    response = client.post(
        url(risk),
        form_data(
            risk,
            title="Low turnout",
            work_packages=[str(wp2.pk)],
            version=version,
            change_reason="Scope",
        ),
        follow=True,
    )

    assert response.redirect_chain == [(risk.get_absolute_url(), 302)]
    assert "R1 saved." in response.content.decode()
    risk.refresh_from_db()
    assert risk.title == "Low turnout"
    assert list(risk.work_packages.all()) == [wp2]
    assert risk.version == 2
    # One history record for the edit, holding the fields and the work packages together.
    assert risk.history.count() == records_before + 1
    record = risk.history.latest()
    assert (record.history_user, record.history_change_reason) == (coordinator, "Scope")
    assert record.title == "Low turnout"
    assert [row.workpackage_id for row in record.work_packages.all()] == [wp2.pk]


def test_the_owners_staff_may_edit(client: Client, partner: User, risk: Risk) -> None:
    client.force_login(partner)

    response = client.post(url(risk), form_data(risk, mitigation="Evening sessions."))

    assert response.status_code == 302
    risk.refresh_from_db()
    assert risk.mitigation == "Evening sessions."


def test_scores_and_status_are_not_edited_here(
    client: Client, coordinator: User, risk: Risk
) -> None:
    """They change through dated reviews; posted values are ignored."""
    client.force_login(coordinator)

    client.post(url(risk), form_data(risk, likelihood="3", impact="3", status="closed"))

    risk.refresh_from_db()
    assert (risk.likelihood, risk.impact, risk.status) == (2, 2, "open")


def test_the_owners_staff_cannot_hand_the_risk_to_another_partner(
    client: Client, partner: User, project: Project, risk: Risk
) -> None:
    client.force_login(partner)

    response = client.post(url(risk), form_data(risk, owner=str(project.partners.get(number=3).pk)))

    assert response.status_code == 422
    risk.refresh_from_db()
    assert risk.owner.number == 2


def test_bad_input_is_refused_with_errors_and_nothing_is_saved(
    client: Client, coordinator: User, project: Project, risk: Risk
) -> None:
    wp2 = make_work_package(project, number=2, lead=project.partners.get(number=3))
    client.force_login(coordinator)

    response = client.post(url(risk), form_data(risk, title="", work_packages=[str(wp2.pk)]))

    assert response.status_code == 422
    assert "title" in response.context["form"].errors
    risk.refresh_from_db()
    assert risk.title == "Low turnout at local roundtables"
    assert [wp.number for wp in risk.work_packages.all()] == [1]
    assert risk.version == 1


def test_a_stale_save_is_refused_keeping_the_first_change_and_showing_the_second_input(
    client: Client, coordinator: User, partner: User, project: Project, risk: Risk
) -> None:
    wp2 = make_work_package(project, number=2, lead=project.partners.get(number=3))
    first, second = Client(), Client()
    first.force_login(coordinator)
    second.force_login(partner)
    # Both open the edit form at the same version...
    first_version = loaded_version(first, risk)
    second_version = loaded_version(second, risk)
    assert first_version == second_version == "1"

    # ...the coordinator saves first...
    saved = first.post(
        url(risk), form_data(risk, title="Coordinator's title", version=first_version)
    )
    assert saved.status_code == 302
    # ...then the partner saves over a version that is no longer there.
    refused = second.post(
        url(risk),
        form_data(
            risk,
            title="Partner's title",
            mitigation="Partner's mitigation",
            work_packages=[str(wp2.pk)],
            version=second_version,
        ),
    )

    assert refused.status_code == 409
    html = refused.content.decode()
    assert "Someone else changed this risk while you were editing it." in html
    assert "Your changes are below, not saved" in html
    assert 'value="Partner&#x27;s title"' in html  # their input, kept
    assert "Partner&#x27;s mitigation" in html
    assert "Coordinator&#x27;s title" in html  # the saved version, to compare
    risk.refresh_from_db()
    assert risk.title == "Coordinator's title"
    assert risk.mitigation == ""
    assert [wp.number for wp in risk.work_packages.all()] == [1]  # the M2M was not saved either
    assert risk.version == 2
    # The form now carries the current version: saving again is a deliberate overwrite.
    assert refused.context["form"]["version"].value() == "2"
    again = second.post(url(risk), form_data(risk, title="Partner's title", version="2"))
    assert again.status_code == 302
    risk.refresh_from_db()
    assert risk.title == "Partner's title"


@pytest.mark.parametrize("who", ["other_partner", "observer"])
def test_others_may_not_edit(
    client: Client, risk: Risk, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))

    assert client.get(url(risk)).status_code == 403
    assert client.post(url(risk), form_data(risk, title="Changed")).status_code == 403
    risk.refresh_from_db()
    assert risk.title == "Low turnout at local roundtables"


def test_outsider_gets_404(client: Client, outsider: User, risk: Risk) -> None:
    client.force_login(outsider)
    assert client.get(url(risk)).status_code == 404
    assert client.post(url(risk), form_data(risk, title="Changed")).status_code == 404


def test_anonymous_is_sent_to_login(client: Client, risk: Risk) -> None:
    response = client.post(url(risk), form_data(risk, title="Changed"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    risk.refresh_from_db()
    assert risk.title == "Low turnout at local roundtables"


def test_other_methods_are_not_allowed(client: Client, coordinator: User, risk: Risk) -> None:
    client.force_login(coordinator)
    assert client.put(url(risk)).status_code == 405
    assert client.delete(url(risk)).status_code == 405
