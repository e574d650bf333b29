from django.urls import include, path

from kechuang.eligibility import views

app_name = "eligibility"

urlpatterns = [
    path("", views.SelfCheckIndexView.as_view(), name="index"),
    path("enterprises/<int:pk>/", views.SelfCheckView.as_view(), name="self_check"),
    path("enterprises/<int:pk>/<slug:programme>/", views.WhatIfView.as_view(), name="what_if"),
    path("assess/<slug:programme>/", views.ManualAssessView.as_view(), name="manual"),
    path("screening/", views.ScreeningListView.as_view(), name="screening_list"),
    path("screening/<int:pk>/", views.ScreeningDetailView.as_view(), name="screening_detail"),
    path("screening/<int:pk>/export/", views.ScreeningExportView.as_view(), name="screening_export"),
    path("screening/exports/<str:task_id>/", views.screening_export_status, name="screening_export_status"),
    path("screening/exports/<str:task_id>/file/", views.screening_export_file, name="screening_export_file"),
    path("local/", include("kechuang.eligibility.local_urls")),
]
