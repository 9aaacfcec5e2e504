"""Customer portal: a customer's own students' lessons, attendance and today's tasks."""

from typing import cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from academics import task_services
from academics.lesson_models import Attendance, Lesson
from academics.task_models import InstanceStatus, TaskInstance
from academy.errors import NotFound
from accounts.access import customer_required, students_visible_to
from accounts.models import User


@customer_required
def lessons(request: HttpRequest) -> HttpResponse:
    students = students_visible_to(cast(User, request.user))
    context = {
        "upcoming": Lesson.objects.upcoming_for_students(students)[:50],
        "history": Attendance.objects.history_for_students(students)[:50],
    }
    return render(request, "academics/portal_lessons.html", context)


@customer_required
def tasks(request: HttpRequest) -> HttpResponse:
    students = students_visible_to(cast(User, request.user))
    today = timezone.localdate()
    return render(
        request,
        "academics/portal_tasks.html",
        {"today": today, "instances": TaskInstance.objects.for_portal_day(students, today)},
    )


@customer_required
@require_POST
def task_done(request: HttpRequest, instance_id: int) -> HttpResponse:
    user = cast(User, request.user)
    instance = (
        TaskInstance.objects.select_related("task", "student")
        .filter(pk=instance_id, student__in=students_visible_to(user))
        .first()
    )
    if instance is None:
        raise NotFound("task_instance_not_found", "We could not find that task.")
    task_services.task_instance_set_status(actor=user, instance=instance, status=InstanceStatus.DONE)
    messages.success(request, f"“{instance.task.title}” is done for {instance.student.full_name}.")
    return redirect("portal_academic:tasks")
