from django.urls import path

from kechuang.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("save/", views.save_build, name="save_build"),
    path("versions/<int:pk>/", views.version_detail, name="version_detail"),
    path("templates/", views.templates, name="templates"),
]
