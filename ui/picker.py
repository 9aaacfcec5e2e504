"""Choosing people from a long list, however long: students for a lesson, a series, a task or a
new customer (academics/students/picker.py); parents for a student (accounts/forms.py).

A small academy (FEW or fewer to choose from) gets a checkbox a person, as before: everyone in
one look, one click each, nothing to type. Past that, a box a person would make the form a page
of 100,000 checkboxes (megabytes, seconds, and no one can find a name in it), so the field is a
search box instead: suggestions come as you type from the picker's `suggestions_url` (buttons,
ui/_picker_options.html), and each chosen person is a chip with a hidden input and a button to
remove it (ui/static/ui/app.js, "picker").

The chips are drawn from the field's value, so a form that comes back with an inline error keeps
who was chosen; only the chosen people's names are read. The field's queryset decides what is
valid: an unknown or unchoosable id comes back as an error beside the field, never a 500.

A kind of person is a subclass naming its suggestions URL, the words the page uses for it, and
(if not `full_name`) how a person is named.
"""

from functools import cached_property
from typing import Any

from django import forms
from django.db.models import Model, QuerySet
from django.forms.models import ModelChoiceIterator
from django.forms.renderers import BaseRenderer, get_default_renderer
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe

# Up to this many to choose from, checkboxes; more, the search box.
FEW = 50


class Picker(forms.CheckboxSelectMultiple):
    picker_template_name = "ui/_picker.html"
    # Set by each kind of person:
    suggestions_url: str | Promise = ""  # answers GET `search_name`=<typed text> with ui/_picker_options.html
    search_name = "q"
    plural = "people"  # "Chosen people", "No people chosen yet."
    placeholder = "Type a name"
    hint = "Type part of a name, then choose from the people found."

    def person_name(self, person: Any) -> str:
        return str(person.full_name)

    def _people(self) -> "QuerySet[Any]":
        """The field's queryset (ModelMultipleChoiceField hands it over through `choices`)."""
        choices = self.choices
        if not isinstance(choices, ModelChoiceIterator):
            raise TypeError(f"{type(self).__name__} belongs on a ModelMultipleChoiceField")
        return choices.queryset

    @cached_property
    def many(self) -> bool:
        """More than FEW to choose from: counted no further than FEW + 1, once a form, in no
        order (sorting 100,000 names to count 51 of them took ~90 ms)."""
        return self._people().order_by()[: FEW + 1].count() > FEW

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
            "chosen": [(person.pk, self.person_name(person)) for person in self.chosen(value)],
            "picker": self,
        }

    def chosen(self, value: Any) -> list[Model]:
        """The chosen people among the valid ones, in the order they were chosen; anything else
        sent (someone who cannot be chosen, a made-up number) is left out, its error shown."""
        ids = []
        for item in self.format_value(value):
            if str(item).isdigit() and int(item) not in ids:
                ids.append(int(item))
        if not ids:
            return []
        found = self._people().in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]
