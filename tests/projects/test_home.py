"""projects:home: the projects a user belongs to; someone in one project lands straight in it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from projects.models import Membership, Project
from tests.factories import make_membership, make_organisation, make_partner, make_project

pytestmark = pytest.mark.django_db

URL = reverse("projects:home")


def test_someone_in_one_project_lands_in_it(
    client: Client, partner: User, project: Project
) -> None:
    client.force_login(partner)
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:project_dashboard", args=[project.slug])


def test_someone_in_two_projects_gets_the_list(
    client: Client, partner: User, project: Project
) -> None:
    second = make_project("SEESAW", title="Social enterprises in sheltered work")
    make_membership(
        partner,
        second,
        role=Membership.Role.COORDINATOR,
        partner=make_partner(second, make_organisation("CoopLab2"), number=1),
    )
    client.force_login(partner)

    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Your projects" in html
    assert f'href="{project.get_absolute_url()}">CO-RESP</a>' in html
    assert f'href="{second.get_absolute_url()}">SEESAW</a>' in html
    assert "Partner for CoopLab" in html
    assert "Coordinator for CoopLab2" in html
    assert "Social enterprises in sheltered work" in html


def test_someone_in_no_project_is_told_how_to_get_in(client: Client, outsider: User) -> None:
    client.force_login(outsider)
    response = client.get(URL)
    assert response.status_code == 200
    assert "You are not a member of any project yet." in response.content.decode()


def test_an_inactive_membership_does_not_count(
    client: Client, partner: User, project: Project
) -> None:
    partner.memberships.update(is_active=False)
    client.force_login(partner)
    response = client.get(URL)
    assert response.status_code == 200
    assert "You are not a member of any project yet." in response.content.decode()


def test_an_observer_lands_in_their_project(
    client: Client, observer: User, project: Project
) -> None:
    client.force_login(observer)
    assert client.get(URL)["Location"] == project.get_absolute_url()


def test_anonymous_is_sent_to_login(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login") + "?next=/"


def test_post_is_not_allowed(client: Client, outsider: User) -> None:
    client.force_login(outsider)
    assert client.post(URL).status_code == 405
