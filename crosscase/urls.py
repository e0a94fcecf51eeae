from django.urls import path

from . import views

app_name = "crosscase"

urlpatterns = [
    path("", views.analysis_list, name="list"),
    path("new/", views.analysis_create, name="create"),
    path("<int:pk>/", views.analysis_detail, name="detail"),
    path("<int:pk>/edit/", views.analysis_edit, name="edit"),
    path("<int:pk>/findings/", views.analysis_findings, name="findings"),
    path("<int:pk>/delete/", views.analysis_delete, name="delete"),
    path("<int:pk>/problems/", views.analysis_problems, name="problems"),
]
