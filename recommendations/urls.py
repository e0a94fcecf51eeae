from django.urls import path

from . import evaluation_views, views

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
    # 现场答辩式评查: a closed letter's evaluation sessions (``evaluation_views``).
    path("<int:pk>/evaluation/open/", evaluation_views.session_open, name="evaluation_open"),
    path(
        "evaluation-sessions/<int:pk>/",
        evaluation_views.session_detail,
        name="evaluation_session",
    ),
    path(
        "panel-members/<int:pk>/remove/",
        evaluation_views.member_remove,
        name="evaluation_member_remove",
    ),
    *(
        path(
            f"evaluation-sessions/<int:pk>/{action.replace('_', '-')}/",
            evaluation_views.session_action,
            {"action": action},
            name=f"evaluation_{action}",
        )
        for action in evaluation_views.ACTIONS
    ),
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
