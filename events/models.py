"""Events a consortium organises: meetings, conferences, roundtables, missions; their agenda,
materials, outcomes and how many people came (aggregate counts only)."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
import zoneinfo
from collections.abc import Sequence
from typing import Any, ClassVar, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_countries import countries
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from projects.models import InProjectQuerySet, Partner, Project, VersionedModel, WorkPackage


def time_zone_choices() -> list[tuple[str, str]]:
    # European zones first: the consortia this serves meet there; every IANA zone stays valid.
    zones = sorted(zoneinfo.available_timezones())
    europe = [z for z in zones if z.startswith("Europe/")]
    return [
        (z, z.replace("_", " "))
        for z in [*europe, "UTC", *[z for z in zones if z not in europe and z != "UTC"]]
    ]


def localize(value: dt.datetime, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """The aware datetime for the wall-clock time `value` (naive) in `zone`.

    Raises ValueError for a time the clocks skip or pass twice when they change (e.g. 02:30 on
    the last Sunday of March in Europe): either one would be a guess.
    """
    first, second = value.replace(tzinfo=zone, fold=0), value.replace(tzinfo=zone, fold=1)
    if first.utcoffset() != second.utcoffset():
        raise ValueError(
            f"{value:%d %B %Y, %H:%M} does not exist or happens twice in {zone.key}, because "
            "the clocks change that night. Choose another time."
        )
    return first


class EventQuerySet(InProjectQuerySet["Event"]):
    def upcoming(self, now: dt.datetime) -> Self:
        """Not over yet and still going ahead: what the dashboard announces."""
        return self.not_ended(now).exclude(status=Event.Status.CANCELLED)

    def not_ended(self, now: dt.datetime) -> Self:
        return self.filter(ends_at__gte=now)

    def past(self, now: dt.datetime) -> Self:
        return self.filter(ends_at__lt=now)

    def overlapping(self, start: dt.datetime, end: dt.datetime) -> Self:
        """Events with any part between `start` and `end` (a calendar page's window)."""
        return self.filter(starts_at__lt=end, ends_at__gte=start)

    def with_related(self) -> Self:
        return self.select_related("organiser__organisation", "work_package", "project")


class Event(VersionedModel):
    """Something the consortium organises on a date, in a place or online."""

    class Kind(models.TextChoices):
        TPM = "tpm", "Transnational project meeting"
        FINAL_CONFERENCE = "final_conference", "Final conference"
        ROUNDTABLE = "roundtable", "Local roundtable"
        MISSION = "mission", "Social economy mission"
        WORKSHOP = "workshop", "Workshop"
        WEBINAR = "webinar", "Webinar"
        TRAINING = "training", "Training"

    class Format(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        ONLINE = "online", "Online"
        HYBRID = "hybrid", "Hybrid"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        HELD = "held", "Held"
        POSTPONED = "postponed", "Postponed"
        CANCELLED = "cancelled", "Cancelled"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events")
    # The iCalendar UID: calendar apps match updates and cancellations to the entry they hold by
    # it, so it never changes, whatever the event's address or the site's domain.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=255)
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.IN_PERSON)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    time_zone = models.CharField(
        max_length=64,
        default="Europe/Brussels",
        help_text="Where the event happens; its times are shown in this zone.",
    )
    venue = models.CharField(max_length=255, blank=True)
    city = models.CharField(max_length=100, blank=True)
    country = CountryField(blank=True)
    organiser = models.ForeignKey(
        Partner,
        on_delete=models.RESTRICT,
        related_name="organised_events",
        help_text="The partner that organises it; its staff edit the event and write its report.",
    )
    work_package = models.ForeignKey(
        WorkPackage, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    registration_url = models.URLField("registration link", blank=True)
    recording_url = models.URLField(
        "recording link", blank=True, help_text='Shown as "Watch the event".'
    )
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["version", "created_at"])
    objects = models.Manager.from_queryset(EventQuerySet)()

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["project", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:event_detail", args=[self.project.slug, self.pk])

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def local_start(self) -> dt.datetime:
        return timezone.localtime(self.starts_at, self.zone)

    @property
    def local_end(self) -> dt.datetime:
        return timezone.localtime(self.ends_at, self.zone)

    def has_started(self, now: dt.datetime) -> bool:
        return self.starts_at <= now

    # The event's state, for pages, the PDF and templates alike (a template asks these, never
    # compares a status string).
    @property
    def is_held(self) -> bool:
        return self.status == self.Status.HELD

    @property
    def is_postponed(self) -> bool:
        return self.status == self.Status.POSTPONED

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def is_off_schedule(self) -> bool:
        """Postponed or cancelled: not happening when the calendar says it does."""
        return self.is_postponed or self.is_cancelled

    @property
    def is_online(self) -> bool:
        return self.format == self.Format.ONLINE

    @property
    def place(self) -> str:
        """Where it happens, in one line: venue, city, country (or "Online")."""
        parts = [
            self.venue,
            self.city,
            str(countries.name(str(self.country))) if self.country else "",
        ]
        where = ", ".join(p for p in parts if p)
        if self.format == self.Format.ONLINE:
            return "Online"
        if self.format == self.Format.HYBRID:
            return f"{where} and online" if where else "Online"
        return where

    @property
    def attendance_or_none(self) -> Attendance | None:
        try:
            return self.attendance
        except Attendance.DoesNotExist:
            return None

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.time_zone not in zoneinfo.available_timezones():
            errors["time_zone"] = f"{self.time_zone} is not a known time zone."
        if self.starts_at and self.ends_at and self.ends_at < self.starts_at:
            zone = self.zone if self.time_zone in zoneinfo.available_timezones() else dt.UTC
            errors["ends_at"] = (
                f"The event ends ({timezone.localtime(self.ends_at, zone):%d %B %Y, %H:%M}) "
                f"before it starts ({timezone.localtime(self.starts_at, zone):%d %B %Y, %H:%M})."
            )
        if self.project_id:
            if self.organiser_id and self.organiser.project_id != self.project_id:
                errors["organiser"] = "This partner belongs to another project."
            work_package = self.work_package if self.work_package_id else None
            if work_package is not None and work_package.project_id != self.project_id:
                errors["work_package"] = "This work package belongs to another project."
        if self.format != self.Format.ONLINE and not (self.city or self.venue):
            errors["city"] = "Say where an in-person or hybrid event takes place."
        if errors:
            raise ValidationError(errors)

    def clean_at(self, now: dt.datetime) -> None:
        """The check that depends on the time, as of `now` (which the caller read: clean() reads
        no clock, so a replayed or tested history is checked against its own dates)."""
        if self.is_held and self.starts_at and not self.has_started(now):
            raise ValidationError(
                {"status": "An event can only be marked held once it has started."}
            )


class AgendaItem(models.Model):
    """One slot of an event's programme."""

    class SessionType(models.TextChoices):
        WELCOME = "welcome", "Welcome"
        KEYNOTE = "keynote", "Keynote"
        PRESENTATION = "presentation", "Presentation"
        PANEL = "panel", "Panel"
        WORKSHOP = "workshop", "Workshop"
        DISCUSSION = "discussion", "Discussion"
        BREAK = "break", "Break"
        CLOSING = "closing", "Closing"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="agenda_items")
    starts_at = models.DateTimeField()
    title = models.CharField(max_length=255)
    session_type = models.CharField(max_length=20, choices=SessionType.choices)
    speakers = models.TextField(
        blank=True, help_text="One per line: name, then the organisation after a comma."
    )

    class Meta:
        ordering = ["event", "starts_at", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def speaker_list(self) -> list[tuple[str, str]]:
        """(name, organisation) pairs from the speakers text."""
        pairs = []
        for line in self.speakers.splitlines():
            if line.strip():
                name, _, organisation = line.partition(",")
                pairs.append((name.strip(), organisation.strip()))
        return pairs

    def clean(self) -> None:
        if (
            self.event_id
            and self.starts_at
            and not (self.event.starts_at <= self.starts_at <= self.event.ends_at)
        ):
            event = self.event
            raise ValidationError(
                {
                    "starts_at": f"This time is outside the event, which runs from "
                    f"{event.local_start:%d %B %Y, %H:%M} to {event.local_end:%d %B %Y, %H:%M} "
                    f"({event.time_zone})."
                }
            )


class Material(models.Model):
    """A file (slides, photos, attendance evidence) or a link (recording, press) of an event."""

    class Kind(models.TextChoices):
        SLIDES = "slides", "Slides"
        PHOTOS = "photos", "Photos"
        ATTENDANCE = "attendance", "Attendance evidence"
        DOCUMENT = "document", "Document"
        RECORDING = "recording", "Recording"
        PRESS = "press", "Press coverage"
        LINK = "link", "Other link"

    LINK_KINDS: ClassVar[set[str]] = {Kind.RECORDING, Kind.PRESS, Kind.LINK}

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="materials")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=255)
    url = models.URLField(blank=True)
    file = models.FileField(upload_to="events/", max_length=255, blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["event", "kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(url="") & ~Q(file="")) | (~Q(url="") & Q(file="")),
                name="material_is_file_or_link",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_link(self) -> bool:
        return bool(self.url)


class OutcomeQuerySet(models.QuerySet["Outcome"]):
    def visible_to(self, user: Any) -> Self:
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            event__project__memberships__user=user, event__project__memberships__is_active=True
        )

    def open(self) -> Self:
        return self.filter(kind=Outcome.Kind.ACTION, is_done=False)

    def in_project(self, project: Project) -> Self:
        return self.filter(event__project=project)


class Outcome(models.Model):
    """A decision taken or an action agreed at an event."""

    class Kind(models.TextChoices):
        DECISION = "decision", "Decision"
        ACTION = "action", "Action item"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="outcomes")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ACTION)
    text = models.TextField()
    owner = models.ForeignKey(
        Partner,
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="outcomes",
        help_text="Who carries an action item out.",
    )
    due_date = models.DateField(null=True, blank=True)
    is_done = models.BooleanField("done", default=False)

    objects = models.Manager.from_queryset(OutcomeQuerySet)()

    class Meta:
        ordering = ["event", "is_done", "due_date", "pk"]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def is_action(self) -> bool:
        return self.kind == self.Kind.ACTION

    def is_overdue(self, today: dt.date) -> bool:
        return self.is_action and not self.is_done and bool(self.due_date and self.due_date < today)

    def clean(self) -> None:
        owner = self.owner if self.owner_id else None
        if owner is not None and self.event_id and owner.project_id != self.event.project_id:
            raise ValidationError({"owner": "This partner belongs to another project."})

    def set_done(self, done: bool) -> None:
        """Tick an action item off (or open it again). A decision has nothing to tick."""
        if not self.is_action:
            raise ValidationError("A decision is not an action item: it cannot be done.")
        self.is_done = done
        self.save(update_fields=["is_done"])


