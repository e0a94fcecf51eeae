from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_create, name="create"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/edit/", views.case_edit, name="edit"),
    path("<int:pk>/analysis/", views.analysis, name="analysis"),
    path("<int:pk>/analysis/edit/", views.analysis_edit, name="analysis_edit"),
    path("<int:pk>/problems/new/", views.problem_add, name="problem_add"),
    path("problems/<int:pk>/", views.problem_row, name="problem"),
    path("problems/<int:pk>/edit/", views.problem_edit, name="problem_edit"),
]
