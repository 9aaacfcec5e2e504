"""Choosing students for a lesson, a weekly series, a task or a new customer: ui/picker.py's
picker, whose suggestions come from the Lessons filter's endpoint
(academics:lesson_student_suggestions, `pick=1`)."""

from django import forms
from django.urls import reverse_lazy
from django.utils.text import format_lazy

from academics.students.models import Student
from ui.picker import Picker


class StudentPicker(Picker):
    suggestions_url = format_lazy("{}?pick=1", reverse_lazy("academics:lesson_student_suggestions"))
    search_name = "student_name"
    plural = "students"
    hint = "Type part of a name, then choose from the students found."


def students_field(
    *, required: bool = True, help_text: str = ""
) -> "forms.ModelMultipleChoiceField[Student]":
    """The active students to choose from, for a lesson, a series, a task or a new customer."""
    return forms.ModelMultipleChoiceField(
        queryset=Student.objects.active().order_by("last_name", "first_name", "id"),
        widget=StudentPicker,
        required=required,
        help_text=help_text,
        error_messages={
            "invalid_choice": "A chosen student is no longer active (archived or removed). Check the students and save again.",
            "invalid_pk_value": "A chosen student is not one of the academy's students.",
        },
    )
