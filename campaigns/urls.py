from django.urls import path

from . import views

app_name = "campaigns"

urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_create, name="create"),
    path("<int:pk>/", views.campaign_detail, name="detail"),
    path("<int:pk>/edit/", views.campaign_edit, name="edit"),
    path("<int:pk>/delete/", views.campaign_delete, name="delete"),
    path("<int:pk>/launch/", views.campaign_launch, name="launch"),
    path("<int:pk>/urge/", views.campaign_urge, name="urge"),
    path("<int:pk>/close/", views.campaign_close, name="close"),
    path("<int:pk>/spot-check/", views.campaign_spot_check, name="spot_check"),
    path("units/<int:pk>/reassign/", views.campaign_unit_reassign, name="reassign"),
    path("units/<int:pk>/answer/", views.campaign_unit_answer, name="answer"),
]
