from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce, NullIf
from django.urls import reverse_lazy

from academy.client import client_ip
from accounts import throttle
from accounts.models import Role, User
from ui.picker import Picker


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


class ParentPicker(Picker):
    """The parents (customer accounts) to choose for a student: ui/picker.py's picker, suggesting
    active customers by name or email (accounts:customer_suggestions)."""

    suggestions_url = reverse_lazy("accounts:customer_suggestions")
    plural = "parents"
    placeholder = "Type a name or an email"
    hint = "Type part of a name or an email, then choose from the parents found."

    def person_name(self, person: User) -> str:
        return str(person)  # the name, or the email of a parent who has none


def active_customers() -> "models.QuerySet[User]":
    return User.objects.filter(role=Role.CUSTOMER, is_active=True)


# Customers in the order people read them: by name, or by email for one who has no name (it would
# otherwise sort before everyone, as "").
BY_NAME = (Coalesce(NullIf("full_name", Value("")), "email"), "email")


def customers_field(*, label: str = "Parents", help_text: str = "") -> "forms.ModelMultipleChoiceField[User]":
    """The active customer accounts to choose from, e.g. a student's parents."""
    return forms.ModelMultipleChoiceField(
        queryset=active_customers().order_by(*BY_NAME),
        widget=ParentPicker,
        label=label,
        required=False,
        help_text=help_text,
        error_messages={
            "invalid_choice": "A chosen parent no longer has an active account. Check the parents and save again.",
            "invalid_pk_value": "A chosen parent is not one of the academy's customers.",
        },
    )
