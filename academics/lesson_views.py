"""Admin > Academic > Schedules: lessons, weekly series, attendance, deletion and restore."""

from datetime import date, timedelta
from typing import cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from academics import lessons as services
from academics.forms import LessonForm, SeriesForm
from academics.lesson_models import AttendanceStatus, Lesson
from academics.models import Student
from academy.errors import NotFound
from academy.query import parse_date, parse_int
from accounts.access import admin_required
from accounts.models import User

SCOPE_LABELS = {
    services.DeleteScope.THIS: "This lesson",
    services.DeleteScope.FOLLOWING: "This and following lessons",
    services.DeleteScope.SERIES: "The whole series",
}


def _lesson(lesson_id: int) -> Lesson:
    lesson = Lesson.objects.select_related("series").filter(pk=lesson_id).first()
    if lesson is None:
        raise NotFound("lesson_not_found", "We could not find that lesson. It may have been deleted.")
    return lesson


@admin_required
def lesson_list(request: HttpRequest) -> HttpResponse:
    filters = {
        "student_id": parse_int(request.GET.get("student"), minimum=1),
        "tutor": request.GET.get("tutor", "").strip(),
        "start": parse_date(request.GET.get("from")),
        "end": parse_date(request.GET.get("to")),
    }
    if not any(filters.values()):
        filters["start"] = timezone.localdate()
    lessons = Lesson.objects.filtered(**filters).for_admin_list()  # type: ignore[arg-type]
    page = Paginator(lessons, 25).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filters": filters,
        "students": Student.objects.active().order_by("last_name", "first_name"),
        "deleted": services.deleted_lesson_events()[:10],
    }
    return render(request, "academics/lesson_list.html", context)


@admin_required
def lesson_week(request: HttpRequest) -> HttpResponse:
    start = parse_date(request.GET.get("week")) or timezone.localdate()
    start -= timedelta(days=start.weekday())
    lessons = Lesson.objects.filtered(start=start, end=start + timedelta(days=6)).for_admin_list()
    days: dict[date, list[Lesson]] = {start + timedelta(days=n): [] for n in range(7)}
    for lesson in lessons:
        days[timezone.localtime(lesson.starts_at).date()].append(lesson)
    context = {
        "days": days.items(),
        "week": start,
        "prev": start - timedelta(days=7),
        "next": start + timedelta(days=7),
    }
    return render(request, "academics/lesson_week.html", context)


@admin_required
def lesson_create(request: HttpRequest) -> HttpResponse:
    form = LessonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        lesson = services.lesson_create(actor=cast(User, request.user), **form.cleaned_data)
        messages.success(request, f"{lesson.subject} was scheduled.")
        return redirect("academics:lesson_detail", lesson_id=lesson.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "academics/lesson_form.html", {"form": form, "title": "New lesson"}, status=status)


@admin_required
def lesson_edit(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = _lesson(lesson_id)
    initial = {
        "subject": lesson.subject,
        "tutor": lesson.tutor,
        "location": lesson.location,
        "starts_at": timezone.localtime(lesson.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": timezone.localtime(lesson.ends_at).strftime("%Y-%m-%dT%H:%M"),
        "students": list(lesson.students.all()),
    }
    form = LessonForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.lesson_update(
            actor=cast(User, request.user), lesson=lesson, students=data.pop("students"), **data
        )
        messages.success(request, f"{lesson.subject} was saved.")
        return redirect("academics:lesson_detail", lesson_id=lesson.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "academics/lesson_form.html", {"form": form, "title": "Edit lesson"}, status=status
    )


@admin_required
def series_create(request: HttpRequest) -> HttpResponse:
    form = SeriesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        series = services.series_create(actor=cast(User, request.user), **form.cleaned_data)
        messages.success(
            request, f"Weekly {series.subject} was scheduled ({series.lessons.count()} lessons so far)."
        )
        return redirect("academics:lesson_list")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "academics/lesson_form.html", {"form": form, "title": "New weekly series"}, status=status
    )


@admin_required
def lesson_detail(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = _lesson(lesson_id)
    marks = {a.student_id: a for a in lesson.attendance.select_related("marked_by")}
    rows = [(s, marks.get(s.pk)) for s in lesson.students.order_by("last_name", "first_name")]
    counts = services.deletion_counts(lesson)
    choices = [(scope, SCOPE_LABELS[scope], c) for scope, c in counts.items()]
    context = {
        "lesson": lesson,
        "rows": rows,
        "statuses": AttendanceStatus.choices,
        "delete_choices": choices,
        "attendance_count": counts[services.DeleteScope.THIS]["attendance"],
        "can_take_attendance": lesson.starts_at <= timezone.now() + services.attendance_max_future(),
    }
    return render(request, "academics/lesson_detail.html", context)


@admin_required
@require_POST
def attendance_mark(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = _lesson(lesson_id)
    student = lesson.students.filter(pk=parse_int(request.POST.get("student")) or 0).first()
    if student is None:
        raise NotFound("student_not_in_lesson", "That student is not in this lesson.")
    services.attendance_mark(
        actor=cast(User, request.user),
        lesson=lesson,
        student=student,
        status=request.POST.get("status", ""),
        note=request.POST.get("note", "")[:500],
    )
    messages.success(request, f"Attendance saved for {student.full_name}.")
    return redirect("academics:lesson_detail", lesson_id=lesson.pk)


@admin_required
@require_POST
def attendance_all_present(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = _lesson(lesson_id)
    n = services.attendance_mark_all_present(actor=cast(User, request.user), lesson=lesson)
    messages.success(request, f"{n} student(s) marked present.")
    return redirect("academics:lesson_detail", lesson_id=lesson.pk)


@admin_required
@require_POST
def lesson_delete(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = _lesson(lesson_id)
    result = services.lesson_delete(
        actor=cast(User, request.user),
        lesson=lesson,
        scope=request.POST.get("scope", services.DeleteScope.THIS),
    )
    messages.success(
        request,
        f"Deleted {result.lessons} lesson(s) and {result.attendance} attendance record(s). "
        "You can restore them from the list of deleted lessons.",
    )
    return redirect("academics:lesson_list")


@admin_required
@require_POST
def lesson_restore(request: HttpRequest, event_id: int) -> HttpResponse:
    restored = services.lesson_restore(actor=cast(User, request.user), event_id=event_id)
    messages.success(request, f"Restored {len(restored)} lesson(s) with their attendance.")
    return redirect("academics:lesson_detail", lesson_id=restored[0].pk)
