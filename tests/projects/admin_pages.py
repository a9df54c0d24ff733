"""What an admin change page posts back as it was loaded: for tests that save through the admin
without spelling out every field and inline management form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.test.client import Client
from django.utils import timezone


def loaded(client: Client, url: str) -> dict[str, Any]:
    """GET the change page at `url` and return what its Save button would post unchanged."""
    response = client.get(url)
    assert response.status_code == 200, url
    every_form: list[forms.BaseForm] = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        every_form += [inline.formset.management_form, *inline.formset.forms]
    data: dict[str, Any] = {}
    for form in every_form:
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue  # posted as missing, as a browser does
            if isinstance(field.field, forms.SplitDateTimeField):
                value = timezone.localtime(value)  # the widget shows the site's zone
                data[f"{field.html_name}_0"], data[f"{field.html_name}_1"] = (
                    value.date(),
                    value.time(),
                )
            elif isinstance(value, list):
                data[field.html_name] = [str(item) for item in value]
            else:
                data[field.html_name] = value
    return data
