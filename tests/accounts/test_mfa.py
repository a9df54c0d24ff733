"""Second factors (accounts/mfa.py on allauth.mfa): staff and coordinators must enrol before
using the site, others may; with an authenticator app the login asks for its code; wrong codes
are rate-limited; recovery codes are shown once and work once; an admin can reset a lost factor."""

from __future__ import annotations

import time
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.test import Client
from django.urls import reverse

from accounts.models import SecurityEvent, User
from projects.models import Project
from tests.factories import PASSWORD, give_second_factor, make_user, totp_code

pytestmark = pytest.mark.django_db

ENROL = reverse("mfa_index")
HOME = reverse("projects:home")


def project_url(project: Project) -> str:
    return reverse("projects:project_dashboard", args=[project.slug])


def without_second_factor(user: User) -> User:
    Authenticator.objects.filter(user=user).delete()
    return user


def log_in_with_password(client: Client, user: User) -> Any:
    return client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# --- who must enrol -------------------------------------------------------------------------


def test_coordinator_without_a_second_factor_is_sent_to_enrolment_and_sees_why(
    client: Client, coordinator: User, project: Project
) -> None:
    client.force_login(without_second_factor(coordinator))

    response = client.get(project_url(project))
    assert response.status_code == 302
    assert response["Location"] == ENROL

    page = client.get(ENROL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Set up a second factor to continue" in html
    assert "Site administrators and project coordinators" in html
    assert f'href="{reverse("mfa_activate_totp")}"' in html
    assert "<nav" in html  # in the site's frame (base.html), not allauth's bare layout


def test_staff_without_a_second_factor_is_sent_to_enrolment(client: Client) -> None:
    staff = User.objects.create_user("staff@example.org", None, is_staff=True)
    client.force_login(staff)
    response = client.get(HOME)
    assert (response.status_code, response["Location"]) == (302, ENROL)


def test_partner_without_a_second_factor_is_not_sent_to_enrolment(
    client: Client, partner: User, project: Project
) -> None:
    assert not Authenticator.objects.filter(user=partner).exists()
    client.force_login(partner)
    assert client.get(project_url(project)).status_code == 200
    # Nor told to: the two-factor page is theirs to use, without the reason for the rule.
    assert "Set up a second factor to continue" not in client.get(ENROL).content.decode()


def test_coordinator_with_a_second_factor_uses_the_site(
    client: Client, coordinator: User, project: Project
) -> None:
    assert Authenticator.objects.filter(user=coordinator, type="totp").exists()  # the cast's
    client.force_login(coordinator)
    assert client.get(project_url(project)).status_code == 200


def test_an_inactive_coordinator_membership_does_not_require_enrolment(
    client: Client, coordinator: User, project: Project
) -> None:
    coordinator.memberships.update(is_active=False)
    client.force_login(without_second_factor(coordinator))
    response = client.get(HOME)
    assert response.status_code != 302 or response["Location"] != ENROL


def test_the_pages_needed_to_enrol_pass_through_the_middleware(
    client: Client, coordinator: User
) -> None:
    client.force_login(without_second_factor(coordinator))
    assert client.get(ENROL).status_code == 200
    # Setting up an app first asks for the password again (a force_login is not a fresh one).
    activate = client.get(reverse("mfa_activate_totp"))
    assert activate.status_code == 302
    assert activate["Location"].startswith(reverse("account_reauthenticate"))
    assert client.get(activate["Location"]).status_code == 200
    assert client.get(reverse("healthz")).status_code == 200
    assert client.get(reverse("account_logout")).status_code == 200
    switched = client.post(reverse("language_choose"), {"language": "de", "next": HOME})
    assert (switched.status_code, switched["Location"]) == (302, HOME)
    # Anything else is not.
    assert client.get(reverse("account_settings"))["Location"] == ENROL
    assert client.get("/admin/")["Location"] == ENROL


def test_an_htmx_request_is_told_to_leave_the_page(client: Client, coordinator: User) -> None:
    client.force_login(without_second_factor(coordinator))
    response = client.get(HOME, headers={"HX-Request": "true"})
    assert (response.status_code, response["HX-Redirect"]) == (204, ENROL)


def test_enrolling_lets_the_coordinator_in_and_shows_the_recovery_codes_once(
    client: Client, coordinator: User, project: Project, django_capture_on_commit_callbacks: Any
) -> None:
    without_second_factor(coordinator)
    assert log_in_with_password(client, coordinator)["Location"] == HOME
    assert client.get(HOME)["Location"] == ENROL

    # allauth asks for the password again before a factor is added, even just after login.
    activate = reverse("mfa_activate_totp")
    reauthenticate = client.get(activate)["Location"]
    assert reauthenticate.startswith(reverse("account_reauthenticate"))
    assert client.post(reauthenticate, {"password": PASSWORD})["Location"] == activate
    assert client.get(activate).status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    # allauth sends its signals (the security log's source) once the transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(activate, {"code": current_code(secret)})
    assert response["Location"] == reverse("mfa_view_recovery_codes")

    codes = RecoveryCodes(
        Authenticator.objects.get(user=coordinator, type="recovery_codes")
    ).get_unused_codes()
    assert len(codes) == 10
    first_view = client.get(reverse("mfa_view_recovery_codes")).content.decode()
    assert all(code in first_view for code in codes)
    second_view = client.get(reverse("mfa_view_recovery_codes")).content.decode()
    assert not any(code in second_view for code in codes)
    assert client.get(reverse("mfa_download_recovery_codes")).status_code == 403

    assert client.get(project_url(project)).status_code == 200
    logged = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.MFA_ENABLED, user=coordinator)
    assert sorted(logged.values_list("detail__type", flat=True)) == ["recovery_codes", "totp"]


