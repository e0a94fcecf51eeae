from django.contrib.auth import views as auth_views
from django.urls import path

from . import security_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", security_views.account_security, name="account_security"),
    path("account/password/", security_views.PasswordChangeView.as_view(), name="password_change"),
    path("account/otp/", security_views.otp_verify, name="otp_verify"),
    path("account/otp/enrol/", security_views.otp_enrol, name="otp_enrol"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
]
