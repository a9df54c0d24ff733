from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class UserCreationForm(forms.ModelForm):
    """The admin's form for a new person: no password, they set their own from an invitation."""

    send_invitation = forms.BooleanField(
        required=False,
        initial=True,
        label=_("Send an invitation"),
        help_text=_("Email a link to set a password now."),
    )

    class Meta:
        model = User
        fields = ("email", "full_name")

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("Someone already uses this email address."))
        return email

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
        return user


class AccountForm(forms.ModelForm):
    """What a person sets for themselves: the name others see, and the language of their pages
    and emails (empty: the browser's)."""

    class Meta:
        model = User
        fields = ("full_name", "language")
        labels = {"language": _("Language of pages and emails")}
        help_texts = {
            "full_name": _("As the consortium sees it in the history of what you changed."),
            "language": _("Empty follows your browser's language."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = self.fields["language"]
        assert isinstance(language, forms.ChoiceField)
        # Each language in its own name (settings.LANGUAGES), as on the switcher.
        language.choices = [("", _("The browser's language")), *settings.LANGUAGES]
