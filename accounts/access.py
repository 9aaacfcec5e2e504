"""Access helpers: who may see what. Every view goes through one of these."""

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseBase

from academy.errors import Forbidden, NotFound
from accounts.models import User

if TYPE_CHECKING:
    from academics.models import StudentQuerySet

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def _require(check: Callable[[User], bool], message: str) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not user.is_authenticated:
                from academy.errors import wants_json

                if wants_json(request):
                    raise Forbidden("not_authenticated", "Please log in first.")
                return redirect_to_login(request.get_full_path())
            if not check(cast(User, user)):
                raise Forbidden("forbidden", message)
            return view(request, *args, **kwargs)

        return cast(View, wrapped)

    return decorator


admin_required = _require(lambda u: u.is_admin, "This page is for academy staff only.")
customer_required = _require(lambda u: u.is_customer, "This page is for customers only.")
login_required = _require(lambda u: u.is_active, "Your account is not active.")


def students_visible_to(user: User) -> "StudentQuerySet":
    """Students this person may see: all for admins, their own for customers, none otherwise."""
    from academics.models import Student

    if user.is_admin:
        return Student.objects.all()
    if user.is_customer:
        return Student.objects.filter(customers=user)
    return Student.objects.none()


def get_visible_student(user: User, student_id: int) -> "Any":
    """A student the person may see, or a 404 that does not reveal whether it exists."""
    student = students_visible_to(user).filter(pk=student_id).first()
    if student is None:
        raise NotFound("student_not_found", "We could not find that student.")
    return student
