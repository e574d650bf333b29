from django.urls import path

from kechuang.indicators import views

app_name = "indicators"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("catalogue/", views.IndicatorListView.as_view(), name="indicator_list"),
    path("catalogue/<int:pk>/", views.indicator_detail, name="indicator_detail"),
    path("catalogue/<int:pk>/drill/<str:region>/", views.drilldown, name="drilldown"),
    path("values/", views.IndicatorValueListView.as_view(), name="indicatorvalue_list"),
    path("values/export/", views.IndicatorValueExportView.as_view(), name="indicatorvalue_export"),
    path("values/add/", views.value_entry, name="indicatorvalue_add"),
    path("values/import/", views.IndicatorValueImportView.as_view(), name="indicatorvalue_import"),
    path("values/freeze/", views.freeze, name="indicatorvalue_freeze"),
    path("targets/", views.targets, name="target_list"),
    path("redblack/", views.redblack_index, name="redblacklist_list"),
    path("redblack/<int:pk>/", views.redblack_detail, name="redblacklist_detail"),
    path("collection/", views.round_list, name="collectionround_list"),
    path("collection/<int:pk>/", views.round_detail, name="collectionround_detail"),
    path("collection/submission/<int:pk>/", views.submission_detail, name="submission_detail"),
]
