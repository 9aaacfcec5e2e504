"""Every write to accounts: one function each, with its audit event in the same transaction."""

from collections.abc import Callable, Mapping
from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from academy.errors import Conflict
from accounts.models import Role, User
from audit.services import record_event

# What a higher app links to a new customer inside its transaction (academics: their students);
# what it returns joins the audit event's "after".
Link = Callable[[User], Mapping[str, Any]]


def invitation_path(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("accounts:invite", kwargs={"uidb64": uid, "token": token})


def send_invitation(*, user: User, base_url: str) -> None:
    link = base_url.rstrip("/") + invitation_path(user)
    send_mail(
        subject="Your Academy account",
        message=(
            f"Hello {user.full_name or user.email},\n\n"
            "An account has been created for you at the academy. "
            f"Choose your password here:\n\n{link}\n\n"
            "The link works once and expires in a few days."
        ),
        from_email=None,
        recipient_list=[user.email],
    )


@transaction.atomic
def customer_create(
    *, actor: User, email: str, full_name: str, base_url: str, link: Link | None = None
) -> User:
    """Create a customer without a password and e-mail them an invitation to choose one."""
    try:
        with transaction.atomic():
            customer = User.objects.create_user(email=email, full_name=full_name, role=Role.CUSTOMER)
    except IntegrityError:
        raise Conflict("email_taken", f"A user with the email {email} already exists.") from None
    linked = link(customer) if link is not None else {}
    record_event(
        actor=actor,
        action="customer.create",
        entity=customer,
        after={"email": customer.email, "full_name": full_name, **linked},
    )
    transaction.on_commit(lambda: send_invitation(user=customer, base_url=base_url))
    return customer


@transaction.atomic
def customer_resend_invitation(*, actor: User, customer: User, base_url: str) -> None:
    record_event(actor=actor, action="customer.invite", entity=customer)
    transaction.on_commit(lambda: send_invitation(user=customer, base_url=base_url))
