"""The academics app's models, one sub-package each (students, lessons, tasks).

Importing them here is what registers them with the app: the tables, the app label and the
migrations stay as they were when they lived in this one module.
"""

from academics.lessons.models import Attendance, AttendanceStatus, Lesson, LessonSeries
from academics.students.models import Student, StudentQuerySet
from academics.tasks.models import InstanceStatus, Recurrence, Task, TaskInstance

__all__ = [
    "Attendance",
    "AttendanceStatus",
    "InstanceStatus",
    "Lesson",
    "LessonSeries",
    "Recurrence",
    "Student",
    "StudentQuerySet",
    "Task",
    "TaskInstance",
]
