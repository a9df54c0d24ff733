"""The reports app's presence on other apps' pages (the conference report on its event's page),
and the print templates' page footer."""

from __future__ import annotations

import re
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from events.models import Attendance, Event
from procurement.models import GoodPractice
from projects.permissions import Access
from reports.forms import SendBackForm
from reports.models import ConferenceReport, GeneratedReport
from reports.permissions import (
    can_edit_report,
    can_publish,
    can_request_conference_pdf,
    can_send_back,
    can_submit,
    can_write_report,
)

register = template.Library()


@register.inclusion_tag("reports/conference_report_section.html")
def conference_report_section(
    access: Access, event: Event, attendance: Attendance | None
) -> dict[str, Any]:
    """The report on `event` as `access` may read it (ConferenceReportQuerySet.visible_to), with
    what they may do with it. Four queries at most, however long the report."""
    report = (
        ConferenceReport.objects.visible_to(access)
        .filter(event=event)
        .select_related("author__organisation")
        .first()
    )
    context: dict[str, Any] = {
        "project": access.project,
        "event": event,
        "attendance": attendance,
        "report": report,
        "can_write": can_write_report(access, event),
    }
    if report is None:
        return context
    report.event = event
    # A PDF is made of a published report only, once for its version.
    pdf = (
        GeneratedReport.objects.of_conference_report(report).reusable().first()
        if report.is_published
        else None
    )
    return context | {
        "recommendations": list(report.recommendations.all()),
        "good_practices": _cited(report, access),
        "pdf": pdf,
        "can_edit": can_edit_report(access, report),
        "can_submit": can_submit(access, report),
        "can_publish": can_publish(access, report),
        "can_send_back": can_send_back(access, report),
        "can_request_pdf": can_request_conference_pdf(access, report),
        "send_back_form": SendBackForm(initial={"version": report.version}),
    }


def _cited(report: ConferenceReport, access: Access) -> list[GoodPractice]:
    """The good practices the report cites, each knowing its project (for its address)."""
    practices = list(report.good_practices.order_by("title", "pk"))
    for practice in practices:
        practice.project = access.project
    return practices


# A CSS string holds any text once these are escaped; "<" too, so that no translation can close
# the <style> element it is printed in.
_CSS_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\a ", "<": "\\3c "}
_COUNTERS = {"{page}": "counter(page)", "{pages}": "counter(pages)"}


def _css_string(text: str) -> str:
    return '"' + "".join(_CSS_ESCAPES.get(char, char) for char in text) + '"'


@register.simple_tag
def page_x_of_y() -> SafeString:
    """The PDF footer's "Page X of Y" as a CSS `content` value in the active language: the
    translated sentence, its {page} and {pages} turned into WeasyPrint's page counters wherever
    the translation puts them. In English: "Page " counter(page) " of " counter(pages)."""
    # Translators: the footer of every PDF page; {page} and {pages} become numbers, keep them.
    sentence = gettext("Page {page} of {pages}")
    pieces = re.split(r"(\{pages?\})", sentence)
    values = [_COUNTERS.get(piece) or _css_string(piece) for piece in pieces if piece]
    return mark_safe(" ".join(values))  # noqa: S308 (CSS built here from escaped strings)
