"""The security log (accounts.SecurityEvent): each sign-in event is a line with the person and
their address, the lines never change, and only site administrators read them."""

from __future__ import annotations

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.test import Client
from django.urls import reverse

from accounts.models import SecurityEvent, User
from accounts.security import record
from projects.models import Deliverable, Project, WorkPackage
from tests.factories import PASSWORD, give_second_factor, make_deliverable, make_user

LOGIN = reverse("account_login")
IP = "203.0.113.7"
NEW_PASSWORD = "a-New-Password-2024"

pytestmark = pytest.mark.django_db


@pytest.fixture
def visitor() -> Client:
    return Client(REMOTE_ADDR=IP, HTTP_USER_AGENT="Test browser")


def log_in(client: Client, email: str, password: str = PASSWORD) -> int:
    return client.post(LOGIN, {"login": email, "password": password}).status_code


def kinds() -> list[str]:
    return list(SecurityEvent.objects.order_by("pk").values_list("kind", flat=True))


def only(kind: str) -> SecurityEvent:
    return SecurityEvent.objects.get(kind=kind)


def test_a_sign_in_is_recorded_with_the_person_and_their_address(visitor: Client) -> None:
    ana = make_user("ana@example.org")
    assert log_in(visitor, "ana@example.org") == 302
    event = only(SecurityEvent.Kind.LOGIN)
    assert (event.user, event.email, event.ip_address) == (ana, "ana@example.org", IP)
    assert event.user_agent == "Test browser"


def test_a_wrong_password_is_recorded_as_a_failed_sign_in(visitor: Client) -> None:
    ana = make_user("ana@example.org")
    assert log_in(visitor, "Ana@example.org", "not-the-password") == 200
    event = only(SecurityEvent.Kind.LOGIN_FAILED)
    assert (event.user, event.email, event.ip_address) == (ana, "ana@example.org", IP)
    assert kinds() == [SecurityEvent.Kind.LOGIN_FAILED]
    # The password tried is nowhere in the line.
    assert "not-the-password" not in str(event.detail)


def test_a_failed_sign_in_for_an_unknown_address_keeps_the_address(visitor: Client) -> None:
    log_in(visitor, "nobody@example.org", "guess")
    event = only(SecurityEvent.Kind.LOGIN_FAILED)
    assert (event.user, event.email, event.ip_address) == (None, "nobody@example.org", IP)


def test_the_sixth_wrong_password_is_recorded_as_a_lockout(visitor: Client) -> None:
    # allauth's login_failed limit is 5 per 5 minutes per account; the 6th is not even tried.
    ana = make_user("ana@example.org")
    for _ in range(6):
        log_in(visitor, "ana@example.org", "not-the-password")
    assert kinds() == [SecurityEvent.Kind.LOGIN_FAILED] * 5 + [SecurityEvent.Kind.LOCKOUT], (
        "accounts.adapters.AccountAdapter must derive from accounts.lockout.LockoutRecordingAdapter"
    )
    event = only(SecurityEvent.Kind.LOCKOUT)
    assert (event.user, event.ip_address) == (ana, IP)


def test_signing_out_is_recorded(visitor: Client) -> None:
    ana = make_user("ana@example.org")
    log_in(visitor, "ana@example.org")
    visitor.post(reverse("account_logout"))
    event = only(SecurityEvent.Kind.LOGOUT)
    assert (event.user, event.ip_address) == (ana, IP)


def test_a_password_change_is_recorded(visitor: Client) -> None:
    ana = make_user("ana@example.org")
    log_in(visitor, "ana@example.org")
    response = visitor.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    event = only(SecurityEvent.Kind.PASSWORD_CHANGED)
    assert (event.user, event.ip_address) == (ana, IP)


