"""Customer portal: a customer's own students' today's tasks, marked done or undone."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from academics.students.queries import students_visible_to
from academics.tasks import services as task_services
from academics.tasks.models import InstanceStatus, TaskInstance
from academics.tasks.portal_hooks import mark_handed_in
from academy.errors import get_or_not_found
from accounts.access import AuthenticatedRequest, customer_required


@customer_required
def tasks(request: AuthenticatedRequest) -> HttpResponse:
    students = students_visible_to(request.user)
    today = timezone.localdate()
    instances = mark_handed_in(TaskInstance.objects.for_portal_day(students, today))
    return render(request, "academics/portal_tasks.html", {"today": today, "instances": instances})


def _own_instance(request: AuthenticatedRequest, instance_id: int) -> TaskInstance:
    return get_or_not_found(
        TaskInstance.objects.select_related("task", "student"),
        "task_instance_not_found",
        "We could not find that task.",
        pk=instance_id,
        student__in=students_visible_to(request.user),
    )


def _back(request: HttpRequest) -> HttpResponse:
    """Back to the page the button was on (a child's page or the Tasks page), never off-site."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect("portal:tasks")


def _set_status(request: AuthenticatedRequest, instance_id: int, status: str, said: str) -> HttpResponse:
    """Mark one of the parent's own task instances, say so, and go back where the button was."""
    instance = _own_instance(request, instance_id)
    task_services.task_instance_set_status(actor=request.user, instance=instance, status=status)
    messages.success(request, f"“{instance.task.title}” {said} {instance.student.full_name}.")
    return _back(request)


@customer_required
@require_POST
def task_done(request: AuthenticatedRequest, instance_id: int) -> HttpResponse:
    return _set_status(request, instance_id, InstanceStatus.DONE, "is done for")


@customer_required
@require_POST
def task_undo(request: AuthenticatedRequest, instance_id: int) -> HttpResponse:
    """A done task clicked by mistake goes back to "to do"."""
    return _set_status(request, instance_id, InstanceStatus.TODO, "is to do again for")
