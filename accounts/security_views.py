"""Account security pages: change one's password, the second factor (verify, enrol), overview."""

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_otp import devices_for_user, match_token, user_has_device
from django_otp import login as otp_login

from .two_factor import grouped_secret, pending_device, qr_code_svg, second_factor_required


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=gettext_lazy("6-digit code"),
        regex=r"^\d{6}$",
        error_messages={"invalid": gettext_lazy("Enter the 6 digits your app shows.")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "maxlength": 6,
            }
        ),
    )


def _next_page(request) -> str:
    target = request.POST.get("next") or request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("home")


class PasswordChangeView(auth_views.PasswordChangeView):
    """The user's own new password; clears the demand to change one an administrator set."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        form.user.must_change_password = False  # saved with the new password
        response = super().form_valid(form)
        messages.success(self.request, _("Your password was changed."))
        return response


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request):
    """The second step of signing in: a code from the user's authenticator app."""
    if not user_has_device(request.user):
        return redirect("otp_enrol")
    form = CodeForm(request.POST or None)
    if form.is_valid():
        device = match_token(request.user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next_page(request))
        form.add_error("code", _("The code is wrong or has expired: enter the current one."))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next_page(request)})


@login_required
@require_http_methods(["GET", "POST"])
def otp_enrol(request):
    """Set up an authenticator app: scan the QR code (or type the secret), confirm with a code.

    Only for a user without a confirmed device: a second device would otherwise bypass the first.
    """
    if user_has_device(request.user):
        messages.info(request, _("Two-factor authentication is already enabled."))
        return redirect("account_security")
    device = pending_device(request.user)
    form = CodeForm(request.POST or None)
    if form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            messages.success(request, _("Two-factor authentication is enabled."))
            return redirect(_next_page(request))
        form.add_error("code", _("The code is wrong or has expired: enter the current one."))
    context = {
        "form": form,
        "qr_code": qr_code_svg(device),
        "secret": grouped_secret(device),
        "required": second_factor_required(request.user),
        "next": _next_page(request),
    }
    return render(request, "accounts/otp_enrol.html", context)


@login_required
def account_security(request):
    """账户安全: the password and the second factor of the signed-in user."""
    devices = list(devices_for_user(request.user))
    context = {"devices": devices, "required": second_factor_required(request.user)}
    return render(request, "accounts/account_security.html", context)
