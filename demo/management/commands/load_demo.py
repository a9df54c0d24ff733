"""`manage.py load_demo`: load the CO-RESP demo project once, then show how to log in."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils import timezone

from demo.loader import (
    DEMO_TOTP_SECRET,
    DemoConflict,
    Login,
    demo_logins,
    demo_password,
    load_demo,
)
from projects.models import Project


class Command(BaseCommand):
    help = (
        "Load the CO-RESP demo project with one user per role, unless the database already "
        "has projects; then print the demo logins."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if Project.objects.exists():
            self.stdout.write(
                "Demo data already loaded (the database has projects): nothing to do."
            )
        else:
            try:
                project = load_demo(today=timezone.localdate())
            except DemoConflict as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(
                self.style.SUCCESS(
                    f"Loaded the {project.acronym} demo project: "
                    f"{project.partners.count()} partners, "
                    f"{project.work_packages.count()} work packages, "
                    f"{project.deliverables.count()} deliverables, "
                    f"{project.milestones.count()} milestones, "
                    f"{project.risks.count()} risks, "
                    f"{project.events.count()} events."
                )
            )
        self._print_logins()

    def _print_logins(self) -> None:
        """The one place the logins are printed (bin/run, behind `make run`, relies on it)."""
        header = Login(email="Email", role="Role", organisation="Organisation")
        rows = [header, *demo_logins()]
        email = max(len(row.email) for row in rows)
        role = max(len(row.role) for row in rows)
        organisation = max(len(row.organisation) for row in rows)
        admin = settings.SITE_URL + reverse("admin:index")
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {demo_password()})")
        self.stdout.write(
            "The coordinator and the site admin also need a code from an authenticator app "
            f"set up with the key {DEMO_TOTP_SECRET} (or: oathtool --totp -b {DEMO_TOTP_SECRET})"
        )
        for row in rows:
            line = f"{row.email:<{email}}  {row.role:<{role}}  {row.organisation}"
            self.stdout.write(line.rstrip())
            if row is header:
                self.stdout.write(f"{'-' * email}  {'-' * role}  {'-' * organisation}")
        self.stdout.write("")
        self.stdout.write(f"Open {settings.SITE_URL}/ and log in with one of them.")
        self.stdout.write(f"The site admin also has the Django admin: {admin}")
