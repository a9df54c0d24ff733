from django.urls import path

from events.views import events, feeds, parts

app_name = "events"
P = "p/<slug:slug>/events/"
E = P + "<int:pk>/"
urlpatterns = [
    path(P, events.event_list, name="event_list"),
    path(P + "calendar/", events.event_calendar, name="event_calendar"),
    path(P + "new/", events.event_create, name="event_create"),
    path(E, events.event_detail, name="event_detail"),
    path(E + "edit/", events.event_edit, name="event_edit"),
    path(E + "delete/", events.event_delete, name="event_delete"),
    path(E + "event.ics", feeds.event_ics, name="event_ics"),
    # The parts of an event its organiser records.
    path(E + "agenda/", parts.agenda_item_add, name="agenda_item_add"),
    path(E + "agenda/<int:item_pk>/edit/", parts.agenda_item_edit, name="agenda_item_edit"),
    path(E + "agenda/<int:item_pk>/delete/", parts.agenda_item_delete, name="agenda_item_delete"),
    path(E + "materials/upload/", parts.material_upload, name="material_upload"),
    path(E + "materials/link/", parts.material_link_add, name="material_link_add"),
    path(
        E + "materials/<int:material_pk>/download/",
        parts.material_download,
        name="material_download",
    ),
    path(E + "materials/<int:material_pk>/delete/", parts.material_delete, name="material_delete"),
    path(E + "outcomes/", parts.outcome_add, name="outcome_add"),
    path(E + "outcomes/<int:outcome_pk>/done/", parts.outcome_toggle, name="outcome_toggle"),
    path(E + "outcomes/<int:outcome_pk>/edit/", parts.outcome_edit, name="outcome_edit"),
    path(E + "outcomes/<int:outcome_pk>/delete/", parts.outcome_delete, name="outcome_delete"),
    path(E + "attendance/", parts.attendance_edit, name="attendance_edit"),
    # Calendar apps: each person's private feed (a secret token, no session), and its settings.
    path("calendar/", feeds.calendar_feed_settings, name="calendar_feed_settings"),
    path("calendar/<str:token>.ics", feeds.calendar_feed, name="calendar_feed"),
]
