from django import forms
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
