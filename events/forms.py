"""Forms of events and their parts.

Times are typed as wall-clock times at the event (its `time_zone`), never in the viewer's zone:
a partner in Sofia records a roundtable in Madrid as it is on the invitation. The forms turn them
into aware datetimes in that zone, and refuse a time the clocks skip or pass twice.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Any, Protocol, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from events.models import (
    AgendaItem,
    Attendance,
    Event,
    Material,
    Outcome,
    localize,
    time_zone_choices,
)
from projects.forms.dates import bound_dates_to
from projects.forms.versioned import VersionedModelForm
from projects.models import Partner, WorkPackage
from projects.permissions import Access, can_name_any_partner

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
# The label of an event's and an agenda item's start time.
STARTS = pgettext_lazy("when an event or an agenda item begins", "Starts")


class _CleanAt(Protocol):
    def clean_at(self, now: dt.datetime) -> None: ...


class ChecksTheTime(forms.ModelForm):
    """A ModelForm of a model with a rule that depends on the time (`clean_at(now)`, e.g. an
    event is held only once it has started). The model's clean() reads no clock: this form
    checks the rule as of `now`, which the view read, once the instance holds the input."""

    def __init__(self, *args: Any, now: dt.datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.now = now

    def full_clean(self) -> None:
        super().full_clean()  # ends with the model's own clean(), on the instance
        if not hasattr(self, "cleaned_data"):
            return  # an unbound form is not validated
        if self.errors:
            # A refused field (a time zone that is not one, a time that is not a time) leaves
            # the instance half-filled, e.g. with naive times: the rule cannot be asked of it,
            # and the person has the field's message to act on first.
            return
        try:
            cast(_CleanAt, self.instance).clean_at(self.now)
        except ValidationError as error:
            self.add_error(None, error)


class LocalDateTimeField(forms.DateTimeField):
    """A date and time as typed, without a zone: the form attaches the event's zone.

    Django's own DateTimeField would read the value in the site's zone (Europe/Brussels), which
    is wrong for an event in Sofia; this one keeps it naive until the form knows the zone.
    """

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT)

    def to_python(self, value: Any) -> dt.datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.replace(tzinfo=None)
        try:
            parsed = dt.datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise ValidationError(
                gettext("Enter a date and time, e.g. 2024-03-22 09:30."), code="invalid"
            ) from None
        return parsed.replace(tzinfo=None)

    def prepare_value(self, value: Any) -> Any:
        return value


def _localize_fields(form: forms.BaseForm, names: tuple[str, ...], zone: zoneinfo.ZoneInfo) -> None:
    for name in names:
        value = form.cleaned_data.get(name)
        if isinstance(value, dt.datetime) and value.tzinfo is None:
            try:
                form.cleaned_data[name] = localize(value, zone)
            except ValueError as error:
                form.add_error(name, str(error))


class EventForm(ChecksTheTime, VersionedModelForm):
    """Create or edit an event. The coordinator may name any partner as organiser; a partner
    records events of their own organisation only."""

    instance: Event

    starts_at = LocalDateTimeField(label=STARTS, help_text=_("Local time at the event."))
    ends_at = LocalDateTimeField(
        label=pgettext_lazy("when an event ends", "Ends"), help_text=_("Local time at the event.")
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        initial="Europe/Brussels",
        help_text=_("Where the event happens: its times are typed and shown in this zone."),
    )

    class Meta:
        model = Event
        fields = (
            "kind", "title", "format", "starts_at", "ends_at", "time_zone", "venue", "city",
            "country", "organiser", "work_package", "status", "registration_url",
            "recording_url", "description",
        )  # fmt: skip
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}
        help_texts = {
            "venue": _("The building and address; leave empty for an online event."),
            "status": _("Set to held once it has taken place; postponed or cancelled as needed."),
        }

    def __init__(self, *args: Any, access: Access, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        project = access.project
        organiser = self.fields["organiser"]
        assert isinstance(organiser, forms.ModelChoiceField)
        organisers = Partner.objects.filter(project=project).select_related("organisation")
        if not can_name_any_partner(access):
            organisers = organisers.filter(pk=access.partner_id or 0)
            organiser.empty_label = None
            if self.instance.pk is None:
                self.initial.setdefault("organiser", access.partner_id)
        organiser.queryset = organisers
        work_package = self.fields["work_package"]
        assert isinstance(work_package, forms.ModelChoiceField)
        work_package.queryset = WorkPackage.objects.filter(project=project)
        if self.instance.pk is not None:
            self.initial["starts_at"] = self.instance.local_start.replace(tzinfo=None)
            self.initial["ends_at"] = self.instance.local_end.replace(tzinfo=None)
        bound_dates_to(self, project)

    def clean_title(self) -> str:
        title: str = self.cleaned_data["title"]
        # A title is one line: calendars (the .ics), lists and the PDF all show it as one.
        if "\r" in title or "\n" in title:
            raise ValidationError(gettext("The title must be on one line."), code="multiline")
        return title

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        name = cleaned.get("time_zone")
        if name:
            _localize_fields(self, ("starts_at", "ends_at"), zoneinfo.ZoneInfo(name))
        else:
            # No zone to read the times in (the zone's field says why): keep them off the
            # instance, where a naive time next to a stored aware one breaks the model's checks.
            for field in ("starts_at", "ends_at"):
                cleaned.pop(field, None)
        return cleaned


class AgendaItemForm(forms.ModelForm):
    """One slot of the programme; its time is typed in the event's zone."""

    # The event's page holds several forms: prefixes keep their fields' ids apart.
    prefix = "agenda"

    starts_at = LocalDateTimeField(label=STARTS)

    class Meta:
        model = AgendaItem
        fields = ("starts_at", "title", "session_type", "speakers")
        widgets = {"speakers": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "speakers": _(
                "One per line: the name, a comma, then the organisation "
                "(e.g. 'Ana López, Ayuntamiento de Santander')."
            )
        }

    def __init__(self, *args: Any, event: Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.event = event
        self.instance.event = event
        self.fields["starts_at"].help_text = gettext("Local time at the event (%(zone)s).") % {
            "zone": event.time_zone
        }
        if self.instance.pk is None:
            self.initial.setdefault("starts_at", event.local_start.replace(tzinfo=None))
        else:
            self.initial["starts_at"] = self.instance.starts_at.astimezone(event.zone).replace(
                tzinfo=None
            )
        bound_dates_to(self, event.project)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        _localize_fields(self, ("starts_at",), self.event.zone)
        return cleaned


FILE_KINDS = [(k, label) for k, label in Material.Kind.choices if k not in Material.LINK_KINDS]
LINK_KINDS = [(k, label) for k, label in Material.Kind.choices if k in Material.LINK_KINDS]


class MaterialUploadForm(forms.Form):
    prefix = "upload"

    kind = forms.ChoiceField(
        label=pgettext_lazy("of an event material", "Kind"),
        choices=FILE_KINDS,
        initial=Material.Kind.SLIDES,
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=255,
        required=False,
        help_text=_("Optional; the file's name is used otherwise."),
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "PDF, Office or OpenDocument file, image or ZIP; the size limit is set by the site."
        ),
    )


