from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from academy.client import client_ip
from accounts import throttle


class ThrottledLoginForm(AuthenticationForm):
    """Email + password; after repeated failures the same email or address must wait."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That email and password do not match an active account.",
        "throttled": "Too many failed attempts. Please wait {wait} and try again.",
    }

    def clean_username(self) -> str:
        # Emails are stored lower-case; people type them however they like.
        return str(self.cleaned_data.get("username") or "").strip().lower()

    def clean(self) -> dict[str, Any]:
        email = (self.data.get("username") or "").strip().lower()
        ip = client_ip(self.request) or "unknown"
        if throttle.LOGIN.is_locked(email, ip):
            self.throttled = True
            raise forms.ValidationError(
                self.error_messages["throttled"].format(wait=throttle.LOGIN.wait), code="throttled"
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            throttle.LOGIN.record(email, ip)
            raise
        throttle.LOGIN.clear(email)
        return cleaned


class CustomerForm(forms.Form):
    """A new customer. Their students are academics' to offer (academics' CustomerStudentsForm)."""

    email = forms.EmailField()
    full_name = forms.CharField(max_length=150, label="Full name")

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()
