"""Access helpers: which role may open a view. Every view goes through one of these.

Which students a person may see is an academics rule: academics/students/queries.py."""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseBase

from academy.errors import Forbidden
from accounts.models import User

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


class AuthenticatedRequest(HttpRequest):
    """A request whose user is logged in: what admin_required, customer_required and
    login_required guarantee to the view they wrap. Annotate such views with it instead of
    casting `request.user`; it exists only for the type checker (the object is Django's request)."""

    user: User


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
            if not check(user):
                raise Forbidden("forbidden", message)
            return view(request, *args, **kwargs)

        return cast(View, wrapped)

    return decorator


admin_required = _require(lambda u: u.is_admin, "This page is for academy staff only.")
customer_required = _require(lambda u: u.is_customer, "This page is for customers only.")
login_required = _require(lambda u: u.is_active, "Your account is not active.")
