"""Admin > Academic > Lessons: lessons, weekly series, attendance, deletion and restore."""

from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_POST

from academics.lessons import deletion, services
from academics.lessons.forms import LessonForm, SeriesForm
from academics.lessons.models import AttendanceStatus, Lesson
from academics.lessons.week import build_week
from academics.models import Student
from academy.errors import get_or_not_found
from academy.paging import CappedPaginator
from academy.query import parse_date, parse_int
from accounts.access import AuthenticatedRequest, admin_required
from ui.forms import status_for, submit
from ui.text import plural, when

# A refusal's code, and the form field it is about (the message shows beside that field).
FORM_FIELDS = {
    "lesson_invalid_times": "ends_at",
    "series_invalid_weekdays": "weekdays",
    "series_unbounded": "until_date",
}

SCOPE_LABELS = {
    deletion.DeleteScope.THIS: "This lesson",
    deletion.DeleteScope.FOLLOWING: "This and following lessons",
    deletion.DeleteScope.SERIES: "The whole series",
}


def _lesson(lesson_id: int) -> Lesson:
    return get_or_not_found(
        Lesson.objects.select_related("series"),
        "lesson_not_found",
        "We could not find that lesson. It may have been deleted.",
        pk=lesson_id,
    )


@admin_required
def lesson_list(request: HttpRequest) -> HttpResponse:
    student_id = parse_int(request.GET.get("student"), minimum=1)
    student_name = request.GET.get("student_name", "").strip()[:100]
    filters: dict[str, Any] = {
        "student_id": student_id,
        "student_name": student_name,
        "tutor": request.GET.get("tutor", "").strip(),
        "start": parse_date(request.GET.get("from")),
        "end": parse_date(request.GET.get("to")),
    }
    needs_attendance = request.GET.get("needs") == "attendance"
    today = timezone.localdate()
    lessons = Lesson.objects.all()
    if needs_attendance:
        # Only lessons that have begun (or are about to): a future lesson cannot be marked yet.
        lessons = lessons.filter(starts_at__lte=timezone.now() + services.attendance_max_future())
        lessons = lessons.needing_attendance()
    if not any(filters.values()) and not needs_attendance:
        lessons = lessons.default_admin_view(today)
    else:
        lessons = lessons.filtered(**filters)
    # Counted up to the cap: the default view's upcoming lessons grow with the academy (50,000 of
    # 100,000), and an exact count of them was a third of the page (bench/pages.py).
    page = CappedPaginator(lessons.for_admin_list(), 25).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filters": filters,
        "needs_attendance": needs_attendance,
        "default_view": not any(filters.values()) and not needs_attendance,
        "now": timezone.now(),
        "student_name": student_name or _student_name(student_id),
        "deleted": deletion.deleted_lesson_events()[:10],
    }
    return render(request, "academics/lesson_list.html", context)


def _student_name(student_id: int | None) -> str:
    """The name a link's ?student=<id> stands for, shown in the filter's name box."""
    student = Student.objects.filter(pk=student_id).first() if student_id else None
    return student.full_name if student else ""


# Suggestions while typing a name in the Lessons filter: a handful, never every student.
SUGGESTIONS = 8


@admin_required
def student_suggestions(request: HttpRequest) -> HttpResponse:
    """Active students named like what has been typed so far (htmx swaps them in): the Lessons
    filter's datalist options, or with ?pick=1 the student picker's buttons (ui/picker.py)."""
    text = request.GET.get("student_name", "").strip()[:100]
    students = (
        Student.objects.active().named(text).order_by("last_name", "first_name", "id")[:SUGGESTIONS]
        if text
        else []
    )
    context = {
        "students": students,
        "text": text,
        "pick": request.GET.get("pick") == "1",
        "found": [(s.pk, s.full_name, s.school_year) for s in students],
        "none": f"No active student matches “{text}”.",
    }
    return render(request, "academics/_student_suggestions.html", context)


