from django import forms

from academics.models import Student
from accounts.models import Role, User


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
            "date_of_birth": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
