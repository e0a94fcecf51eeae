from django.urls import path

from . import reconciliation_views, review_views, views

app_name = "reforms"
urlpatterns = [
    path("", views.measure_list, name="measure_list"),
    path("<int:pk>/", views.measure_detail, name="measure_detail"),
    path("<int:pk>/progress/", views.progress_add, name="progress_add"),
    path("<int:pk>/evidence/", views.evidence_add, name="evidence_add"),
    path("<int:pk>/request-signoff/", views.signoff_request, name="signoff_request"),
    path("<int:pk>/request-extension/", views.extension_request, name="extension_request"),
    path("<int:pk>/sign-off/", views.sign_off, name="sign_off"),
    path("<int:pk>/return/", views.return_measure, name="return"),
    path("<int:pk>/edit/", views.measure_edit, name="measure_edit"),
    path("<int:pk>/plan-row/", views.plan_measure, name="plan_measure"),
    path("<int:pk>/rule-changes/", views.measure_rule_change_add, name="measure_rule_change_add"),
    path("<int:pk>/activities/", views.measure_activity_add, name="measure_activity_add"),
    path(
        "letter/<int:pk>/rule-changes/",
        views.recommendation_rule_change_add,
        name="recommendation_rule_change_add",
    ),
    path(
        "letter/<int:pk>/activities/",
        views.recommendation_activity_add,
        name="recommendation_activity_add",
    ),
    path("rule-changes/<int:pk>/delete/", views.rule_change_delete, name="rule_change_delete"),
    path("activities/<int:pk>/delete/", views.activity_delete, name="activity_delete"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("plan/<int:pk>/", views.plan, name="plan"),
    path("plan/item/<int:item_pk>/add/", views.plan_measure_add, name="plan_measure_add"),
    path("plan/item/<int:item_pk>/measures/", views.plan_item_measures, name="plan_item_measures"),
    path("reconciliation/", reconciliation_views.round_list, name="reconciliation_list"),
    path("reconciliation/open/", reconciliation_views.round_open, name="reconciliation_open"),
    path(
        "reconciliation/<int:pk>/",
        reconciliation_views.round_detail,
        name="reconciliation_detail",
    ),
    path(
        "reconciliation/<int:pk>/close/",
        reconciliation_views.round_close,
        name="reconciliation_close",
    ),
    path(
        "reconciliation/rows/<int:pk>/answer/",
        reconciliation_views.row_answer,
        name="reconciliation_answer",
    ),
    path(
        "reconciliation/rows/<int:pk>/confirm/",
        reconciliation_views.row_confirm,
        name="reconciliation_confirm",
    ),
    path("sign-off-queue/", views.signoff_queue, name="signoff_queue"),
    path("extensions/", views.extension_queue, name="extension_queue"),
    path("extensions/<int:pk>/approve/", views.extension_approve, name="extension_approve"),
    path("extensions/<int:pk>/reject/", views.extension_reject, name="extension_reject"),
    path("follow-ups/<int:pk>/", review_views.follow_up_detail, name="follow_up_detail"),
    path("follow-ups/<int:pk>/choose/", review_views.follow_up_choose, name="follow_up_choose"),
    path(
        "follow-ups/<int:pk>/conclude/",
        review_views.follow_up_conclude,
        name="follow_up_conclude",
    ),
    path("follow-up-measures/<int:pk>/mark/", review_views.follow_up_mark, name="follow_up_mark"),
]
