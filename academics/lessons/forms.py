from typing import Any

from django import forms

from academics.students.picker import students_field
from ui.forms import DateInput, DateTimeInput, TimeInput

WEEKDAYS = [(0, "Mon"), (1, "Tue"), (2, "Wed"), (3, "Thu"), (4, "Fri"), (5, "Sat"), (6, "Sun")]


class LessonForm(forms.Form):
    subject = forms.CharField(max_length=200)
    tutor = forms.CharField(max_length=200)
    location = forms.CharField(max_length=300, required=False, help_text="Room or online link.")
    starts_at = forms.DateTimeField(widget=DateTimeInput())
    ends_at = forms.DateTimeField(widget=DateTimeInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["students"] = students_field()


class SeriesForm(forms.Form):
    subject = forms.CharField(max_length=200)
    tutor = forms.CharField(max_length=200)
    location = forms.CharField(max_length=300, required=False, help_text="Room or online link.")
    weekdays = forms.TypedMultipleChoiceField(
        choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    start_date = forms.DateField(widget=DateInput())
    start_time = forms.TimeField(widget=TimeInput())
    end_time = forms.TimeField(widget=TimeInput())
    until_date = forms.DateField(required=False, widget=DateInput())
    count = forms.IntegerField(
        required=False, min_value=1, max_value=200, help_text="Or a number of lessons."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["students"] = students_field()
