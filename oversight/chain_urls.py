from django.urls import path

from . import chain

app_name = "chain"
urlpatterns = [
    path("recommendation/<int:pk>/", chain.recommendation_chain, name="recommendation"),
    path("case/<int:pk>/", chain.case_chain, name="case"),
    path("item/<int:pk>/measures/", chain.item_measures, name="item_measures"),
]
