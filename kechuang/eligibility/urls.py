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
    path("local/", include("kechuang.eligibility.local_urls")),
]
