"""`manage.py load_demo`: load the CO-RESP demo project once, then show how to log in.

It lives in `reports`, the app at the top of the import chain, because the demo spans every app.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from events.demo import load_events_demo
from projects.demo import DEMO_PASSWORD, DemoConflict, demo_logins, load_demo
from projects.models import Project
from reports.demo import load_reports_demo


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
            today = timezone.localdate()
            try:
                with transaction.atomic():
                    project = load_demo(today=today)
                    load_events_demo(project, today=today)
                    load_reports_demo(project, today=today)
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
        rows = [("Email", "Role", "Organisation"), *demo_logins()]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        line = "  ".join("-" * w for w in widths)
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD})")
        for i, row in enumerate(rows):
            cells = (cell.ljust(w) for cell, w in zip(row, widths, strict=True))
            self.stdout.write("  ".join(cells).rstrip())
            if i == 0:
                self.stdout.write(line)
        self.stdout.write("")
        self.stdout.write(f"Open {settings.SITE_URL}/ and log in with one of them.")
