from django import forms

from academics.models import Student
from academics.students.picker import students_field
from accounts.forms import CustomerForm, customers_field
from ui.forms import DateInput


class StudentForm(forms.ModelForm[Student]):
    customers = customers_field(help_text="The parents or guardians who can see this student in the portal.")

    class Meta:
        model = Student
        fields = ["first_name", "last_name", "date_of_birth", "school_year", "notes", "customers"]
        widgets = {
            "date_of_birth": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }


class CustomerStudentsForm(CustomerForm):
    """A new customer with the students they will see in the portal."""

    students = students_field(required=False)
