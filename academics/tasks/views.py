"""Admin > Academic > Tasks."""

from datetime import timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from academics.tasks import services
from academics.tasks.forms import TaskForm
from academics.tasks.models import InstanceStatus, Recurrence, Task, TaskInstance
from academy.errors import get_or_not_found
from academy.paging import CappedPaginator
from academy.query import parse_date
from accounts.access import AuthenticatedRequest, admin_required
from ui.forms import status_for, submit

# A refusal's code, and the form field it is about.
FORM_FIELDS = {"task_invalid_dates": "end_date", "task_invalid_recurrence": "recurrence"}


def _task(task_id: int) -> Task:
    return get_or_not_found(Task, "task_not_found", "We could not find that task.", pk=task_id)


@admin_required
def task_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    show = request.GET.get("show", "active")
    recurrence = request.GET.get("recurrence", "")
    tasks = Task.objects.for_admin_list().search(q)
    if show == "active":
        tasks = tasks.filter(is_active=True)
    elif show == "inactive":
        tasks = tasks.filter(is_active=False)
    if recurrence in Recurrence.values:
        tasks = tasks.filter(recurrence=recurrence)
    page = CappedPaginator(tasks, 25).get_page(request.GET.get("page"))  # counts up to the cap
    context = {
        "page": page,
        "q": q,
        "show": show,
        "recurrence": recurrence,
        "recurrences": Recurrence.choices,
    }
    return render(request, "academics/task_list.html", context)


@admin_required
def task_create(request: AuthenticatedRequest) -> HttpResponse:
    form = TaskForm(request.POST or None, initial={"start_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        actor, data = request.user, form.cleaned_data
        task = submit(request, form, lambda: services.task_create(actor=actor, **data), fields=FORM_FIELDS)
        if task is not None:
            messages.success(request, f"Task “{task.title}” was created.")
            return redirect("academics:task_detail", task_id=task.pk)
    status = status_for(request, form)
    return render(request, "academics/task_form.html", {"form": form, "task": None}, status=status)


@admin_required
def task_edit(request: AuthenticatedRequest, task_id: int) -> HttpResponse:
    task = _task(task_id)
    initial = {**task.snapshot(), "students": list(task.students.all())}
    form = TaskForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        actor, data = request.user, dict(form.cleaned_data)
        students = data.pop("students")
        saved = submit(
            request,
            form,
            lambda: services.task_update(actor=actor, task=task, students=students, **data),
            fields=FORM_FIELDS,
        )
        if saved is not None:
            messages.success(request, f"Task “{task.title}” was saved.")
            return redirect("academics:task_detail", task_id=task.pk)
    status = status_for(request, form)
    return render(request, "academics/task_form.html", {"form": form, "task": task}, status=status)


@admin_required
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    task = _task(task_id)
    today = timezone.localdate()
    start = parse_date(request.GET.get("from")) or today - timedelta(days=13)
    end = start + timedelta(days=13)
    instances = TaskInstance.objects.for_task_calendar(task, start, end)
    students = list(task.students.order_by("last_name", "first_name"))
    days = [start + timedelta(days=n) for n in range(14)]
    cells = {(i.student_id, i.date): i for i in instances}
    grid = [(s, [(d, cells.get((s.pk, d))) for d in days]) for s in students]
    context = {
        "task": task,
        "days": days,
        "grid": grid,
        "today": today,
        "prev": start - timedelta(days=14),
        "next": start + timedelta(days=14),
    }
    return render(request, "academics/task_detail.html", context)


@admin_required
@require_POST
def task_toggle_active(request: AuthenticatedRequest, task_id: int) -> HttpResponse:
    task = _task(task_id)
    active = request.POST.get("active") == "1"
    services.task_set_active(actor=request.user, task=task, active=active)
    messages.success(request, f"Task “{task.title}” is {'active' if active else 'inactive'}.")
    return redirect("academics:task_detail", task_id=task.pk)


@admin_required
@require_POST
def task_instance_status(request: AuthenticatedRequest, instance_id: int) -> HttpResponse:
    instance = get_or_not_found(
        TaskInstance.objects.select_related("task"),
        "task_instance_not_found",
        "We could not find that task instance.",
        pk=instance_id,
    )
    services.task_instance_set_status(
        actor=request.user,
        instance=instance,
        status=request.POST.get("status", InstanceStatus.DONE),
    )
    return redirect("academics:task_detail", task_id=instance.task_id)
