"""projects:risk_create: the coordinator and partners raise risks; a partner's risk is owned by
their own organisation; observers may not."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from projects.models import Project, Risk, WorkPackage

pytestmark = pytest.mark.django_db


def url(project: Project) -> str:
    return reverse("projects:risk_create", args=[project.slug])


def good(project: Project, owner_number: int, **changes: Any) -> dict[str, Any]:
    return {
        "title": "Venue unavailable for the final conference",
        "description": "The Brussels venue may be booked by another event.",
        "category": Risk.Category.EXTERNAL,
        "likelihood": "2",
        "impact": "3",
        "mitigation": "Hold an option on a second venue.",
        "owner": str(project.partners.get(number=owner_number).pk),
        **changes,
    }


def test_coordinator_raises_a_risk_for_any_partner(
    client: Client, coordinator: User, project: Project, work_package: WorkPackage
) -> None:
    client.force_login(coordinator)

    response = client.post(
        url(project), good(project, 3, work_packages=[str(work_package.pk)]), follow=True
    )

    risk = Risk.objects.get()
    assert response.redirect_chain == [(risk.get_absolute_url(), 302)]
    assert (risk.number, risk.owner.number, risk.likelihood, risk.impact) == (1, 3, 2, 3)
    assert risk.raised_by == coordinator
    assert list(risk.work_packages.all()) == [work_package]
    assert "R1 added to the register." in response.content.decode()
    created = risk.history.earliest()
    assert (created.history_user, created.history_change_reason) == (coordinator, "Raised")
    # The history page shows the raising once (the work packages' own record is bookkeeping).
    page = client.get(risk.get_absolute_url())
    assert [entry.reason for entry in page.context["history"]] == ["Raised"]


def test_the_form_offers_a_partner_only_their_own_organisation_preselected(
    client: Client, partner: User, project: Project
) -> None:
    client.force_login(partner)

    response = client.get(url(project))

    assert response.status_code == 200
    owner = response.context["form"]["owner"]
    assert [str(choice.choice_label) for choice in owner.subwidgets] == ["P2 CoopLab"]
    assert owner.value() == project.partners.get(number=2).pk


def test_coordinator_may_choose_any_partner_as_owner(
    client: Client, coordinator: User, project: Project
) -> None:
    client.force_login(coordinator)

    owner = client.get(url(project)).context["form"]["owner"]

    assert [str(c.choice_label) for c in owner.subwidgets][1:] == [
        "P1 EASPD",
        "P2 CoopLab",
        "P3 Voorbeeld",
    ]


def test_partner_raises_a_risk_owned_by_their_organisation(
    client: Client, partner: User, project: Project
) -> None:
    client.force_login(partner)

    response = client.post(url(project), good(project, 2))

    assert response.status_code == 302
    risk = Risk.objects.get()
    assert risk.owner.number == 2
    assert risk.raised_by == partner


def test_other_partner_may_raise_a_risk_too(
    client: Client, other_partner: User, project: Project
) -> None:
    client.force_login(other_partner)

    assert client.post(url(project), good(project, 3)).status_code == 302
    assert Risk.objects.get().owner.number == 3


def test_a_partner_cannot_give_a_risk_to_another_organisation(
    client: Client, partner: User, project: Project
) -> None:
    client.force_login(partner)

    response = client.post(url(project), good(project, 3))

    assert response.status_code == 422
    assert response.context["form"].errors["owner"]
    assert not Risk.objects.exists()


def test_missing_fields_are_refused_with_errors_and_nothing_is_saved(
    client: Client, coordinator: User, project: Project
) -> None:
    client.force_login(coordinator)

    response = client.post(url(project), good(project, 1, title="", likelihood="7"))

    assert response.status_code == 422
    errors = response.context["form"].errors
    assert set(errors) == {"title", "likelihood"}
    assert "This field is required." in response.content.decode()
    assert not Risk.objects.exists()


def test_a_work_package_of_another_project_is_refused(
    client: Client, coordinator: User, project: Project
) -> None:
    from tests.factories import make_organisation, make_partner, make_project, make_work_package

    elsewhere = make_project("OTHER")
    foreign_wp = make_work_package(elsewhere, lead=make_partner(elsewhere, make_organisation()))
    client.force_login(coordinator)

    response = client.post(url(project), good(project, 1, work_packages=[str(foreign_wp.pk)]))

    assert response.status_code == 422
    assert not Risk.objects.exists()


def test_numbers_follow_on(client: Client, coordinator: User, project: Project) -> None:
    client.force_login(coordinator)
    client.post(url(project), good(project, 1))
    client.post(url(project), good(project, 2))

    assert list(Risk.objects.values_list("number", flat=True)) == [1, 2]


def test_observer_may_not_raise_a_risk(client: Client, observer: User, project: Project) -> None:
    client.force_login(observer)

    assert client.get(url(project)).status_code == 403
    assert client.post(url(project), good(project, 1)).status_code == 403
    assert not Risk.objects.exists()


def test_outsider_gets_404(client: Client, outsider: User, project: Project) -> None:
    client.force_login(outsider)
    assert client.get(url(project)).status_code == 404
    assert client.post(url(project), good(project, 1)).status_code == 404


def test_anonymous_is_sent_to_login(client: Client, project: Project) -> None:
    response = client.post(url(project), good(project, 1))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Risk.objects.exists()


def test_other_methods_are_not_allowed(client: Client, coordinator: User, project: Project) -> None:
    client.force_login(coordinator)
    assert client.put(url(project)).status_code == 405
    assert client.delete(url(project)).status_code == 405
