from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from academy.client import client_ip
from academy.errors import get_or_not_found
from accounts import services, throttle
from accounts.access import AuthenticatedRequest, admin_required, login_required
from accounts.forms import BY_NAME, ThrottledLoginForm, active_customers
from accounts.models import Role, User

DEMO_LOGINS = ["admin@demo.academy", "parent@demo.academy", "parent2@demo.academy"]


class LoginView(auth_views.LoginView):
    form_class = ThrottledLoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from django.conf import settings

        context = super().get_context_data(**kwargs)
        if settings.DEBUG:
            context["demo_logins"] = DEMO_LOGINS
            context["demo_password"] = "demo-pass-2026"
        return context

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        status = 429 if getattr(form, "throttled", False) else 400
        return self.render_to_response(self.get_context_data(form=form), status=status)


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        return redirect("accounts:login")
    if user.is_admin:
        return redirect("ui:admin_home")
    return redirect("portal:home")


class InvitationView(auth_views.PasswordResetConfirmView):
    """The invitation link: the same signed, single-use token as a password reset."""

    template_name = "accounts/invitation.html"
    success_url = reverse_lazy("accounts:invite_done")
    post_reset_login = True


class PasswordResetView(auth_views.PasswordResetView):
    """Each request sends an email: so many per email and per client address a window (429)."""

    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        email = str(form.cleaned_data["email"]).strip().lower()
        ip = client_ip(self.request) or "unknown"
        if throttle.PASSWORD_RESET.is_locked(email, ip):
            form.add_error(
                "email",
                "Too many reset links were asked for this email or from your network. "
                f"Please use the last one sent, or wait {throttle.PASSWORD_RESET.wait} and try again.",
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        throttle.PASSWORD_RESET.record(email, ip)
        return super().form_valid(form)


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


@admin_required
def customer_list(request: HttpRequest) -> HttpResponse:
    customers = User.objects.filter(role=Role.CUSTOMER).prefetch_related("students").order_by("email")
    query = request.GET.get("q", "").strip()
    if query:
        customers = customers.filter(Q(email__icontains=query) | Q(full_name__icontains=query))
    page = Paginator(customers, 25).get_page(request.GET.get("page"))
    return render(request, "accounts/customer_list.html", {"page": page, "q": query})


# Suggestions while typing in the parent picker (accounts/forms.py): a handful, never every customer.
SUGGESTIONS = 8


@admin_required
def customer_suggestions(request: HttpRequest) -> HttpResponse:
    """Active customer accounts whose name or email holds what has been typed so far, as the
    parent picker's buttons (htmx swaps them in; ui/picker.py)."""
    text = request.GET.get("q", "").strip()[:100]
    customers = (
        active_customers()
        .filter(Q(full_name__icontains=text) | Q(email__icontains=text))
        .order_by(*BY_NAME)[:SUGGESTIONS]
        if text
        else []
    )
    context = {
        "found": [(c.pk, str(c), c.email if c.full_name else "") for c in customers],
        "plural": "parents",
        "text": text,
        "none": f"No active customer matches “{text}”.",
    }
    return render(request, "ui/_picker_options.html", context)


@admin_required
@require_POST
def customer_resend_invitation(request: AuthenticatedRequest, user_id: int) -> HttpResponse:
    customer = get_or_not_found(
        User, "customer_not_found", "We could not find that customer.", pk=user_id, role=Role.CUSTOMER
    )
    services.customer_resend_invitation(actor=request.user, customer=customer, base_url=_base_url(request))
    messages.success(request, f"A new invitation was sent to {customer.email}.")
    return redirect("accounts:customer_list")


password_change = login_required(
    auth_views.PasswordChangeView.as_view(
        template_name="accounts/password_change.html",
        success_url=reverse_lazy("accounts:password_change_done"),
    )
)
password_change_done = login_required(
    auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html")
)
