"""Sign-up, sign-in, invitations, members and organization settings (thin: parse, authorize, call, render)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.contrib.auth.views import LoginView, redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from pinpoint.core.errors import InputError
from pinpoint.evidence.loader import PolicyError
from pinpoint.web.accounts import actions, selectors
from pinpoint.web.accounts.forms import (
    EmailAuthenticationForm,
    InvitationSignupForm,
    InviteForm,
    OrganizationForm,
    PolicyForm,
    RoleForm,
    SignupEmailForm,
    SignupForm,
    StartForm,
)
from pinpoint.web.base.evidence import stale_overrides
from pinpoint.web.base.forms import add_error
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.tenancy import ORG_SESSION_KEY
from pinpoint.web.base.views import actor_of, page

BACKEND = "pinpoint.web.accounts.backends.ModelBackend"


class SignInView(LoginView):
    """Email and password; repeated failures lock the account and address for a while (django-axes)."""

    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True


def signup(request: HttpRequest) -> HttpResponse:
    """Step one: an email address; the same answer whether or not it has an account (the mail differs)."""
    if request.user.is_authenticated:
        return redirect("accounts:start")
    form = SignupEmailForm(request.POST or None, initial={"kind": request.GET.get("kind", "personal")})
    if request.method == "POST" and form.is_valid():
        try:
            actions.request_signup(
                form.cleaned_data["email"],
                form.cleaned_data["kind"],
                link_for=lambda token: request.build_absolute_uri(reverse("accounts:signup_confirm", args=[token])),
                sign_in_url=request.build_absolute_uri(reverse("accounts:login")),
            )
        except InputError as exc:
            add_error(form, exc)
        else:
            console = settings.EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend"
            return render(request, "accounts/signup_sent.html", {"console_mail": console})
    return render(request, "accounts/signup.html", {"form": form, "days": settings.SIGNUP_LINK_DAYS})


def signup_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Step two, from the emailed link: name, password and the organization; then signed in."""
    if request.user.is_authenticated:
        return redirect("accounts:start")
    claim = actions.open_signup_link(token)
    if claim is None:
        return render(request, "accounts/signup_invalid.html", status=404)
    form = SignupForm(request.POST or None, email=claim.email, initial={"kind": claim.kind})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = actions.OrganizationData(
            name=d["organization_name"] or f"{d['full_name']}'s space",
            kind=d["kind"],
            time_zone=d["time_zone"],
            birth_date=d["birth_date"],
        )
        try:
            user, _ = actions.sign_up(claim.email, d["password1"], d["full_name"], data)
        except InputError as exc:
            # A repeated submission (double click, reload) finds its account: sign in instead of failing.
            again = (
                authenticate(request, username=claim.email, password=d["password1"]) if exc.field == "email" else None
            )
            if again is not None:
                login(request, again, backend=BACKEND)
                return redirect("dashboard")
            add_error(form, exc, {"name": "organization_name"})
        else:
            login(request, user, backend=BACKEND)
            return redirect("dashboard")
    return render(request, "accounts/signup.html", {"form": form, "email": claim.email})


def start(request: HttpRequest) -> HttpResponse:
    """A signed-in user creates a (further) organization."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    form = StartForm(request.POST or None, initial={"kind": request.GET.get("kind", "personal")})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = actions.OrganizationData(
            name=d["organization_name"] or f"{request.user}'s space",
            kind=d["kind"],
            time_zone=d["time_zone"],
            birth_date=d["birth_date"],
        )
        try:
            org = actions.create_organization(request.user, data, key=d["submission_id"])
        except InputError as exc:
            add_error(form, exc, {"name": "organization_name"})
        else:
            request.session[ORG_SESSION_KEY] = org.pk
            return redirect("dashboard")
    return render(request, "accounts/start.html", {"form": form})


@require_POST
def switch(request: HttpRequest) -> HttpResponse:
    """Make another of the user's organizations the active one."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("dashboard"))
    actor = getattr(request, "actor", None)
    wanted = request.POST.get("organization", "")
    if actor is not None and wanted.isdigit() and any(m.organization_id == int(wanted) for m in actor.memberships):
        request.session[ORG_SESSION_KEY] = int(wanted)
    return redirect("dashboard")