def test_a_password_reset_is_recorded(visitor: Client) -> None:
    ana = make_user("ana@example.org")
    # The link the reset mail carries (test_password_reset.py follows the mail itself).
    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(ana), "key": default_token_generator.make_token(ana)},
    )
    form = visitor.get(path, follow=True)
    form_path = form.redirect_chain[-1][0] if form.redirect_chain else path
    response = visitor.post(form_path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    event = only(SecurityEvent.Kind.PASSWORD_RESET)
    assert (event.user, event.ip_address) == (ana, IP)


def test_an_export_with_sensitive_deliverables_is_recorded(
    visitor: Client, partner: User, project: Project, work_package: WorkPackage
) -> None:
    make_deliverable(work_package, number="D1.1", dissemination=Deliverable.Dissemination.PU)
    make_deliverable(work_package, number="D1.2", dissemination=Deliverable.Dissemination.SEN)
    visitor.force_login(partner)
    url = reverse("projects:deliverable_export", args=[project.slug, "csv"])
    response = visitor.get(url)
    assert response.status_code == 200
    event = only(SecurityEvent.Kind.SENSITIVE_EXPORT)
    assert (event.user, event.ip_address) == (partner, IP)
    assert event.detail == {
        "export": "deliverables",
        "project": project.slug,
        "format": "csv",
        "sensitive_rows": 1,
    }


def test_an_export_without_sensitive_deliverables_is_not_recorded(
    visitor: Client, partner: User, project: Project, work_package: WorkPackage
) -> None:
    make_deliverable(work_package, number="D1.1", dissemination=Deliverable.Dissemination.PU)
    make_deliverable(work_package, number="D1.2", dissemination=Deliverable.Dissemination.SEN)
    visitor.force_login(partner)
    # Filtered to the public one: no sensitive row leaves.
    url = reverse("projects:deliverable_export", args=[project.slug, "csv"])
    response = visitor.get(url + "?dissemination=PU")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert b"D1.1" in body
    assert b"D1.2" not in body
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.SENSITIVE_EXPORT).exists()


def test_a_line_cannot_be_changed_or_deleted() -> None:
    event = record(SecurityEvent.Kind.LOGIN_FAILED, email="ana@example.org")
    event.email = "someone.else@example.org"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        SecurityEvent.objects.filter(pk=event.pk).update(email="x@example.org")
    with pytest.raises(PermissionError):
        SecurityEvent.objects.all().delete()
    event.refresh_from_db()
    assert event.email == "ana@example.org"


def test_a_site_admin_reads_the_log(admin_client: Client, admin_user: User) -> None:
    give_second_factor(admin_user)  # staff enrol before the admin opens (accounts/mfa.py)
    event = record(SecurityEvent.Kind.LOGIN_FAILED, email="ana@example.org")
    listing = admin_client.get(reverse("admin:accounts_securityevent_changelist"))
    assert listing.status_code == 200
    assert b"ana@example.org" in listing.content
    detail = admin_client.get(reverse("admin:accounts_securityevent_change", args=[event.pk]))
    assert detail.status_code == 200
    # Read-only: no save button, and a post changes nothing.
    assert b'name="_save"' not in detail.content
    admin_client.post(
        reverse("admin:accounts_securityevent_change", args=[event.pk]),
        {"email": "x@example.org"},
    )
    event.refresh_from_db()
    assert event.email == "ana@example.org"


def test_staff_without_the_permission_cannot_read_the_log(client: Client) -> None:
    staff = make_user("staff@example.org", is_staff=True)
    record(SecurityEvent.Kind.LOGIN_FAILED, email="ana@example.org")
    client.force_login(staff)
    response = client.get(reverse("admin:accounts_securityevent_changelist"))
    assert response.status_code == 403


def test_a_person_who_is_not_staff_is_sent_to_login(client: Client) -> None:
    client.force_login(make_user("ana@example.org"))
    response = client.get(reverse("admin:accounts_securityevent_changelist"))
    assert response.status_code == 302
    assert "login" in response["Location"]
