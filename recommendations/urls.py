from django.urls import path

from . import views

app_name = "recommendations"
urlpatterns = [
    path("", views.recommendation_list, name="list"),
    path("new/", views.recommendation_create, name="create"),
    path("<int:pk>/", views.recommendation_detail, name="detail"),
    path("<int:pk>/print/", views.recommendation_print, name="print"),
    path("<int:pk>/edit/", views.recommendation_edit, name="edit"),
    path("<int:pk>/delete/", views.recommendation_delete, name="delete"),
    path("<int:pk>/items/add/", views.item_add, name="item_add"),
    path("items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("items/<int:pk>/remove/", views.item_remove, name="item_remove"),
    path("follow-ups/<int:pk>/record/", views.follow_up_record, name="follow_up_record"),
    *(
        path(
            f"<int:pk>/{action.replace('_', '-')}/",
            views.recommendation_action,
            {"action": action},
            name=action,
        )
        for action in views.ACTIONS
    ),
]