@admin_required
def lesson_week(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    start = parse_date(request.GET.get("week")) or today
    start -= timedelta(days=start.weekday())
    lessons = list(Lesson.objects.filtered(start=start, end=start + timedelta(days=6)).for_week())
    context = {
        "week": build_week(start, lessons, today),
        "prev": start - timedelta(days=7),
        "next": start + timedelta(days=7),
    }
    return render(request, "academics/lesson_week.html", context)


def _slot_initial(value: str) -> dict[str, datetime]:
    """A slot clicked on the week view ("at=2026-12-01T15:00"): the new lesson's start, an hour long."""
    starts_at = parse_datetime(value) if value else None
    if starts_at is None:
        return {}
    return {"starts_at": starts_at, "ends_at": starts_at + timedelta(hours=1)}


@admin_required
def lesson_create(request: AuthenticatedRequest) -> HttpResponse:
    form = LessonForm(request.POST or None, initial=_slot_initial(request.GET.get("at", "")))
    if request.method == "POST" and form.is_valid():
        actor, data = request.user, form.cleaned_data
        lesson = submit(
            request, form, lambda: services.lesson_create(actor=actor, **data), fields=FORM_FIELDS
        )
        if lesson is not None:
            messages.success(request, f"{lesson.subject} was scheduled for {when(lesson.starts_at)}.")
            return redirect("academics:lesson_detail", lesson_id=lesson.pk)
    status = status_for(request, form)
    return render(request, "academics/lesson_form.html", {"form": form, "title": "New lesson"}, status=status)


@admin_required
def lesson_edit(request: AuthenticatedRequest, lesson_id: int) -> HttpResponse:
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
        actor, data = request.user, dict(form.cleaned_data)
        students = data.pop("students")
        saved = submit(
            request,
            form,
            lambda: services.lesson_update(actor=actor, lesson=lesson, students=students, **data),
            fields=FORM_FIELDS,
        )
        if saved is not None:
            messages.success(request, f"{lesson.subject} was saved.")
            return redirect("academics:lesson_detail", lesson_id=lesson.pk)
    status = status_for(request, form)
    return render(
        request, "academics/lesson_form.html", {"form": form, "title": "Edit lesson"}, status=status
    )


@admin_required
def series_create(request: AuthenticatedRequest) -> HttpResponse:
    form = SeriesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actor, data = request.user, form.cleaned_data
        series = submit(
            request, form, lambda: services.series_create(actor=actor, **data), fields=FORM_FIELDS
        )
        if series is not None:
            count = plural(series.lessons.count(), "lesson")
            messages.success(request, f"Weekly {series.subject} was scheduled ({count} so far).")
            return redirect("academics:lesson_list")
    status = status_for(request, form)
    return render(
        request, "academics/lesson_form.html", {"form": form, "title": "New weekly series"}, status=status
    )


@admin_required
def lesson_detail(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = _lesson(lesson_id)
    marks = {a.student_id: a for a in lesson.attendance.select_related("marked_by")}
    rows = [(s, marks.get(s.pk)) for s in lesson.students.order_by("last_name", "first_name")]
    counts = deletion.deletion_counts(lesson)
    choices = [(scope, SCOPE_LABELS[scope], c) for scope, c in counts.items()]
    context = {
        "lesson": lesson,
        "rows": rows,
        "statuses": AttendanceStatus.choices,
        "delete_choices": choices,
        "attendance_count": counts[deletion.DeleteScope.THIS]["attendance"],
        "can_take_attendance": lesson.starts_at <= timezone.now() + services.attendance_max_future(),
    }
    return render(request, "academics/lesson_detail.html", context)


@admin_required
@require_POST
def attendance_mark(request: AuthenticatedRequest, lesson_id: int) -> HttpResponse:
    lesson = _lesson(lesson_id)
    student = get_or_not_found(
        lesson.students.all(),
        "student_not_in_lesson",
        "That student is not in this lesson.",
        pk=parse_int(request.POST.get("student")) or 0,
    )
    services.attendance_mark(
        actor=request.user,
        lesson=lesson,
        student=student,
        status=request.POST.get("status", ""),
        note=request.POST.get("note", "")[:500],
    )
    messages.success(request, f"Attendance saved for {student.full_name}.")
    # Back to the same row: a tutor taking the register on a phone goes on from where they were.
    url = reverse("academics:lesson_detail", kwargs={"lesson_id": lesson.pk})
    return redirect(f"{url}#attendance-{student.pk}")


@admin_required
@require_POST
def attendance_all_present(request: AuthenticatedRequest, lesson_id: int) -> HttpResponse:
    lesson = _lesson(lesson_id)
    n = services.attendance_mark_all_present(actor=request.user, lesson=lesson)
    messages.success(request, f"{plural(n, 'student')} marked present.")
    return redirect("academics:lesson_detail", lesson_id=lesson.pk)


@admin_required
@require_POST
def lesson_delete(request: AuthenticatedRequest, lesson_id: int) -> HttpResponse:
    lesson = _lesson(lesson_id)
    result = deletion.lesson_delete(
        actor=request.user,
        lesson=lesson,
        scope=request.POST.get("scope", deletion.DeleteScope.THIS),
    )
    messages.success(
        request,
        f"Deleted {plural(result.lessons, 'lesson')} and {plural(result.attendance, 'attendance record')}. "
        "You can restore them from the list of deleted lessons.",
    )
    return redirect("academics:lesson_list")


@admin_required
@require_POST
def lesson_restore(request: AuthenticatedRequest, event_id: int) -> HttpResponse:
    restored = deletion.lesson_restore(actor=request.user, event_id=event_id)
    n = len(restored)
    messages.success(
        request, f"Restored {plural(n, 'lesson')} with {'its' if n == 1 else 'their'} attendance."
    )
    return redirect("academics:lesson_detail", lesson_id=restored[0].pk)


def old_schedules_address(request: HttpRequest, rest: str) -> HttpResponse:
    """/admin/academic/schedules/<rest> -> /admin/academic/lessons/<rest>, the query kept (301).

    No login check: the redirect tells nothing, and the page it leads to checks."""
    query = request.META.get("QUERY_STRING", "")
    url = reverse("academics:lesson_list") + rest
    return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)
