"""Admin > Academic > Students."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from academics.lessons.models import Lesson
from academics.models import Student
from academics.students import services
from academics.students.forms import CustomerStudentsForm, StudentForm
from academics.students.sections import student_sections
from academics.tasks.models import TaskInstance
from academy.errors import get_or_not_found
from academy.paging import CappedPaginator
from accounts.access import AuthenticatedRequest, admin_required
from audit.changes import event_rows
from audit.models import AuditEvent
from ui.forms import status_for, submit


def _student(student_id: int) -> Student:
    return get_or_not_found(Student, "student_not_found", "We could not find that student.", pk=student_id)


@admin_required
def student_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    show = request.GET.get("show", "active")
    students = Student.objects.for_admin_list().search(query)
    if show == "archived":
        students = students.filter(archived_at__isnull=False)
    elif show != "all":
        students = students.active()
    page = CappedPaginator(students, 25).get_page(request.GET.get("page"))  # counts up to the cap
    return render(request, "academics/student_list.html", {"page": page, "q": query, "show": show})


@admin_required
def student_create(request: AuthenticatedRequest) -> HttpResponse:
    form = StudentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        student = services.student_create(
            actor=request.user,
            first_name=data["first_name"],
            last_name=data["last_name"],
            date_of_birth=data["date_of_birth"],
            school_year=data["school_year"],
            notes=data["notes"],
            customers=data["customers"],
        )
        messages.success(request, f"{student.full_name} was added.")
        return redirect("academics:student_detail", student_id=student.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "academics/student_form.html", {"form": form, "student": None}, status=status)


@admin_required
def student_edit(request: AuthenticatedRequest, student_id: int) -> HttpResponse:
    student = _student(student_id)
    form = StudentForm(request.POST or None, instance=Student.objects.get(pk=student.pk))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.student_update(
            actor=request.user,
            student=student,
            customers=data.pop("customers"),
            **{k: v for k, v in data.items() if k in services.STUDENT_FIELDS},
        )
        messages.success(request, f"{student.full_name} was saved.")
        return redirect("academics:student_detail", student_id=student.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "academics/student_form.html", {"form": form, "student": student}, status=status)


@admin_required
def student_detail(request: HttpRequest, student_id: int) -> HttpResponse:
    student = _student(student_id)
    events = event_rows(list(AuditEvent.objects.for_log_page().for_entity("student", student.pk)[:10]))
    # Higher apps' sections (homework's) come from the registry they fill, not an import.
    templates, section_context = student_sections(student)
    context = {
        **section_context,
        "student": student,
        "customers": student.customers.all(),
        "events": events,
        "extra_sections": [{"template": t} for t in ["academics/_student_lessons.html", *templates]],
        "upcoming_lessons": Lesson.objects.upcoming_for_students(Student.objects.filter(pk=student.pk))[:10],
        "today_tasks": TaskInstance.objects.for_portal_day([student], timezone.localdate()),
    }
    return render(request, "academics/student_detail.html", context)


@admin_required
@require_POST
def student_archive(request: AuthenticatedRequest, student_id: int) -> HttpResponse:
    student = _student(student_id)
    actor = request.user
    if request.POST.get("action") == "unarchive":
        services.student_unarchive(actor=actor, student=student)
        messages.success(request, f"{student.full_name} is active again.")
    else:
        services.student_archive(actor=actor, student=student)
        messages.success(request, f"{student.full_name} was archived.")
    return redirect("academics:student_detail", student_id=student.pk)


@admin_required
def customer_create(request: AuthenticatedRequest) -> HttpResponse:
    """Admin > Customers > Invite: a customer (accounts) and the students they will see."""
    form = CustomerStudentsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actor, data = request.user, form.cleaned_data
        customer = submit(
            request,
            form,
            lambda: services.customer_invite(
                actor=actor,
                email=data["email"],
                full_name=data["full_name"],
                students=data["students"],
                base_url=request.build_absolute_uri("/"),
            ),
            fields={"email_taken": "email"},
        )
        if customer is not None:
            messages.success(request, f"{customer.email} was invited by email.")
            return redirect("accounts:customer_list")
    status = status_for(request, form)
    return render(request, "accounts/customer_form.html", {"form": form}, status=status)
