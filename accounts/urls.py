from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/password/", views.password_change, name="password_change"),
    path("account/password/done/", views.password_change_done, name="password_change_done"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/invitation.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path("invite/<uidb64>/<token>/", views.InvitationView.as_view(), name="invite"),
    path(
        "invite/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="invite_done",
    ),
    path("admin/customers/", views.customer_list, name="customer_list"),
    path("admin/customers/suggestions/", views.customer_suggestions, name="customer_suggestions"),
    # "admin/customers/new/" (accounts:customer_create) offers the new customer's students, so
    # academics serves it; academy/urls.py adds it to this namespace.
    path("admin/customers/<int:user_id>/invite/", views.customer_resend_invitation, name="customer_invite"),
]