def test_partner_may_enrol_from_the_account_page(client: Client, partner: User) -> None:
    client.force_login(partner)
    page = client.get(reverse("account_settings")).content.decode()
    assert "Set up two-factor authentication" in page
    assert f'href="{ENROL}"' in page
    give_second_factor(partner)
    page = client.get(reverse("account_settings")).content.decode()
    assert "Manage your second factors and recovery codes" in page


# --- signing in with a second factor --------------------------------------------------------


def test_with_an_authenticator_app_the_login_needs_its_code(
    client: Client, coordinator: User, project: Project
) -> None:
    response = log_in_with_password(client, coordinator)
    assert response["Location"] == reverse("mfa_authenticate")
    assert not signed_in(client)
    assert client.get(project_url(project)).status_code == 302  # to the login, not in

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(coordinator)})
    assert response["Location"] == HOME
    assert signed_in(client)
    assert client.get(project_url(project)).status_code == 200


def test_a_wrong_code_does_not_log_in_and_is_logged(client: Client, coordinator: User) -> None:
    log_in_with_password(client, coordinator)
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert response.status_code == 200
    assert "Incorrect code." in response.content.decode()
    assert not signed_in(client)
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.MFA_FAILED, user=coordinator)


def test_five_wrong_codes_lock_the_attempts_even_for_the_right_one(
    client: Client, coordinator: User
) -> None:
    log_in_with_password(client, coordinator)
    right = totp_code(coordinator)
    wrong = "000000" if right != "000000" else "111111"
    for _attempt in range(5):
        response = client.post(reverse("mfa_authenticate"), {"code": wrong})
        assert "Incorrect code." in response.content.decode()

    response = client.post(reverse("mfa_authenticate"), {"code": right})
    assert "Too many failed login attempts" in response.content.decode()
    assert not signed_in(client)
    failed = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.MFA_FAILED, user=coordinator)
    assert failed.count() == 5


def test_a_recovery_code_works_once(client: Client, coordinator: User) -> None:
    code = RecoveryCodes.activate(coordinator).generate_codes()[0]

    log_in_with_password(client, coordinator)
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response["Location"] == HOME
    assert signed_in(client)
    used = SecurityEvent.objects.get(kind=SecurityEvent.Kind.RECOVERY_CODE_USED)
    assert (used.user, used.detail["remaining"]) == (coordinator, 9)

    client.post(reverse("account_logout"))
    log_in_with_password(client, coordinator)
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert "Incorrect code." in response.content.decode()
    assert not signed_in(client)


# --- an admin resets a lost factor ----------------------------------------------------------


def test_admin_resets_a_lost_factor_and_it_is_in_the_security_log(
    client: Client, coordinator: User
) -> None:
    RecoveryCodes.activate(coordinator)
    admin = make_user("admin@example.org", is_staff=True, is_superuser=True)
    client.force_login(admin)

    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [coordinator.pk]},
        follow=True,
    )
    assert "The second factor of 1 person was reset." in response.content.decode()
    assert not Authenticator.objects.filter(user=coordinator).exists()
    assert Authenticator.objects.filter(user=admin).exists()  # only the selected people's
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.MFA_RESET)
    assert (event.user, event.actor, event.detail["removed"]) == (coordinator, admin, 2)

    # At their next sign-in, the coordinator enrols again.
    other = Client()
    assert log_in_with_password(other, coordinator)["Location"] == HOME
    assert other.get(HOME)["Location"] == ENROL
