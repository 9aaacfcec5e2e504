from django import forms

from academics.models import Student
from accounts.forms import CustomerForm
from accounts.models import Role, User
from ui.forms import DateInput, DateTimeInput, TimeInput


class StudentForm(forms.ModelForm):
    customers = forms.ModelMultipleChoiceField(
        queryset=User.objects.filter(role=Role.CUSTOMER, is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The parents or guardians who can see this student in the portal.",
    )

    class Meta:
        model = Student
        fields = ["first_name", "last_name", "date_of_birth", "school_year", "notes", "customers"]
        widgets = {
            "date_of_birth": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }


class CustomerStudentsForm(CustomerForm):
    """A new customer with the students they will see in the portal."""

    students = forms.ModelMultipleChoiceField(
        queryset=Student.objects.active(), required=False, widget=forms.CheckboxSelectMultiple
    )


WEEKDAYS = [(0, "Mon"), (1, "Tue"), (2, "Wed"), (3, "Thu"), (4, "Fri"), (5, "Sat"), (6, "Sun")]


def _students_field() -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        queryset=Student.objects.active().order_by("last_name", "first_name"),
        widget=forms.CheckboxSelectMultiple,
    )


class LessonForm(forms.Form):
    subject = forms.CharField(max_length=200)
    tutor = forms.CharField(max_length=200)
    location = forms.CharField(max_length=300, required=False, help_text="Room or online link.")
    starts_at = forms.DateTimeField(widget=DateTimeInput())
    ends_at = forms.DateTimeField(widget=DateTimeInput())

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["students"] = _students_field()


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

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["students"] = _students_field()


class TaskForm(forms.Form):
    title = forms.CharField(max_length=200)
    instructions = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    recurrence = forms.ChoiceField(
        choices=[("none", "One-off"), ("daily", "Daily"), ("weekdays", "Weekdays only")]
    )
    start_date = forms.DateField(widget=DateInput())
    end_date = forms.DateField(required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["students"] = _students_field()
