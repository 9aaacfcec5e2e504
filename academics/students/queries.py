"""Which students a person may see: an academics rule (accounts knows people, not students)."""

from typing import TYPE_CHECKING

from academy.errors import get_or_not_found
from accounts.models import User

if TYPE_CHECKING:
    from academics.models import Student, StudentQuerySet


def students_visible_to(user: User) -> "StudentQuerySet":
    """Students this person may see: all for admins, their own for customers, none otherwise."""
    from academics.models import Student

    if user.is_admin:
        return Student.objects.all()
    if user.is_customer:
        return Student.objects.filter(customers=user)
    return Student.objects.none()


def get_visible_student(user: User, student_id: int) -> "Student":
    """A student the person may see, or a 404 that does not reveal whether it exists."""
    return get_or_not_found(
        students_visible_to(user), "student_not_found", "We could not find that student.", pk=student_id
    )
