from typing import Any

from django import forms

from academics.students.picker import students_field
from ui.forms import DateInput


class TaskForm(forms.Form):
    title = forms.CharField(max_length=200)
    instructions = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    recurrence = forms.ChoiceField(
        choices=[("none", "One-off"), ("daily", "Daily"), ("weekdays", "Weekdays only")]
    )
    start_date = forms.DateField(widget=DateInput())
    end_date = forms.DateField(required=False, widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["students"] = students_field()
