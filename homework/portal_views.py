"""Customer portal: a customer sees only their own students."""

from typing import cast

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.access import customer_required, get_visible_student, students_visible_to
from accounts.models import User


@customer_required
def portal_home(request: HttpRequest) -> HttpResponse:
    students = students_visible_to(cast(User, request.user)).active().order_by("first_name")
    return render(request, "homework/portal_home.html", {"students": students})


@customer_required
def portal_student(request: HttpRequest, student_id: int) -> HttpResponse:
    student = get_visible_student(cast(User, request.user), student_id)
    return render(request, "homework/portal_student.html", {"student": student})
