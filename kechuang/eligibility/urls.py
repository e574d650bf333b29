from django.urls import path

from kechuang.eligibility import views

app_name = "eligibility"

urlpatterns = [
    path("", views.SelfCheckIndexView.as_view(), name="index"),
    path("enterprises/<int:pk>/", views.SelfCheckView.as_view(), name="self_check"),
    path("enterprises/<int:pk>/<slug:programme>/", views.WhatIfView.as_view(), name="what_if"),
    path("assess/<slug:programme>/", views.ManualAssessView.as_view(), name="manual"),
]