class Attendance(VersionedModel):
    """How many people came, as totals and breakdowns. Never a list of people: disability status
    is special-category personal data, so the platform holds counts only.

    A breakdown is optional; one that is filled in (any of its numbers given) must add up to the
    total, the empty numbers counting as zero. For a hybrid event, in person + online is required
    and must equal the total.
    """

    STAKEHOLDER_FIELDS: ClassVar[tuple[str, ...]] = (
        "public_authorities",
        "social_economy",
        "companies",
        "dpo",
        "experts",
        "other_stakeholders",
    )
    GENDER_FIELDS: ClassVar[tuple[str, ...]] = ("women", "men", "other_gender")
    FORMAT_FIELDS: ClassVar[tuple[str, ...]] = ("in_person", "online")

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="attendance")
    total = models.PositiveIntegerField(help_text="Everyone who took part, speakers included.")
    in_person = models.PositiveIntegerField(null=True, blank=True)
    online = models.PositiveIntegerField(null=True, blank=True)
    public_authorities = models.PositiveIntegerField(null=True, blank=True)
    social_economy = models.PositiveIntegerField(
        "social economy organisations", null=True, blank=True
    )
    companies = models.PositiveIntegerField(null=True, blank=True)
    dpo = models.PositiveIntegerField(
        "organisations of persons with disabilities", null=True, blank=True
    )
    experts = models.PositiveIntegerField("procurement experts", null=True, blank=True)
    other_stakeholders = models.PositiveIntegerField("other", null=True, blank=True)
    women = models.PositiveIntegerField(null=True, blank=True)
    men = models.PositiveIntegerField(null=True, blank=True)
    other_gender = models.PositiveIntegerField("other or not stated", null=True, blank=True)
    by_country = models.JSONField(
        default=dict, blank=True, help_text="Country code -> number of participants."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["version", "updated_at"])

    class Meta:
        verbose_name_plural = "attendance"

    def __str__(self) -> str:
        return f"{self.total} at {self.event}"

    def breakdown(self, fields: tuple[str, ...]) -> list[tuple[str, int | None]]:
        labels = [getattr(self._meta.get_field(f), "verbose_name", f) for f in fields]
        return [(str(label), getattr(self, f)) for label, f in zip(labels, fields, strict=True)]

    @property
    def stakeholders(self) -> list[tuple[str, int | None]]:
        return self.breakdown(self.STAKEHOLDER_FIELDS)

    @property
    def genders(self) -> list[tuple[str, int | None]]:
        return self.breakdown(self.GENDER_FIELDS)

    @property
    def has_stakeholders(self) -> bool:
        return any(getattr(self, f) is not None for f in self.STAKEHOLDER_FIELDS)

    @property
    def stakeholder_summary(self) -> str:
        """'9 from public authorities, 8 from social economy organisations, 1 other'."""
        parts = []
        for name, (label, count) in zip(self.STAKEHOLDER_FIELDS, self.stakeholders, strict=True):
            if count:
                parts.append(
                    f"{count} other" if name == "other_stakeholders" else f"{count} from {label}"
                )
        return ", ".join(parts)

    @property
    def has_genders(self) -> bool:
        return any(getattr(self, f) is not None for f in self.GENDER_FIELDS)

    @property
    def countries(self) -> list[tuple[str, str, int]]:
        """(code, name, count) by country, the most represented first."""
        rows = [
            (code, str(countries.name(code) or code), int(n)) for code, n in self.by_country.items()
        ]
        return sorted(rows, key=lambda row: (-row[2], row[1]))

    def _check_sum(
        self, label: str, values: Sequence[int | None], errors: dict[str, list[str]], key: str
    ) -> None:
        """One message naming the breakdown, what it adds up to, and how far off it is."""
        if all(v is None for v in values) or self.total is None:
            return
        given = sum(v or 0 for v in values)
        if given != self.total:
            difference = given - self.total
            off = f"{difference} more" if difference > 0 else f"{-difference} fewer"
            errors.setdefault(key, []).append(
                f"The {label} breakdown adds up to {given}: {off} than the total of {self.total}."
            )

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        event = self.event if self.event_id else None
        hybrid = event is not None and event.format == Event.Format.HYBRID
        if hybrid and (self.in_person is None or self.online is None):
            errors.setdefault("in_person", []).append(
                "For a hybrid event, give both the in-person and the online numbers."
            )
        if self.in_person is not None or self.online is not None:
            self._check_sum("in person + online", [self.in_person, self.online], errors, "online")
        self._check_sum(
            "stakeholder category",
            [getattr(self, f) for f in self.STAKEHOLDER_FIELDS],
            errors,
            "other_stakeholders",
        )
        self._check_sum(
            "gender", [getattr(self, f) for f in self.GENDER_FIELDS], errors, "other_gender"
        )
        if self.by_country:
            try:
                counts = [int(v) for v in self.by_country.values()]
            except (TypeError, ValueError):
                errors.setdefault("by_country", []).append("Country counts must be whole numbers.")
            else:
                if any(c < 0 for c in counts):
                    errors.setdefault("by_country", []).append("Country counts cannot be negative.")
                self._check_sum("country", counts, errors, "by_country")
        if errors:
            raise ValidationError(errors)

    def clean_at(self, now: dt.datetime) -> None:
        """The check that depends on the time, as of `now` (see Event.clean_at)."""
        event = self.event if self.event_id else None
        if event is not None and not event.has_started(now):
            raise ValidationError(
                f"Attendance can only be recorded once the event has started: it starts on "
                f"{event.local_start:%d %B %Y at %H:%M} ({event.time_zone})."
            )


class CalendarFeed(models.Model):
    """A person's private calendar address: a secret token a calendar app sends instead of a
    session. Revoking replaces the token, so the old address stops working at once."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    @classmethod
    def for_user(cls, user: Any) -> CalendarFeed:
        feed, _ = cls.objects.get_or_create(user=user, defaults={"token": cls.new_token()})
        return feed

    def revoke(self, *, now: dt.datetime) -> None:
        """A new token as of `now`: the old address stops working at once."""
        self.token = self.new_token()
        self.created_at = now
        self.save(update_fields=["token", "created_at"])
