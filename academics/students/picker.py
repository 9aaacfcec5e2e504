"""Choosing students for a lesson, a weekly series, a task or a new customer, however many there are.

A small academy (FEW or fewer active students) gets a checkbox a student, as before: everyone in
one look, one click each, nothing to type. Past that, a box a student would make the form a page
of 100,000 checkboxes (megabytes, seconds, and no one can find a name in it), so the field is a
search box instead: suggestions come as you type from the Lessons filter's endpoint
(academics:lesson_student_suggestions, `pick=1`), and each chosen student is a chip with a
hidden input and a button to remove it (ui/static/ui/app.js, "student picker").

The chips are drawn from the field's value, so a form that comes back with an inline error keeps
who was chosen; only the chosen students' names are read. The field's queryset (the active
students) still decides what is valid: an unknown or archived id comes back as an error beside
the field, never a 500.
"""

from functools import cached_property
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.forms.models import ModelChoiceIterator
from django.forms.renderers import BaseRenderer, get_default_renderer
from django.utils.safestring import SafeString, mark_safe

from academics.students.models import Student

# Up to this many active students, checkboxes; more, the search box.
FEW = 50


class StudentPicker(forms.CheckboxSelectMultiple):
    picker_template_name = "academics/_student_picker.html"

    def _students(self) -> "QuerySet[Student]":
        """The field's queryset (ModelMultipleChoiceField hands it over through `choices`)."""
        choices = self.choices
        if not isinstance(choices, ModelChoiceIterator):
            raise TypeError("StudentPicker belongs on a ModelMultipleChoiceField of students")
        return choices.queryset

    @cached_property
    def many(self) -> bool:
        """More than FEW active students: counted no further than FEW + 1, once a form, in no
        order (sorting 100,000 names to count 51 of them took ~90 ms)."""
        return self._students().order_by()[: FEW + 1].count() > FEW

    def id_for_label(self, id_: str, index: str | None = None) -> str:
        # The field's label names the search box (checkboxes keep Django's: none on the group).
        if self.many and index is None and id_:
            return f"{id_}_search"
        return super().id_for_label(id_, index)

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        if not self.many:
            return super().render(name, value, attrs, renderer)
        context = self.get_picker_context(name, value, attrs)
        return mark_safe((renderer or get_default_renderer()).render(self.picker_template_name, context))  # noqa: S308 - our template, autoescaped

    def get_picker_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        final_attrs = self.build_attrs(self.attrs, attrs)
        return {
            "widget": {"name": name, "attrs": final_attrs},
            "id": final_attrs.get("id") or f"id_{name}",
            "chosen": self.chosen(value),
        }

    def chosen(self, value: Any) -> list[Student]:
        """The chosen students among the valid ones, in the order they were chosen; anything
        else sent (an archived student, a made-up number) is left out, its error shown."""
        ids = []
        for item in self.format_value(value):
            if str(item).isdigit() and int(item) not in ids:
                ids.append(int(item))
        if not ids:
            return []
        found = self._students().in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]


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
