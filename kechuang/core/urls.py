from django.urls import path

from kechuang.core import home

app_name = "core"
urlpatterns = [
    path("", home.home, name="home"),
]
