from django.urls import path

from kechuang.core import home
from kechuang.core.imports import views as imports

app_name = "core"
urlpatterns = [
    path("", home.home, name="home"),
    path("imports/report/<str:token>/", imports.import_report, name="import_report"),
    path("imports/status/<str:task_id>/", imports.import_status, name="import_status"),
]
