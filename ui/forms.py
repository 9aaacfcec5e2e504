"""Forms that keep what was typed.

A service refuses a person's own mistake with a DomainError (a lesson that ends before it starts,
an email already taken). Raised from a form view, it would leave the form for the full-page error;
`submit` turns it into an error on the form instead, beside the field it concerns, so the view
re-renders the same form with every value kept. Such a refusal is an outcome the app meant to
give, not a failure: it is still announced like any refusal (`error_response`), and the incident
hub keeps it as a low-severity signal, never an open incident (incidents/triage.py)."""

from collections.abc import Callable, Mapping

from django import forms
from django.http import HttpRequest

from academy.errors import DomainError, error_response, wants_json

# Refusals that are about what was typed. A 403/404/429 is about the person or the page, and
# keeps the error contract's full page.
FORM_STATUSES = frozenset({400, 409, 422})


def submit[T](
    request: HttpRequest,
    form: forms.Form,
    call: Callable[[], T],
    *,
    fields: Mapping[str, str] | None = None,
) -> T | None:
    """Run `call` (the service) for a valid form; on a refusal, put its message on the form
    (on the field `fields` maps its code to, else above the form) and return None.

    JSON and htmx callers keep the error contract ({"error": {"code", ...}}): they read codes."""
    try:
        return call()
    except DomainError as exc:
        if exc.status not in FORM_STATUSES or wants_json(request):
            raise
        field = (fields or {}).get(exc.code) or exc.details.get("field")
        form.add_error(field if field in form.fields else None, exc.message)
        # Any form class can come here; the status rides on the instance for refusal_status().
        form.refusal_status = exc.status  # type: ignore[attr-defined]
        error_response.send(
            sender=DomainError,
            request=request,
            status=exc.status,
            code=exc.code,
            message=exc.message,
            exception=exc,
            rendered_page=True,  # the person read the message beside the field
        )
        return None


def status_for(request: HttpRequest, form: forms.Form) -> int:
    """The status of a form page: 200 to show it, the refusal's own (409 for a conflict) or 400."""
    if request.method != "POST":
        return 200
    return getattr(form, "refusal_status", 400)


class DateInput(forms.DateInput):
    """A browser date picker; its value must be ISO (YYYY-MM-DD) or the browser drops it."""

    input_type = "date"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    """A browser date-and-time picker, in ISO (YYYY-MM-DDTHH:MM), in the academy's time zone."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(attrs=attrs, format="%H:%M")