class MaterialLinkForm(forms.ModelForm):
    prefix = "link"

    class Meta:
        model = Material
        fields = ("kind", "title", "url")
        labels = {"url": _("Address (URL)")}
        help_texts = {"url": _("e.g. the recording, or a news article about the event.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = LINK_KINDS
        self.fields["url"].required = True


class OutcomeForm(forms.ModelForm):
    prefix = "outcome"

    class Meta:
        model = Outcome
        fields = ("kind", "text", "owner", "due_date")
        widgets = {
            "text": forms.Textarea(attrs={"rows": 2}),
            "due_date": forms.DateInput(attrs={"type": "date"}),
        }
        help_texts = {"owner": _("For an action item: the partner who carries it out.")}

    def __init__(self, *args: Any, event: Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.event = event
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = Partner.objects.filter(project_id=event.project_id).select_related(
            "organisation"
        )
        bound_dates_to(self, event.project)


# A count of people has at most this many digits (Python refuses to read a number of thousands
# of digits, a ValueError, and no event has a billion participants).
MAX_COUNT_DIGITS = 9
COUNTRY_LINE = re.compile(r"^(?P<country>.+?)\s*[:=,;\t ]\s*(?P<count>-?\d+)$")


class CountryCountsField(forms.Field):
    """Participants by country as lines of 'country: number'; the country as a code (BE) or
    an English name (Belgium)."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dict):
            return "\n".join(f"{code}: {count}" for code, count in value.items())
        return value

    def to_python(self, value: Any) -> dict[str, int]:
        if isinstance(value, dict):
            return value
        counts: dict[str, int] = {}
        for number, raw in enumerate(str(value or "").splitlines(), start=1):
            line = raw.strip()
            if not line:
                continue
            match = COUNTRY_LINE.match(line)
            if not match:
                raise ValidationError(
                    gettext("Line %(number)s ('%(line)s') is not 'country: number', e.g. 'BE: 12'.")
                    % {"number": number, "line": line}
                )
            if len(match["count"].lstrip("-")) > MAX_COUNT_DIGITS:
                raise ValidationError(
                    gettext("Line %(number)s: %(count)s… is not a number of participants.")
                    % {"number": number, "count": match["count"][:12]}
                )
            name, count = match["country"].strip(), int(match["count"])
            code = name.upper() if name.upper() in countries else countries.by_name(name)
            if not code:
                raise ValidationError(
                    gettext("Line %(number)s: '%(name)s' is not a country we know.")
                    % {"number": number, "name": name}
                )
            if code in counts:
                raise ValidationError(
                    gettext("%(country)s is given twice.") % {"country": countries.name(code)}
                )
            counts[code] = count
        return counts


class AttendanceForm(ChecksTheTime, VersionedModelForm):
    """How many came. The model checks that each breakdown adds up (Attendance.clean), so the
    admin and the demo loader get the same rules."""

    instance: Attendance

    by_country = CountryCountsField(
        label=_("By country"),
        required=False,
        help_text=_("One country per line, e.g. 'BE: 12' or 'Spain: 8'. Leave empty if not known."),
    )

    class Meta:
        model = Attendance
        fields = (
            "total", "in_person", "online", *Attendance.STAKEHOLDER_FIELDS,
            *Attendance.GENDER_FIELDS, "by_country",
        )  # fmt: skip

    def __init__(self, *args: Any, event: Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.event = event
        for name in self.fields:
            if name not in {"by_country", "version"}:
                self.fields[name].widget.attrs.update({"min": 0, "inputmode": "numeric"})
        if event.format == Event.Format.HYBRID:
            self.fields["in_person"].required = self.fields["online"].required = True
            self.fields["online"].help_text = gettext("In person + online must equal the total.")

    def group(self, names: tuple[str, ...]) -> list[forms.BoundField]:
        return [self[name] for name in names]

    @property
    def format_group(self) -> list[forms.BoundField]:
        return self.group(("total", *Attendance.FORMAT_FIELDS))

    @property
    def stakeholder_group(self) -> list[forms.BoundField]:
        return self.group(Attendance.STAKEHOLDER_FIELDS)

    @property
    def gender_group(self) -> list[forms.BoundField]:
        return self.group(Attendance.GENDER_FIELDS)


class CalendarFeedForm(forms.Form):
    # The page's buttons send these; their labels are never shown, so they are not translated.
    action = forms.ChoiceField(
        choices=[("create", "Create"), ("revoke", "Revoke"), ("stop", "Stop")]
    )
