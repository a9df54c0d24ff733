"""Plain factory functions for tests: explicit, deterministic defaults and no magic.

Every `make_*` saves its row and returns it. Fields that must be unique default to "the next free
one in this test's database" (each test starts from an empty database, so the values are the same
on every run); everything else has a fixed default. Pass any model field as a keyword to override.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.core.cache import cache

from accounts.models import User
from projects.models import (
    Deliverable,
    Membership,
    Milestone,
    Organisation,
    Partner,
    Project,
    Risk,
    WorkPackage,
)

PASSWORD = "pw-Secret-123"
# The authenticator app of everyone the tests give one (base32, as an app would scan it).
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def make_user(
    email: str | None = None,
    *,
    password: str | None = PASSWORD,
    verified: bool = True,
    full_name: str = "",
    **fields: Any,
) -> User:
    """A user who can log in with `email` / `password` (None: an unusable password, as invited).

    `verified` gives them allauth's verified, primary EmailAddress: with mandatory verification
    (DEBUG off) an unverified address cannot log in.
    """
    if email is None:
        email = f"person{User.objects.count() + 1}@example.org"
    user = User.objects.create_user(email, password, full_name=full_name, **fields)
    if verified:
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    if user.is_staff:  # staff must have a second factor to use the site (accounts/mfa.py)
        give_second_factor(user)
    return user


def give_second_factor(user: User, secret: str = TOTP_SECRET) -> Authenticator:
    """An authenticator app for `user`, through allauth's own activation (idempotent)."""
    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    return existing or TOTP.activate(user, secret).instance


def totp_code(user: User) -> str:
    """The code `user`'s authenticator app shows now.

    allauth accepts each code once per period; a test signs the same person in again within
    seconds, which a person would not, so the code is forgotten as used."""
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    secret = decrypt(authenticator.data["secret"])
    code = format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))
    cache.delete(f"allauth.mfa.totp.used?user={user.pk}&code={code}")
    return code


def make_organisation(
    short_name: str | None = None,
    *,
    legal_name: str | None = None,
    country: str = "BE",
    kind: str = Organisation.Kind.SOCIAL_ECONOMY,
    **fields: Any,
) -> Organisation:
    if short_name is None:
        short_name = f"ORG{Organisation.objects.count() + 1}"
    return Organisation.objects.create(
        short_name=short_name,
        legal_name=legal_name or f"{short_name} (legal name)",
        country=country,
        kind=kind,
        **fields,
    )


def make_project(
    acronym: str = "CO-RESP",
    *,
    slug: str | None = None,
    title: str = "Co-creating socially responsible public procurement",
    programme: str = Project.Programme.SMP,
    start_date: dt.date = dt.date(2022, 10, 1),
    duration_months: int = 18,
    **fields: Any,
) -> Project:
    """A project running M1 = October 2022 to M18 = March 2024, like CO-RESP."""
    return Project.objects.create(
        acronym=acronym,
        slug=slug or acronym.lower(),
        title=title,
        programme=programme,
        start_date=start_date,
        duration_months=duration_months,
        **fields,
    )


def make_partner(
    project: Project,
    organisation: Organisation | None = None,
    *,
    number: int | None = None,
    role: str | None = None,
    **fields: Any,
) -> Partner:
    """Partner number `number` (default: the next one); P1 is the coordinator by default."""
    if number is None:
        number = project.partners.count() + 1
    if role is None:
        role = Partner.Role.COORDINATOR if number == 1 else Partner.Role.BENEFICIARY
    return Partner.objects.create(
        project=project,
        organisation=organisation or make_organisation(),
        number=number,
        role=role,
        **fields,
    )


def make_membership(
    user: User,
    project: Project,
    *,
    role: str = Membership.Role.PARTNER,
    partner: Partner | None = None,
    **fields: Any,
) -> Membership:
    membership = Membership(user=user, project=project, role=role, partner=partner, **fields)
    membership.full_clean()  # a coordinator or partner must act for a partner of this project
    membership.save()
    if membership.is_coordinator:  # coordinators must have a second factor (accounts/mfa.py)
        give_second_factor(user)
    return membership


def make_work_package(
    project: Project,
    *,
    lead: Partner,
    number: int | None = None,
    title: str | None = None,
    start_month: int = 1,
    end_month: int | None = None,
    **fields: Any,
) -> WorkPackage:
    if number is None:
        number = project.work_packages.count() + 1
    return WorkPackage.objects.create(
        project=project,
        lead=lead,
        number=number,
        title=title or f"Work package {number}",
        start_month=start_month,
        end_month=end_month or project.duration_months,
        **fields,
    )


def make_deliverable(
    work_package: WorkPackage,
    *,
    lead: Partner | None = None,
    number: str | None = None,
    title: str | None = None,
    due_month: int = 6,
    status: str = Deliverable.Status.PLANNED,
    **fields: Any,
) -> Deliverable:
    """D<wp>.<n> of `work_package`, led by its lead partner unless `lead` says otherwise."""
    if number is None:
        number = f"D{work_package.number}.{work_package.deliverables.count() + 1}"
    return Deliverable.objects.create(
        project=work_package.project,
        work_package=work_package,
        lead=lead or work_package.lead,
        number=number,
        title=title or f"Deliverable {number}",
        due_month=due_month,
        status=status,
        **fields,
    )


def make_milestone(
    project: Project,
    *,
    number: str | None = None,
    title: str | None = None,
    due_month: int = 9,
    means_of_verification: str = "Minutes of the meeting are uploaded.",
    work_packages: list[WorkPackage] | None = None,
    **fields: Any,
) -> Milestone:
    if number is None:
        number = f"MS{project.milestones.count() + 1}"
    milestone = Milestone.objects.create(
        project=project,
        number=number,
        title=title or f"Milestone {number}",
        due_month=due_month,
        means_of_verification=means_of_verification,
        **fields,
    )
    if work_packages:
        milestone.work_packages.set(work_packages)
    return milestone


def make_risk(
    project: Project,
    *,
    owner: Partner,
    title: str = "Low turnout at local roundtables",
    description: str = "Public buyers may not attend the roundtables in the summer months.",
    category: str = Risk.Category.STAKEHOLDERS,
    likelihood: int = 2,
    impact: int = 2,
    work_packages: list[WorkPackage] | None = None,
    **fields: Any,
) -> Risk:
    """A risk numbered R<next> in `project` (numbers are assigned on save, never reused)."""
    risk = Risk.objects.create(
        project=project,
        owner=owner,
        title=title,
        description=description,
        category=category,
        likelihood=likelihood,
        impact=impact,
        **fields,
    )
    if work_packages:
        risk.work_packages.set(work_packages)
    return risk
