"""The forms of a versioned edit (projects.models.VersionedModel): every edit page's form and every
state change's carry the version the page showed, so a save from an older one is refused."""

from __future__ import annotations

from typing import Any, Self, cast

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from projects.models import VersionedModel


class VersionField(forms.IntegerField):
    """The row's version when the form was loaded: a save from an older version is refused."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(widget=forms.HiddenInput, min_value=1, **kwargs)


OUT_OF_DATE = _("The page was out of date: reload it and try again.")


class VersionOnlyForm(forms.Form):
    """A state change (start, submit, approve): carries only the version the page showed."""

    version = VersionField(error_messages={"required": OUT_OF_DATE, "invalid": OUT_OF_DATE})


class VersionedModelForm(forms.ModelForm):
    """A ModelForm for a VersionedModel: the hidden version, and `save_edit` through the model's
    one door. On a new row the version field is dropped (there is nothing to be stale against).

    After a StaleEdit, `against(current)` gives the same input bound to the row as it is now, so
    the page can show both and saving again is a deliberate overwrite, not another refusal.
    """

    instance: VersionedModel
    _extra: dict[str, Any]
    version = VersionField(
        required=False, error_messages={"required": OUT_OF_DATE, "invalid": OUT_OF_DATE}
    )

    def __new__(cls, *args: Any, **kwargs: Any) -> Self:
        form = super().__new__(cls)
        # What the form was made with beyond data, files and instance, so that `against()` can
        # make the same form again. Read here, not in __init__: a subclass's own keywords
        # (access, event, can_plan ...) are taken by its __init__ before they get to this class.
        form._extra = {k: v for k, v in kwargs.items() if k not in {"data", "files", "instance"}}
        return form

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            del self.fields["version"]
        else:
            self.fields["version"].required = True
            self.fields["version"].initial = self.instance.version

    def save_edit(self, *, reason: str) -> Any:
        """Save the instance and its many-to-many fields in one history record with `reason`;
        raises StaleEdit (nothing saved) if someone saved since the form was loaded."""
        instance = self.save(commit=False)
        # save(commit=False) left the many-to-many writes to do: save_m2m, passed to the door.
        instance.save_edit(self.cleaned_data.get("version"), reason=reason, m2m=self.save_m2m)
        return instance

    def against(self, current: VersionedModel, message: str) -> Self:
        """This form's input again, bound to `current` (the row someone else saved) with its
        version, and `message` at the top."""
        data = cast(QueryDict, self.data).copy()  # a request's POST: keeps every value of a key
        data[self.add_prefix("version")] = str(current.version)
        form = type(self)(data, self.files or None, instance=current, **self._extra)
        form.is_valid()
        form.add_error(None, message)
        return form
