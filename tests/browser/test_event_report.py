"""In the browser: a partner creates a roundtable, adds agenda items, records attendance after
the date, writes the conference report and sends it for review; the coordinator publishes it;
the event's page then shows everyone the report and the figures.

Uses the browser fixtures of tests/browser/conftest.py (Chromium, axe on every page).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from events.models import Event
from reports.models import ConferenceReport
from tests.browser.conftest import login, navigating, visit
from tests.factories import PASSWORD

pytestmark = pytest.mark.services


def log_out(page: Any) -> None:
    with navigating(page):
        page.get_by_role("button", name="Log out").click()


def submit(page: Any, button: str) -> None:
    with navigating(page):
        page.get_by_role("button", name=button).click()


def test_partner_reports_a_roundtable_and_the_coordinator_publishes_it(
    page: Any,
    project: Any,
    partner: Any,
    coordinator: Any,
    other_partner: Any,
) -> None:
    day = timezone.localdate() - dt.timedelta(days=3)

    # The partner adds the roundtable, after the day it took place.
    login(page, partner.email, PASSWORD)
    visit(page, f"/p/{project.slug}/events/")
    with navigating(page):
        page.get_by_role("link", name="Add an event").click()
    page.locator("#id_kind").select_option(label="Local roundtable")
    page.locator("#id_title").fill("Roundtable on social clauses in Gleisdorf")
    page.locator("#id_starts_at").fill(f"{day:%Y-%m-%d}T14:00")
    page.locator("#id_ends_at").fill(f"{day:%Y-%m-%d}T17:30")
    page.locator("#id_time_zone").select_option("Europe/Vienna")
    page.locator("#id_venue").fill("Rathaus")
    page.locator("#id_city").fill("Gleisdorf")
    page.locator("#id_country").select_option("AT")
    page.locator("#id_status").select_option("held")
    submit(page, "Save")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Roundtable on social clauses in Gleisdorf"
    )
    expect(page.get_by_text(re.compile(r"14:00.17:30 CET \(Europe/Vienna\)"))).to_be_visible()
    event = Event.objects.get()

    # Two agenda items, typed in the event's own time.
    for time, title, session_type, speakers in (
        ("14:00", "Welcome by the municipality", "welcome", "Mayor's office, Gleisdorf"),
        ("14:30", "Which contracts suit a social clause?", "workshop", "Researcher, ZfSW"),
    ):
        page.get_by_text("Add an agenda item").click()
        page.locator("#id_agenda-starts_at").fill(f"{day:%Y-%m-%d}T{time}")
        page.locator("#id_agenda-title").fill(title)
        page.locator("#id_agenda-session_type").select_option(session_type)
        page.locator("#id_agenda-speakers").fill(speakers)
        submit(page, "Add to the agenda")
    agenda = page.locator("section", has=page.locator("#agenda-heading"))
    expect(agenda.get_by_role("row")).to_have_count(3)  # the header and two items
    expect(agenda).to_contain_text("14:30")

    # Attendance: a breakdown that does not add up is refused with the difference named.
    with navigating(page):
        page.get_by_role("link", name="Record attendance").click()
    page.locator("#id_total").fill("23")
    page.locator("#id_in_person").fill("23")
    page.locator("#id_public_authorities").fill("9")
    page.locator("#id_social_economy").fill("8")
    page.locator("#id_companies").fill("5")
    page.locator("#id_women").fill("13")
    page.locator("#id_men").fill("10")
    submit(page, "Save the figures")
    expect(
        page.get_by_text(
            "The stakeholder category breakdown adds up to 22: 1 fewer than the total of 23.",
            exact=True,  # at the field; the error summary's link reads "Other: ..."
        )
    ).to_be_visible()
    page.locator("#id_other_stakeholders").fill("1")
    submit(page, "Save the figures")
    expect(page.get_by_text("Attendance saved: 23 participants.")).to_be_visible()

    # The report, with a recommendation, sent for review.
    with navigating(page):
        page.get_by_role("link", name="Write the report").click()
    expect(page.get_by_text("23 participants")).to_be_visible()  # from the attendance
    page.locator("#id_summary").fill("Buyers and social enterprises chose two contracts.")
    page.locator("#id_key_messages").fill("Cleaning and park upkeep come first")
    page.locator("#id_recommendations-0-text").fill(
        "Explain how compliance with a hiring clause will be checked."
    )
    page.locator("#id_recommendations-0-audience").select_option("contracting_authorities")
    submit(page, "Save the draft")
    submit(page, "Send for review")
    expect(page.get_by_text("sent to the coordinator for review")).to_be_visible()
    assert ConferenceReport.objects.get().status == ConferenceReport.Status.IN_REVIEW
    log_out(page)

    # The coordinator publishes it.
    login(page, coordinator.email, PASSWORD)
    visit(page, event.get_absolute_url())
    submit(page, "Publish")
    expect(page.get_by_text("The report is published")).to_be_visible()
    log_out(page)

    # Another partner reads the event: the report and the figures are there.
    login(page, other_partner.email, PASSWORD)
    visit(page, event.get_absolute_url())
    report = page.locator("section", has=page.locator("#report-heading"))
    expect(report).to_contain_text("Published")
    expect(report).to_contain_text("Buyers and social enterprises chose two contracts.")
    expect(report).to_contain_text("Explain how compliance with a hiring clause will be checked.")
    expect(report).to_contain_text("23 participants")
    expect(report).to_contain_text("9 from public authorities, 8 from social economy organisations")
    attendance = page.locator("section", has=page.locator("#attendance-heading"))
    expect(attendance.get_by_role("table", name="By stakeholder category")).to_be_visible()
    expect(page.get_by_role("link", name="Edit the event")).to_have_count(0)

    # The other pages this reader can reach pass the accessibility checks too.
    visit(page, f"/p/{project.slug}/events/calendar/?month={day:%Y-%m}")
    expect(
        page.get_by_role("link", name="Roundtable on social clauses in Gleisdorf")
    ).to_be_visible()
    visit(page, f"/p/{project.slug}/recommendations/")
    expect(page.get_by_text("Explain how compliance with a hiring clause")).to_be_visible()
    visit(page, "/calendar/")
    submit(page, "Create my calendar address")
    expect(page.get_by_label("Your private address")).to_have_value(
        re.compile(r"/calendar/.+\.ics$")
    )
