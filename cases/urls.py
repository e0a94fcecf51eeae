from django.urls import path

from . import typical_views, views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_create, name="create"),
    path("typical/", typical_views.typical_list, name="typical"),
    path("<int:pk>/typical/mark/", typical_views.typical_mark, name="typical_mark"),
    path("<int:pk>/typical/unmark/", typical_views.typical_unmark, name="typical_unmark"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/edit/", views.case_edit, name="edit"),
    path("<int:pk>/analysis/", views.analysis, name="analysis"),
    path("<int:pk>/analysis/edit/", views.analysis_edit, name="analysis_edit"),
    path("<int:pk>/problems/new/", views.problem_add, name="problem_add"),
    path("problems/<int:pk>/", views.problem_row, name="problem"),
    path("problems/<int:pk>/edit/", views.problem_edit, name="problem_edit"),
]
