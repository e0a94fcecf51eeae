from django.contrib.auth import views as auth_views
from django.urls import path

from . import security_views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", security_views.account_security, name="account_security"),
    path("account/password/", security_views.PasswordChangeView.as_view(), name="password_change"),
    path("account/otp/", security_views.otp_verify, name="otp_verify"),
    path("account/otp/enrol/", security_views.otp_enrol, name="otp_enrol"),
]
