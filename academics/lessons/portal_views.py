"""Customer portal: a customer's own students' lessons and attendance."""

from django.http import HttpResponse
from django.shortcuts import render

from academics.lessons.models import Attendance, Lesson
from academics.students.queries import students_visible_to
from accounts.access import AuthenticatedRequest, customer_required


@customer_required
def lessons(request: AuthenticatedRequest) -> HttpResponse:
    students = students_visible_to(request.user)
    context = {
        "upcoming": Lesson.objects.upcoming_for_students(students)[:50],
        "history": Attendance.objects.history_for_students(students)[:50],
    }
    return render(request, "academics/portal_lessons.html", context)
