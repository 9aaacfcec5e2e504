from django import forms

from academics.models import Student
from accounts.forms import CustomerForm
from accounts.models import Role, User
from ui.forms import DateInput


class StudentForm(forms.ModelForm[Student]):
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


def students_field() -> forms.ModelMultipleChoiceField[Student]:
    """The active students to choose from, for a lesson, a series or a task."""
    return forms.ModelMultipleChoiceField(
        queryset=Student.objects.active().order_by("last_name", "first_name"),
        widget=forms.CheckboxSelectMultiple,
    )