def accept(request: HttpRequest, token: str) -> HttpResponse:
    """Accept an invitation: as the signed-in user, or by creating the invited account."""
    now = timezone.now()
    inv = actions.open_invitation(token, now)
    if inv is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    user = request.user if request.user.is_authenticated else None
    form = InvitationSignupForm(request.POST or None, email=inv.email) if user is None else None
    error = ""
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            if user is not None:
                membership = actions.accept_invitation(token, now, user=user)
            else:
                assert form is not None  # noqa: S101 - narrowed by the branch above
                d = form.cleaned_data
                membership = actions.accept_invitation(token, now, password=d["password1"], full_name=d["full_name"])
                login(request, membership.user, backend=BACKEND)
        except InputError as exc:
            if form is not None:
                add_error(form, exc)
            else:
                error = exc.message
        else:
            request.session[ORG_SESSION_KEY] = membership.organization_id
            return redirect("dashboard")
    return render(request, "accounts/accept.html", {"invitation": inv, "form": form, "error": error})


@page(Perm.MEMBERS_MANAGE)
def members(request: HttpRequest) -> HttpResponse:
    """Members, their roles, open invitations; invite someone."""
    actor = actor_of(request)
    form = InviteForm(request.POST or None)
    link = ""
    if request.method == "POST" and form.is_valid():
        try:
            _, token = actions.invite(actor, form.cleaned_data["email"], form.cleaned_data["role"], timezone.now())
        except InputError as exc:
            add_error(form, exc)
        else:
            link = request.build_absolute_uri(reverse("accounts:accept", args=[token]))
            form = InviteForm()
    context = {
        "form": form,
        "link": link,
        "members": selectors.members(actor),
        "invitations": selectors.open_invitations(actor),
        "role_form": RoleForm(),
    }
    return render(request, "accounts/members.html", context)


@require_POST
@page(Perm.MEMBERS_MANAGE)
def member_role(request: HttpRequest, pk: int) -> HttpResponse:
    """Change one member's role."""
    actor = actor_of(request)
    membership = selectors.get_membership(actor, pk)
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            actions.change_role(actor, membership, form.cleaned_data["role"])
        except InputError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, "choose a role")
    return redirect("accounts:members")


@require_POST
@page(Perm.MEMBERS_MANAGE)
def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a member."""
    actor = actor_of(request)
    membership = selectors.get_membership(actor, pk)
    try:
        actions.remove_member(actor, membership)
    except InputError as exc:
        messages.error(request, exc.message)
    return redirect("accounts:members")


@require_POST
@page(Perm.MEMBERS_MANAGE)
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw an open invitation."""
    actor = actor_of(request)
    actions.revoke_invitation(actor, selectors.get_invitation(actor, pk), timezone.now())
    return redirect("accounts:members")


@page(Perm.SETTINGS_MANAGE)
def settings_page(request: HttpRequest) -> HttpResponse:
    """Organization name and time zone; links to members, consent templates and policy."""
    actor = actor_of(request)
    org = actor.organization
    form = OrganizationForm(request.POST or None, initial={"name": org.name, "time_zone": org.time_zone})
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_organization(actor, form.cleaned_data["name"], form.cleaned_data["time_zone"])
        except InputError as exc:
            add_error(form, exc)
        else:
            messages.success(request, "Settings saved.")
            return redirect("accounts:settings")
    return render(request, "accounts/settings.html", {"form": form})


@page(Perm.SETTINGS_MANAGE)
def policy(request: HttpRequest) -> HttpResponse:
    """Override policy defaults within the bounds the evidence base allows."""
    actor = actor_of(request)
    form = PolicyForm(request.POST or None, initial=actor.organization.policy_overrides or {})
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_policy_overrides(actor, form.overrides())
        except PolicyError as exc:
            add_error(form, exc)
        else:
            messages.success(request, "Policy saved; every plan and screening now shows the overrides.")
            return redirect("accounts:policy")
    return render(request, "accounts/policy.html", {"form": form, "stale": stale_overrides(actor.organization)})
