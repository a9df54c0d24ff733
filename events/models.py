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
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext, ngettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
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


def wall_clock(value: dt.datetime) -> str:
    """A date and time in a message, as the event's people read it, in the active language's
    own format: "5 March 2024, 09:30" in English. `value` is shown as it is (no zone change)."""
    return date_format(value, "DATETIME_FORMAT")


def localize(value: dt.datetime, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """The aware datetime for the wall-clock time `value` (naive) in `zone`.

    Raises ValueError for a time the clocks skip or pass twice when they change (e.g. 02:30 on
    the last Sunday of March in Europe): either one would be a guess.
    """
    first, second = value.replace(tzinfo=zone, fold=0), value.replace(tzinfo=zone, fold=1)
    if first.utcoffset() != second.utcoffset():
        # The forms show this message to the person who typed the time.
        raise ValueError(
            gettext(
                "%(when)s does not exist or happens twice in %(zone)s, because the clocks "
                "change that night. Choose another time."
            )
            % {"when": wall_clock(value), "zone": zone.key}
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
        TPM = "tpm", _("Transnational project meeting")
        FINAL_CONFERENCE = "final_conference", _("Final conference")
        ROUNDTABLE = "roundtable", _("Local roundtable")
        MISSION = "mission", _("Social economy mission")
        WORKSHOP = "workshop", _("Workshop")
        WEBINAR = "webinar", _("Webinar")
        TRAINING = "training", _("Training")

    class Format(models.TextChoices):
        IN_PERSON = "in_person", pgettext_lazy("event format", "In person")
        ONLINE = "online", pgettext_lazy("event format", "Online")
        HYBRID = "hybrid", pgettext_lazy("event format", "Hybrid")

    class Status(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("event status", "Planned")
        HELD = "held", pgettext_lazy("event status", "Held")
        POSTPONED = "postponed", pgettext_lazy("event status", "Postponed")
        CANCELLED = "cancelled", pgettext_lazy("event status", "Cancelled")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="events", verbose_name=_("project")
    )
    # The iCalendar UID: calendar apps match updates and cancellations to the entry they hold by
    # it, so it never changes, whatever the event's address or the site's domain.
    uid = models.UUIDField(_("uid"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=255)
    format = models.CharField(
        _("format"), max_length=10, choices=Format.choices, default=Format.IN_PERSON
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="Europe/Brussels",
        help_text=_("Where the event happens; its times are shown in this zone."),
    )
    venue = models.CharField(_("venue"), max_length=255, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = CountryField(_("country"), blank=True)
    organiser = models.ForeignKey(
        Partner,
        on_delete=models.RESTRICT,
        related_name="organised_events",
        verbose_name=_("organiser"),
        help_text=_(
            "The partner that organises it; its staff edit the event and write its report."
        ),
    )
    work_package = models.ForeignKey(
        WorkPackage,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("work package"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    registration_url = models.URLField(_("registration link"), blank=True)
    recording_url = models.URLField(
        _("recording link"), blank=True, help_text=_('Shown as "Watch the event".')
    )
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["version", "created_at"])
    objects = models.Manager.from_queryset(EventQuerySet)()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
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
        online = pgettext("where an event takes place", "Online")
        if self.format == self.Format.ONLINE:
            return online
        if self.format == self.Format.HYBRID:
            if not where:
                return online
            return gettext("%(place)s and online") % {"place": where}
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
            errors["time_zone"] = gettext("%(zone)s is not a known time zone.") % {
                "zone": self.time_zone
            }
        if self.starts_at and self.ends_at and self.ends_at < self.starts_at:
            zone = self.zone if self.time_zone in zoneinfo.available_timezones() else dt.UTC
            errors["ends_at"] = gettext(
                "The event ends (%(end)s) before it starts (%(start)s)."
            ) % {
                "end": wall_clock(timezone.localtime(self.ends_at, zone)),
                "start": wall_clock(timezone.localtime(self.starts_at, zone)),
            }
        if self.project_id:
            if self.organiser_id and self.organiser.project_id != self.project_id:
                errors["organiser"] = gettext("This partner belongs to another project.")
            work_package = self.work_package if self.work_package_id else None
            if work_package is not None and work_package.project_id != self.project_id:
                errors["work_package"] = gettext("This work package belongs to another project.")
        if self.format != self.Format.ONLINE and not (self.city or self.venue):
            errors["city"] = gettext("Say where an in-person or hybrid event takes place.")
        if errors:
            raise ValidationError(errors)

    def clean_at(self, now: dt.datetime) -> None:
        """The check that depends on the time, as of `now` (which the caller read: clean() reads
        no clock, so a replayed or tested history is checked against its own dates)."""
        if self.is_held and self.starts_at and not self.has_started(now):
            raise ValidationError(
                {"status": gettext("An event can only be marked held once it has started.")}
            )


class AgendaItem(models.Model):
    """One slot of an event's programme."""

    class SessionType(models.TextChoices):
        WELCOME = "welcome", pgettext_lazy("agenda session type", "Welcome")
        KEYNOTE = "keynote", pgettext_lazy("agenda session type", "Keynote")
        PRESENTATION = "presentation", pgettext_lazy("agenda session type", "Presentation")
        PANEL = "panel", pgettext_lazy("agenda session type", "Panel")
        WORKSHOP = "workshop", pgettext_lazy("agenda session type", "Workshop")
        DISCUSSION = "discussion", pgettext_lazy("agenda session type", "Discussion")
        BREAK = "break", pgettext_lazy("agenda session type", "Break")
        CLOSING = "closing", pgettext_lazy("agenda session type", "Closing")

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="agenda_items", verbose_name=_("event")
    )
    starts_at = models.DateTimeField(_("starts at"))
    title = models.CharField(_("title"), max_length=255)
    session_type = models.CharField(_("session type"), max_length=20, choices=SessionType.choices)
    speakers = models.TextField(
        _("speakers"),
        blank=True,
        help_text=_("One per line: name, then the organisation after a comma."),
    )

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["event", "starts_at", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def speaker_list(self) -> list[tuple[str, str]]:
        """(name, organisation) pairs from the speakers text."""
        pairs = []
        for line in self.speakers.splitlines():
            if line.strip():
                name, _comma, organisation = line.partition(",")
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
                    "starts_at": gettext(
                        "This time is outside the event, which runs from %(start)s to %(end)s "
                        "(%(zone)s)."
                    )
                    % {
                        "start": wall_clock(event.local_start),
                        "end": wall_clock(event.local_end),
                        "zone": event.time_zone,
                    }
                }
            )


class Material(models.Model):
    """A file (slides, photos, attendance evidence) or a link (recording, press) of an event."""

    class Kind(models.TextChoices):
        SLIDES = "slides", _("Slides")
        PHOTOS = "photos", _("Photos")
        ATTENDANCE = "attendance", _("Attendance evidence")
        DOCUMENT = "document", _("Document")
        RECORDING = "recording", _("Recording")
        PRESS = "press", _("Press coverage")
        LINK = "link", _("Other link")

    LINK_KINDS: ClassVar[set[str]] = {Kind.RECORDING, Kind.PRESS, Kind.LINK}

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="materials", verbose_name=_("event")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=255)
    url = models.URLField(_("url"), blank=True)
    file = models.FileField(_("file"), upload_to="events/", max_length=255, blank=True)
    original_name = models.CharField(_("original name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size"), null=True, blank=True)
    sha256 = models.CharField(_("sha256"), max_length=64, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("added by"),
    )
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
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
        DECISION = "decision", _("Decision")
        ACTION = "action", _("Action item")

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="outcomes", verbose_name=_("event")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ACTION)
    text = models.TextField(_("text"))
    owner = models.ForeignKey(
        Partner,
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="outcomes",
        verbose_name=_("owner"),
        help_text=_("Who carries an action item out."),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    is_done = models.BooleanField(_("done"), default=False)

    objects = models.Manager.from_queryset(OutcomeQuerySet)()

    class Meta:
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
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
            raise ValidationError({"owner": gettext("This partner belongs to another project.")})

    def set_done(self, done: bool) -> None:
        """Tick an action item off (or open it again). A decision has nothing to tick."""
        if not self.is_action:
            raise ValidationError(gettext("A decision is not an action item: it cannot be done."))
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

    event = models.OneToOneField(
        Event, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("event")
    )
    total = models.PositiveIntegerField(
        _("total"), help_text=_("Everyone who took part, speakers included.")
    )
    in_person = models.PositiveIntegerField(
        pgettext_lazy("participants", "in person"), null=True, blank=True
    )
    online = models.PositiveIntegerField(
        pgettext_lazy("participants", "online"), null=True, blank=True
    )
    public_authorities = models.PositiveIntegerField(_("public authorities"), null=True, blank=True)
    social_economy = models.PositiveIntegerField(
        _("social economy organisations"), null=True, blank=True
    )
    companies = models.PositiveIntegerField(_("companies"), null=True, blank=True)
    dpo = models.PositiveIntegerField(
        _("organisations of persons with disabilities"), null=True, blank=True
    )
    experts = models.PositiveIntegerField(_("procurement experts"), null=True, blank=True)
    other_stakeholders = models.PositiveIntegerField(
        pgettext_lazy("stakeholder category", "other"), null=True, blank=True
    )
    women = models.PositiveIntegerField(_("women"), null=True, blank=True)
    men = models.PositiveIntegerField(_("men"), null=True, blank=True)
    other_gender = models.PositiveIntegerField(
        pgettext_lazy("gender", "other or not stated"), null=True, blank=True
    )
    by_country = models.JSONField(
        _("by country"),
        default=dict,
        blank=True,
        help_text=_("Country code -> number of participants."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["version", "updated_at"])

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")

    def __str__(self) -> str:
        return gettext("%(total)s at %(event)s") % {"total": self.total, "event": self.event}

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
            if not count:
                continue
            if name == "other_stakeholders":
                # Translators: part of "Of them, 9 from public authorities, 1 other."
                part = ngettext("%(count)s other", "%(count)s other", count) % {"count": count}
            else:
                # Translators: part of "Of them, 9 from public authorities, 1 other."; the
                # category is an attendance field's label, e.g. "procurement experts".
                part = ngettext(
                    "%(count)s from %(category)s", "%(count)s from %(category)s", count
                ) % {"count": count, "category": label}
            parts.append(part)
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
            params = {
                "breakdown": label,
                "given": given,
                "difference": abs(difference),
                "total": self.total,
            }
            if difference > 0:
                # Translators: the breakdown is one of "in person + online", "stakeholder
                # category", "gender", "country".
                message = gettext(
                    "The %(breakdown)s breakdown adds up to %(given)s: %(difference)s more than "
                    "the total of %(total)s."
                )
            else:
                # Translators: the breakdown is one of "in person + online", "stakeholder
                # category", "gender", "country".
                message = gettext(
                    "The %(breakdown)s breakdown adds up to %(given)s: %(difference)s fewer "
                    "than the total of %(total)s."
                )
            errors.setdefault(key, []).append(message % params)

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        event = self.event if self.event_id else None
        hybrid = event is not None and event.format == Event.Format.HYBRID
        if hybrid and (self.in_person is None or self.online is None):
            errors.setdefault("in_person", []).append(
                gettext("For a hybrid event, give both the in-person and the online numbers.")
            )
        if self.in_person is not None or self.online is not None:
            self._check_sum(
                pgettext("attendance breakdown", "in person + online"),
                [self.in_person, self.online],
                errors,
                "online",
            )
        self._check_sum(
            pgettext("attendance breakdown", "stakeholder category"),
            [getattr(self, f) for f in self.STAKEHOLDER_FIELDS],
            errors,
            "other_stakeholders",
        )
        self._check_sum(
            pgettext("attendance breakdown", "gender"),
            [getattr(self, f) for f in self.GENDER_FIELDS],
            errors,
            "other_gender",
        )
        if self.by_country:
            try:
                counts = [int(v) for v in self.by_country.values()]
            except (TypeError, ValueError):
                errors.setdefault("by_country", []).append(
                    gettext("Country counts must be whole numbers.")
                )
            else:
                if any(c < 0 for c in counts):
                    errors.setdefault("by_country", []).append(
                        gettext("Country counts cannot be negative.")
                    )
                self._check_sum(
                    pgettext("attendance breakdown", "country"), counts, errors, "by_country"
                )
        if errors:
            raise ValidationError(errors)

    def clean_at(self, now: dt.datetime) -> None:
        """The check that depends on the time, as of `now` (see Event.clean_at)."""
        event = self.event if self.event_id else None
        if event is not None and not event.has_started(now):
            raise ValidationError(
                gettext(
                    "Attendance can only be recorded once the event has started: it starts on "
                    "%(date)s at %(time)s (%(zone)s)."
                )
                % {
                    "date": date_format(event.local_start, "DATE_FORMAT"),
                    "time": time_format(event.local_start, "TIME_FORMAT"),
                    "zone": event.time_zone,
                }
            )


class CalendarFeed(models.Model):
    """A person's private calendar address: a secret token a calendar app sends instead of a
    session. Revoking replaces the token, so the old address stops working at once."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feed",
        verbose_name=_("user"),
    )
    token = models.CharField(_("token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return gettext("Calendar feed of %(user)s") % {"user": self.user}

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    @classmethod
    def for_user(cls, user: Any) -> CalendarFeed:
        feed, _created = cls.objects.get_or_create(user=user, defaults={"token": cls.new_token()})
        return feed

    def revoke(self, *, now: dt.datetime) -> None:
        """A new token as of `now`: the old address stops working at once."""
        self.token = self.new_token()
        self.created_at = now
        self.save(update_fields=["token", "created_at"])
